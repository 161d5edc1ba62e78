package hoardredis_test

import (
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/testserver"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestAdapter runs the HTTP behaviour suite through the engine's own
// net/http middleware (adaptertest.EngineMiddleware, so this module needs no
// adapter) with Redis as the backend: what the engine stores must come back
// intact from a real server, and a namespace clear must reach it. The suite
// gives every scenario its own key prefix, so the scenarios share one server
// (or one cluster).
func TestAdapter(t *testing.T) {
	topologies := []struct {
		name  string
		addrs func(t *testing.T) []string
	}{
		{"Standalone", func(t *testing.T) []string { return []string{testserver.Redis(t).Addr} }},
		{"Cluster", func(t *testing.T) []string { return startCluster(t) }},
	}
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			addrs := tc.addrs(t)
			adaptertest.Run(t, adaptertest.NetHTTPServer(adaptertest.EngineMiddleware), adaptertest.WithBackend(func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{Addrs: addrs})
			}))
		})
	}
}
