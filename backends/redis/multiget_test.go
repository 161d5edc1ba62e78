package hoardredis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/testserver"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestGetMulti checks, on each topology, what GetMulti sends: one MGET for
// keys of one namespace shard, else one pipeline of MGETs per node, never
// a command per key; and how it fails. That it reads every key as Get
// does is the conformance suite's MultiGet (TestConformance), on these
// topologies and more.
func TestGetMulti(t *testing.T) {
	topologies := []struct {
		name string
		// client starts the servers and returns a client whose node
		// clients log to log.
		client func(t *testing.T, log *commandLog) redis.UniversalClient
		opts   hoardredis.Options
		nodes  int
	}{
		{"Standalone", func(t *testing.T, log *commandLog) redis.UniversalClient {
			c := redis.NewClient(&redis.Options{Addr: testserver.Redis(t).Addr, ContextTimeoutEnabled: true})
			c.AddHook(log)
			return c
		}, hoardredis.Options{}, 1},
		{"StandaloneOneShardWithKeyPrefix", func(t *testing.T, log *commandLog) redis.UniversalClient {
			c := redis.NewClient(&redis.Options{Addr: testserver.Redis(t).Addr, ContextTimeoutEnabled: true})
			c.AddHook(log)
			return c
		}, hoardredis.Options{KeyPrefix: "app/", NamespaceShards: 1}, 1},
		{"ClusterWithKeyPrefix", func(t *testing.T, log *commandLog) redis.UniversalClient {
			c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: startCluster(t), ContextTimeoutEnabled: true})
			c.OnNewNode(func(node *redis.Client) { node.AddHook(log) })
			return c
		}, hoardredis.Options{KeyPrefix: "app/"}, 3},
		{"Ring", func(t *testing.T, log *commandLog) redis.UniversalClient {
			c := redis.NewRing(&redis.RingOptions{
				Addrs:                 map[string]string{"a": testserver.Redis(t).Addr, "b": testserver.Redis(t).Addr},
				ContextTimeoutEnabled: true,
				// The shards exist before OnNewNode could be set.
				NewClient: func(o *redis.Options) *redis.Client {
					node := redis.NewClient(o)
					node.AddHook(log)
					return node
				},
			})
			return c
		}, hoardredis.Options{}, 2},
	}
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			log := &commandLog{}
			client := tc.client(t, log)
			t.Cleanup(func() { _ = client.Close() })
			s := fromClient(t, client, tc.opts)
			t.Run("RoundTrips", func(t *testing.T) { testGetMultiRoundTrips(t, s, log, tc.nodes) })
			t.Run("Errors", func(t *testing.T) { testGetMultiErrors(t, client, tc.opts) })
		})
	}
}

func testGetMultiRoundTrips(t *testing.T, s *hoardredis.Store, log *commandLog, nodes int) {
	ctx := t.Context()
	var spread, oneShard []string
	for i := range 16 {
		spread = append(spread, hoard.JoinKey("rt", fmt.Sprint("ns", i%4), fmt.Sprint(i)))
	}
	// With the default 16 shards, keys of one namespace share a shard when
	// their ids do: the same id in one namespace, read twice.
	oneShard = []string{hoard.JoinKey("rt", "one", "x"), hoard.JoinKey("rt", "one", "x")}
	for _, k := range append(spread, oneShard...) {
		if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	// Warm up: pipelines may use connections of their own (go-redis 9.23);
	// open them so their handshake is not counted.
	for range 3 {
		if _, err := s.GetMulti(ctx, spread); err != nil {
			t.Fatal(err)
		}
	}

	log.reset()
	if got, err := s.GetMulti(ctx, oneShard); err != nil || len(got) != 2 || string(got[0]) != "v" || string(got[1]) != "v" {
		t.Fatalf("GetMulti(one shard) = %q, %v", got, err)
	}
	if cmds, pipes := log.snapshot(); len(cmds) != 1 || cmds[0] != "mget" || len(pipes) != 0 {
		t.Errorf("keys of one shard sent commands %v and pipelines %v; want one mget", cmds, pipes)
	}

	log.reset()
	got, err := s.GetMulti(ctx, spread)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if string(v) != "v" {
			t.Errorf("spread key %d: %q", i, v)
		}
	}
	cmds, pipes := log.snapshot()
	mgets := 0
	for _, p := range pipes {
		for _, name := range p {
			if name != "mget" {
				t.Errorf("GetMulti sent %q in a pipeline", name)
			}
			mgets++
		}
	}
	if len(cmds) != 0 || len(pipes) == 0 || len(pipes) > nodes || mgets > len(spread) {
		t.Errorf("GetMulti of %d keys sent commands %v and pipelines %v; want at most %d pipelines of MGETs", len(spread), cmds, pipes, nodes)
	}

	log.reset()
	if got, err := s.GetMulti(ctx, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("GetMulti(nil) = %v (nil %v), %v; want an empty slice", got, got == nil, err)
	}
	if cmds, pipes := log.snapshot(); len(cmds) != 0 || len(pipes) != 0 {
		t.Errorf("GetMulti(nil) sent commands %v and pipelines %v", cmds, pipes)
	}
}

