package hoardredis_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/hoard-go/hoard/core/testserver"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestClearAcrossInstances clears through one store and expects a miss at
// once through another with its own client, as two application instances
// would see it.
func TestClearAcrossInstances(t *testing.T) {
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
			opts := hoardredis.Options{Addrs: addrs, ClusterMode: len(addrs) > 1}
			a, b := newStore(t, opts), newStore(t, opts)
			ctx := t.Context()
			var keys []string
			for i := range 100 {
				k := hoard.JoinKey("app", "users", fmt.Sprint("u", i))
				keys = append(keys, k)
				if err := a.Set(ctx, k, []byte("old"), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			other := hoard.JoinKey("app", "orders", "o1")
			if err := a.Set(ctx, other, []byte("kept"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := b.ClearNamespace(ctx, "app:users"); err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				if _, err := a.Get(ctx, k); !errors.Is(err, hoard.ErrNotFound) {
					t.Fatalf("Get(%q) through the other instance after clear: %v, want ErrNotFound", k, err)
				}
			}
			if v, err := a.Get(ctx, other); err != nil || string(v) != "kept" {
				t.Fatalf("Get(%q) in another namespace = %q, %v; want kept", other, v, err)
			}
			if err := b.Set(ctx, keys[0], []byte("new"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if v, err := a.Get(ctx, keys[0]); err != nil || string(v) != "new" {
				t.Fatalf("Get after a new Set = %q, %v; want new", v, err)
			}
		})
	}
}

// TestNamespaceSpreadsOverCluster checks that one namespace's entries land
// on every master of a 3-node Cluster, and on one only with
// NamespaceShards 1.
func TestNamespaceSpreadsOverCluster(t *testing.T) {
	addrs := startCluster(t)
	for _, tc := range []struct {
		shards      int
		wantMasters int
	}{{hoardredis.DefaultNamespaceShards, 3}, {1, 1}} {
		t.Run(fmt.Sprint("shards=", tc.shards), func(t *testing.T) {
			cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
			t.Cleanup(func() { _ = cluster.Close() })
			s := fromClient(t, cluster, hoardredis.Options{NamespaceShards: tc.shards})
			ctx := t.Context()
			prefix := fmt.Sprint("spread", tc.shards)
			for i := range 200 {
				if err := s.Set(ctx, hoard.JoinKey(prefix, "big", fmt.Sprint(i)), []byte("v"), time.Minute); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			masters := 0
			err := cluster.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
				keys, _, err := node.Scan(ctx, 0, "*"+prefix+":big:*", 10000).Result()
				if err != nil {
					return err
				}
				if len(keys) > 0 {
					mu.Lock()
					masters++
					mu.Unlock()
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if masters != tc.wantMasters {
				t.Errorf("namespace entries on %d masters, want %d", masters, tc.wantMasters)
			}
		})
	}
}

// TestClearedEntriesStayCleared checks that a clear leaves the entries in
// place (no scan) yet they are misses, that the next Set overwrites them,
// and that a lost generation key (evicted, or deleted by hand) never brings
// cleared entries back.
func TestClearedEntriesStayCleared(t *testing.T) {
	srv := testserver.Redis(t)
	// One shard, so the namespace has one generation key to lose.
	s := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}, NamespaceShards: 1})
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = raw.Close() })
	ctx := t.Context()
	key := hoard.JoinKey("app", "ns", "k")
	entry, gen, err := s.RedisKeys(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, key, []byte("v1"), 0); err != nil {
		t.Fatal(err)
	}
	stale, err := raw.Get(ctx, entry).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ClearNamespace(ctx, "app:ns"); err != nil {
		t.Fatal(err)
	}
	if n := raw.Exists(ctx, entry).Val(); n != 1 {
		t.Fatalf("EXISTS = %d after clear: clear should not touch entries", n)
	}
	if _, err := s.Get(ctx, key); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get after clear: %v", err)
	}
	if err := s.Set(ctx, key, []byte("v2"), 0); err != nil {
		t.Fatal(err)
	}
	if now, _ := raw.Get(ctx, entry).Bytes(); string(now) == string(stale) {
		t.Fatal("Set after clear did not overwrite the stale entry")
	}

	// A cleared entry must stay cleared even if the generation key is lost
	// and a later Set creates a new one.
	raw.Set(ctx, entry, stale, 0)
	raw.Del(ctx, gen)
	if _, err := s.Get(ctx, key); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get with the generation key gone: %v", err)
	}
	if err := s.Set(ctx, hoard.JoinKey("app", "ns", "other"), []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, key); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("cleared entry came back after its generation key was lost: %v", err)
	}
}

// TestClearDoesNotScan checks that a clear costs the same on a full server
// and touches only generation keys: no KEYS, SCAN or DEL.
func TestClearDoesNotScan(t *testing.T) {
	srv := testserver.Redis(t)
	s := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}})
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = admin.Close() })
	ctx := t.Context()
	for i := range 2000 {
		if err := s.Set(ctx, hoard.JoinKey("app", "ns", fmt.Sprint(i)), []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	// go-redis 9.23 sends pipelines over connections of their own: open
	// one first, so its handshake (HELLO, CLIENT SETINFO) is not counted.
	if err := s.ClearNamespace(ctx, "app:warm"); err != nil {
		t.Fatal(err)
	}
	before := commandStats(t, admin)
	if err := s.ClearNamespace(ctx, "app:ns"); err != nil {
		t.Fatal(err)
	}
	after := commandStats(t, admin)
	for cmd, n := range after {
		d := n - before[cmd]
		switch {
		case cmd == "set" && d != hoardredis.DefaultNamespaceShards:
			t.Errorf("clear ran %d SETs, want %d", d, hoardredis.DefaultNamespaceShards)
		case cmd != "set" && cmd != "info" && d != 0:
			t.Errorf("clear ran %s %d times", cmd, d)
		}
	}
}

func TestClearNamespaceRejectsMalformed(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	t.Cleanup(func() { _ = client.Close() })
	s := fromClient(t, client, hoardredis.Options{})
	for _, ns := range []string{"", "nocolon", "a:b:c"} {
		if err := s.ClearNamespace(t.Context(), ns); !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("ClearNamespace(%q) = %v, want ErrInvalidKey", ns, err)
		}
	}
}
