package hoardredis_test

import (
	"github.com/hoard-go/hoard/core/testserver"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestConformance runs the backend contract against every kind of
// deployment and client the store supports, each on real servers.
func TestConformance(t *testing.T) {
	topologies := []struct {
		name string
		// setup starts the servers once and returns the suite's constructor.
		setup func(t *testing.T) func(t *testing.T) hoard.Backend
	}{
		{"Standalone", func(t *testing.T) func(t *testing.T) hoard.Backend {
			s := testserver.Redis(t)
			return func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{URL: "redis://" + s.Addr + "/0"})
			}
		}},
		{"StandaloneOneShardWithKeyPrefix", func(t *testing.T) func(t *testing.T) hoard.Backend {
			s := testserver.Redis(t)
			return func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{Addrs: []string{s.Addr}, KeyPrefix: "app/", NamespaceShards: 1})
			}
		}},
		{"FromClient", func(t *testing.T) func(t *testing.T) hoard.Backend {
			s := testserver.Redis(t)
			client := redis.NewClient(&redis.Options{Addr: s.Addr, ContextTimeoutEnabled: true})
			t.Cleanup(func() { _ = client.Close() })
			return func(t *testing.T) hoard.Backend { return fromClient(t, client, hoardredis.Options{}) }
		}},
		{"Cluster", func(t *testing.T) func(t *testing.T) hoard.Backend {
			addrs := startCluster(t)
			return func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{Addrs: addrs})
			}
		}},
		{"ClusterWithKeyPrefix", func(t *testing.T) func(t *testing.T) hoard.Backend {
			addrs := startCluster(t)
			return func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{Addrs: addrs, KeyPrefix: "app/"})
			}
		}},
		{"ClusterOneSeed", func(t *testing.T) func(t *testing.T) hoard.Backend {
			addrs := startCluster(t)
			return func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{Addrs: addrs[:1], ClusterMode: true, NamespaceShards: 1})
			}
		}},
		{"Sentinel", func(t *testing.T) func(t *testing.T) hoard.Backend {
			master := testserver.Redis(t)
			sentinel := startSentinel(t, master.Addr)
			return func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{Addrs: []string{sentinel}, MasterName: "mymaster"})
			}
		}},
		{"Ring", func(t *testing.T) func(t *testing.T) hoard.Backend {
			a, b := testserver.Redis(t), testserver.Redis(t)
			ring := redis.NewRing(&redis.RingOptions{
				Addrs:                 map[string]string{"a": a.Addr, "b": b.Addr},
				ContextTimeoutEnabled: true,
			})
			t.Cleanup(func() { _ = ring.Close() })
			return func(t *testing.T) hoard.Backend { return fromClient(t, ring, hoardredis.Options{}) }
		}},
	}
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			backendtest.Run(t, tc.setup(t), backendtest.WithTTLResolution(50*time.Millisecond))
		})
	}
}