func testGetMultiErrors(t *testing.T, client hoardredis.Client, opts hoardredis.Options) {
	s := fromClient(t, client, opts)
	keys := []string{hoard.JoinKey("er", "a", "1"), hoard.JoinKey("er", "b", "2")}
	if _, err := s.GetMulti(t.Context(), []string{keys[0], "no-namespace"}); !errors.Is(err, hoard.ErrInvalidKey) {
		t.Errorf("GetMulti with an invalid key: %v, want ErrInvalidKey", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.GetMulti(ctx, keys); !errors.Is(err, context.Canceled) {
		t.Errorf("GetMulti with a cancelled context: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := s.GetMulti(ctx, keys); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("GetMulti past its deadline: %v, want context.DeadlineExceeded", err)
	}
	_ = s.Close() // does not close the client (NewFromClient)
	for _, ks := range [][]string{keys, keys[:1], nil} {
		if _, err := s.GetMulti(t.Context(), ks); !errors.Is(err, hoard.ErrClosed) {
			t.Errorf("GetMulti of %d keys after Close: %v, want ErrClosed", len(ks), err)
		}
	}
}

// TestGetMultiClosedClient checks that a client closed under the store
// reads as ErrClosed, as Get does, for one MGET and for a pipeline.
func TestGetMultiClosedClient(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: testserver.Redis(t).Addr, ContextTimeoutEnabled: true})
	s := fromClient(t, client, hoardredis.Options{})
	_ = client.Close()
	one := []string{hoard.JoinKey("cc", "a", "1")}
	many := []string{hoard.JoinKey("cc", "a", "1"), hoard.JoinKey("cc", "b", "2")}
	for _, keys := range [][]string{one, many} {
		if _, err := s.Get(t.Context(), keys[0]); !errors.Is(err, hoard.ErrClosed) {
			t.Fatalf("Get on a closed client: %v, want ErrClosed", err)
		}
		if _, err := s.GetMulti(t.Context(), keys); !errors.Is(err, hoard.ErrClosed) {
			t.Errorf("GetMulti of %d keys on a closed client: %v, want ErrClosed", len(keys), err)
		}
	}
}

// TestGetMultiThroughCache checks that a tagged hit through a Cache costs
// one round trip for its tag states: one MGET for the entry, then one
// command or pipeline for the states, nothing per tag.
func TestGetMultiThroughCache(t *testing.T) {
	log := &commandLog{}
	client := redis.NewClient(&redis.Options{Addr: testserver.Redis(t).Addr, ContextTimeoutEnabled: true})
	client.AddHook(log)
	t.Cleanup(func() { _ = client.Close() })
	s := fromClient(t, client, hoardredis.Options{})
	c, err := hoard.New(s, hoard.WithPrefix("tc"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	tags := hoard.Tags("a", "b", "c", "d")
	load := func(context.Context) (string, error) { return "loaded", nil }
	if err := c.InvalidateTags(ctx, []string{"a", "c"}); err != nil {
		t.Fatal(err)
	}
	for range 3 { // store, then warm the pipeline connections
		if _, err := hoard.Remember(ctx, c, "k", time.Minute, load, tags); err != nil {
			t.Fatal(err)
		}
	}
	log.reset()
	if v, err := hoard.Remember(ctx, c, "k", time.Minute, func(context.Context) (string, error) {
		t.Error("a hit loaded")
		return "", nil
	}, tags); err != nil || v != "loaded" {
		t.Fatalf("Remember = %q, %v", v, err)
	}
	cmds, pipes := log.snapshot()
	if len(cmds)+len(pipes) > 2 || len(cmds) == 0 || cmds[0] != "mget" {
		t.Errorf("a tagged hit sent commands %v and pipelines %v; want the entry's MGET and one round trip for its tags", cmds, pipes)
	}
}
