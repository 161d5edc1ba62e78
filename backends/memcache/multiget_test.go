package hoardmemcache

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
	"github.com/hoard-go/hoard/core/testserver"
)

// TestGetMulti checks that GetMulti reads the keys memcached needs
// handled specially as Get does, on one server and on two (where an item
// and its generation often live apart): keys without a namespace, hashed
// keys, lost generations, foreign items, hash collisions, and many long
// keys at once. The keys every backend takes (empty values, absent keys,
// cleared namespaces, tag state keys, duplicates) are the conformance
// suite's MultiGet.
func TestGetMulti(t *testing.T) {
	a, b := testserver.Memcached(t), testserver.Memcached(t)
	for _, tc := range []struct {
		name  string
		addrs []string
	}{
		{"one server", []string{a.Addr}},
		{"two servers", []string{a.Addr, b.Addr}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t, tc.addrs...)
			raw := rawClient(t, tc.addrs...)
			ctx := t.Context()
			set := func(k, v string) {
				t.Helper()
				if err := s.Set(ctx, k, []byte(v), time.Minute); err != nil {
					t.Fatalf("Set(%q): %v", k, err)
				}
			}
			keys := []backendtest.MultiGetCase{
				{Key: "mg:users:1", Hit: true},
				{Key: "plain", Hit: true},                                      // no namespace
				{Key: "mg:users:" + strings.Repeat("long", 100), Hit: true},    // hashed: too long
				{Key: "mg:users:with space\n", Hit: true},                      // hashed: not printable
				{Key: "~reserved", Hit: true},                                  // hashed: reserved marker, no namespace
				{Key: "mg:lost:1", Hit: false},                                 // generation evicted
				{Key: "mg:users:foreign", Hit: false},                          // not this backend's item
				{Key: "mg:users:second key", Hit: false},                       // another key's item (collision)
				{Key: "mg:users:first key", Hit: true},                         // the item that was copied
				{Key: hoard.JoinKey("mg", "users", "ünïcödé/ключ"), Hit: true}, // JoinKey hashed the id
				{Key: "mg:users:" + strings.Repeat("long", 100), Hit: true},    // duplicate of a hashed key
			}
			for _, k := range keys {
				if k.Hit || k.Key == "mg:lost:1" {
					set(k.Key, "value of "+k.Key)
				}
			}
			if err := raw.Delete(genKey("mg:lost")); err != nil {
				t.Fatal(err)
			}
			if err := raw.Set(&memcache.Item{Key: "mg:users:foreign", Value: []byte("plain text")}); err != nil {
				t.Fatal(err)
			}
			it, err := raw.Get(ItemKey("mg:users:first key"))
			if err != nil {
				t.Fatal(err)
			}
			it.Key = ItemKey("mg:users:second key")
			if err := raw.Set(it); err != nil {
				t.Fatal(err)
			}

			list := make([]string, len(keys))
			for i, k := range keys {
				list[i] = k.Key
			}
			got, err := s.GetMulti(ctx, list)
			if err != nil {
				t.Fatal(err)
			}
			backendtest.CheckMultiGet(t, s, keys, got)

			// Many long keys in several namespaces: one gets line per
			// server of some 60 KB.
			var many []string
			for i := range 300 {
				k := fmt.Sprintf("mg:many%d:%s%d", i%5, strings.Repeat("x", 200), i)
				many = append(many, k)
				if i%4 != 0 {
					set(k, fmt.Sprint("v", i))
				}
			}
			got, err = s.GetMulti(ctx, many)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if want := fmt.Sprint("v", i); (i%4 == 0 && v != nil) || (i%4 != 0 && string(v) != want) {
					t.Errorf("many key %d: %q", i, v)
				}
			}
		})
	}
}

// TestGetMultiRoundTrips: GetMulti is one client GetMulti of each item
// and each generation once (one round trip per server), and nothing for
// no keys.
func TestGetMultiRoundTrips(t *testing.T) {
	srv := testserver.Memcached(t)
	cc := &recordingClient{countingClient: countingClient{Client: rawClient(t, srv.Addr), calls: map[string]int{}}}
	s, err := NewFromClient(cc, ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	keys := []string{"rt:a:1", "rt:a:2", "rt:b:1", "plain", "rt:a:1", "rt:a:" + strings.Repeat("z", 300)}
	for _, k := range keys {
		if err := s.Set(ctx, k, []byte(k), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	cc.reset()
	got, err := s.GetMulti(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range got {
		if string(v) != keys[i] {
			t.Errorf("key %d: %q, want %q", i, v, keys[i])
		}
	}
	if calls := cc.reset(); len(calls) != 1 || calls["GetMulti"] != 1 {
		t.Errorf("GetMulti made calls %v, want one client GetMulti", calls)
	}
	want := []string{"rt:a:1", genKey("rt:a"), "rt:a:2", "rt:b:1", genKey("rt:b"), "plain", ItemKey(keys[5])}
	if !slices.Equal(cc.last, want) {
		t.Errorf("fetched %q, want %q: each item and generation once", cc.last, want)
	}
	if got, err := s.GetMulti(ctx, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("GetMulti(nil) = %v (nil %v), %v; want an empty slice", got, got == nil, err)
	}
	if calls := cc.reset(); len(calls) != 0 {
		t.Errorf("GetMulti(nil) made calls %v", calls)
	}
}

// recordingClient is a countingClient that also keeps the keys of the
// last GetMulti.
type recordingClient struct {
	countingClient
	mu   sync.Mutex
	last []string
}

func (c *recordingClient) GetMulti(keys []string) (map[string]*memcache.Item, error) {
	c.mu.Lock()
	c.last = slices.Clone(keys)
	c.mu.Unlock()
	return c.countingClient.GetMulti(keys)
}

// TestGetMultiErrors: a closed store, a done context and a dead server
// fail the call as they fail Get.
func TestGetMultiErrors(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	keys := []string{"er:a:1", "er:b:2"}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.GetMulti(ctx, keys); !errors.Is(err, context.Canceled) {
		t.Errorf("GetMulti with a cancelled context: %v, want context.Canceled", err)
	}
	_ = s.Close()
	for _, ks := range [][]string{keys, nil} {
		if _, err := s.GetMulti(t.Context(), ks); !errors.Is(err, hoard.ErrClosed) {
			t.Errorf("GetMulti of %d keys after Close: %v, want ErrClosed", len(ks), err)
		}
	}

	// A server that refuses connections: a failure, not a miss, even when
	// the other server answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	_ = l.Close()
	s = newTestStore(t, srv.Addr, dead)
	var spread []string
	for i := range 20 {
		spread = append(spread, fmt.Sprintf("er:ns%d:%d", i, i))
	}
	if _, err := s.GetMulti(t.Context(), spread); err == nil || errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("GetMulti with a server down: %v, want a failure", err)
	}
}
