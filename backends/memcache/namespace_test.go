package hoardmemcache

import (
	"errors"
	"github.com/hoard-go/hoard/core/testserver"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	hoard "github.com/hoard-go/hoard/core"
)

// TestClearSeenByEveryInstance: two stores with their own connections, like
// two app processes. A clear by one is a miss for both at once.
func TestClearSeenByEveryInstance(t *testing.T) {
	a, b := testserver.Memcached(t), testserver.Memcached(t)
	for _, tc := range []struct {
		name  string
		addrs []string
	}{
		{"one server", []string{a.Addr}},
		{"two servers", []string{a.Addr, b.Addr}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			app1, app2 := newTestStore(t, tc.addrs...), newTestStore(t, tc.addrs...)
			keys := []string{"inst:users:1", "inst:users:2", "inst:users:with space", "inst:users:" + string(make([]byte, 300))}
			for _, k := range keys {
				if err := app1.Set(ctx, k, []byte("v"), time.Minute); err != nil {
					t.Fatal(err)
				}
				if _, err := app2.Get(ctx, k); err != nil {
					t.Fatalf("app2 Get(%q) before clear: %v", k, err)
				}
			}
			if err := app2.ClearNamespace(ctx, "inst:users"); err != nil {
				t.Fatal(err)
			}
			for _, app := range []*Store{app1, app2} {
				for _, k := range keys {
					if _, err := app.Get(ctx, k); !errors.Is(err, hoard.ErrNotFound) {
						t.Fatalf("Get(%q) after clear: %v, want a miss", k, err)
					}
				}
			}
		})
	}
}

// TestGenerationLost: memcached may evict a namespace's counter. Entries of
// the namespace then read as misses (never as current), and stay misses
// after the counter is recreated.
func TestGenerationLost(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	raw := rawClient(t, srv.Addr)
	ctx := t.Context()
	const old, other = "lost:ns:old", "lost:other:x"
	for _, k := range []string{old, other} {
		if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := raw.Delete(genKey("lost:ns")); err != nil { // what an eviction does
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, old); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get after the generation was lost: %v, want a miss", err)
	}
	if _, err := s.Get(ctx, other); err != nil {
		t.Fatalf("another namespace is affected: %v", err)
	}
	// Writing recreates the counter with a fresh random value.
	if err := s.Set(ctx, "lost:ns:new", []byte("n"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, "lost:ns:new"); err != nil || string(got) != "n" {
		t.Fatalf("Get of a new entry = %q, %v", got, err)
	}
	if _, err := s.Get(ctx, old); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("an entry from before the loss came back: %v", err)
	}
	// Clearing a namespace whose counter is gone works too.
	if err := raw.Delete(genKey("lost:ns")); err != nil {
		t.Fatal(err)
	}
	if err := s.ClearNamespace(ctx, "lost:ns"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "lost:ns:new"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get after clear: %v, want a miss", err)
	}
}

// TestGenerationOverwritten: a counter that is not a number (written by
// something else) makes reads miss and writes fail until a clear resets it.
func TestGenerationOverwritten(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	raw := rawClient(t, srv.Addr)
	ctx := t.Context()
	const k = "junk:ns:k"
	if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := raw.Set(&memcache.Item{Key: genKey("junk:ns"), Value: []byte("junk")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, k); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get: %v, want a miss", err)
	}
	if err := s.Set(ctx, k, []byte("v"), time.Minute); !errors.Is(err, hoard.ErrCorrupt) {
		t.Fatalf("Set: %v, want ErrCorrupt", err)
	}
	if err := s.ClearNamespace(ctx, "junk:ns"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, k, []byte("v2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(ctx, k); err != nil || string(got) != "v2" {
		t.Fatalf("Get after reset = %q, %v", got, err)
	}
}

func TestClearNamespaceScope(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	ctx := t.Context()
	for _, ns := range []string{"", "nocolon", "a:b:c"} {
		if err := s.ClearNamespace(ctx, ns); !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("ClearNamespace(%q): %v, want ErrInvalidKey", ns, err)
		}
	}
	// Keys with fewer than two ':' have no namespace: no clear reaches them.
	kept := []string{"scope:ns", "scope"}
	for _, k := range append(kept, "scope:ns:x") {
		if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ClearNamespace(ctx, "scope:ns"); err != nil {
		t.Fatal(err)
	}
	for _, k := range kept {
		if _, err := s.Get(ctx, k); err != nil {
			t.Errorf("Get(%q) after clearing scope:ns: %v", k, err)
		}
	}
	if _, err := s.Get(ctx, "scope:ns:x"); !errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("Get(scope:ns:x) after clear: %v, want a miss", err)
	}
}

// countingClient counts the calls a Store makes to a real client: each
// call is one request per server it touches.
type countingClient struct {
	*memcache.Client
	mu    sync.Mutex
	calls map[string]int
}

func (c *countingClient) count(op string) {
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
}

func (c *countingClient) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.calls
	c.calls = map[string]int{}
	return calls
}

func (c *countingClient) Get(key string) (*memcache.Item, error) {
	c.count("Get")
	return c.Client.Get(key)
}

func (c *countingClient) GetMulti(keys []string) (map[string]*memcache.Item, error) {
	c.count("GetMulti")
	return c.Client.GetMulti(keys)
}

func (c *countingClient) Set(it *memcache.Item) error { c.count("Set"); return c.Client.Set(it) }

func (c *countingClient) Add(it *memcache.Item) error { c.count("Add"); return c.Client.Add(it) }

// TestRoundTrips pins the cost of each operation in client calls.
func TestRoundTrips(t *testing.T) {
	srv := testserver.Memcached(t)
	cc := &countingClient{Client: rawClient(t, srv.Addr), calls: map[string]int{}}
	s, err := NewFromClient(cc, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	step := func(name string, want map[string]int, fn func() error) {
		t.Helper()
		cc.reset()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := cc.reset()
		if len(got) != len(want) {
			t.Fatalf("%s made calls %v, want %v", name, got, want)
		}
		for op, n := range want {
			if got[op] != n {
				t.Fatalf("%s made calls %v, want %v", name, got, want)
			}
		}
	}
	step("first Set in a namespace", map[string]int{"Get": 1, "Add": 1, "Set": 1}, func() error {
		return s.Set(ctx, "rt:ns:a", []byte("v"), time.Minute)
	})
	step("Set", map[string]int{"Get": 1, "Set": 1}, func() error {
		return s.Set(ctx, "rt:ns:b", []byte("v"), time.Minute)
	})
	step("Get hit", map[string]int{"GetMulti": 1}, func() error {
		_, err := s.Get(ctx, "rt:ns:a")
		return err
	})
	step("Get miss", map[string]int{"GetMulti": 1}, func() error {
		if _, err := s.Get(ctx, "rt:ns:missing"); !errors.Is(err, hoard.ErrNotFound) {
			return err
		}
		return nil
	})
	step("Get without a namespace", map[string]int{"Get": 1}, func() error {
		if _, err := s.Get(ctx, "plain"); !errors.Is(err, hoard.ErrNotFound) {
			return err
		}
		return nil
	})
	// Close leaves a client the caller owns usable.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cc.Client.Get(ItemKey("rt:ns:a")); err != nil {
		t.Fatalf("the caller's client after Store.Close: %v", err)
	}
}
