package backendtest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// MultiGetCase is a key asked of GetMulti, and whether it is a hit.
type MultiGetCase struct {
	Key string
	Hit bool
}

// CheckMultiGet checks got, what b's GetMulti returned for cases' keys in
// order: one value per key, for each key what b.Get returns (nil where Get
// misses), and a value exactly where the case is a hit. The suite checks
// the keys every backend takes with it; a backend's own tests can check
// the keys only it takes (no namespace, over [hoard.MaxKeyLen]) or reads
// specially.
func CheckMultiGet(t *testing.T, b hoard.Backend, cases []MultiGetCase, got [][]byte) {
	t.Helper()
	if len(got) != len(cases) {
		t.Fatalf("%d values for %d keys", len(got), len(cases))
	}
	for i, c := range cases {
		want, err := b.Get(t.Context(), c.Key)
		switch {
		case errors.Is(err, hoard.ErrNotFound):
			if got[i] != nil {
				t.Errorf("key %d (%q): %q, want nil as Get misses", i, c.Key, got[i])
			}
		case err != nil:
			t.Fatalf("Get(%q): %v", c.Key, err)
		case got[i] == nil || !bytes.Equal(got[i], want):
			t.Errorf("key %d (%q): %q (nil %v), want Get's %q", i, c.Key, got[i], got[i] == nil, want)
		}
		if (got[i] != nil) != c.Hit {
			t.Errorf("key %d (%q): hit %v, want %v", i, c.Key, got[i] != nil, c.Hit)
		}
	}
}

// multiGet: a backend that reads several keys at once returns for each
// key what Get returns, in order, nil where Get misses: hits, an empty
// value, absent and expired keys, another namespace, a cleared namespace,
// the Cache's tag state keys, a key of [hoard.MaxKeyLen] bytes, duplicates;
// and 300 keys over several namespaces (Redis Cluster: hash slots;
// DynamoDB: more than one BatchGetItem).
func (s *suite) multiGet(t *testing.T) {
	e := s.env(t)
	mg, ok := e.b.(hoard.MultiGetter)
	if !ok {
		t.Skip("the backend reads one key at a time")
	}
	// Set first: it expires while the others are written.
	expired := e.key("users", "expired")
	e.set(expired, []byte("expired"), s.cfg.ttlResolution)

	hit, missing := e.key("users", "1"), e.key("users", "missing")
	long := e.key("users", strings.Repeat("long-id-", hoard.MaxKeyLen)[:hoard.MaxKeyLen-len(e.prefix)-len(":users:")])
	if len(long) != hoard.MaxKeyLen {
		t.Fatalf("long key is %d bytes, want %d", len(long), hoard.MaxKeyLen)
	}
	cases := []MultiGetCase{
		{hit, true},
		{e.key("users", "empty"), true},
		{missing, false},
		{e.key("orders", "1"), true}, // no TTL
		{expired, false},
		{long, true},
		{e.key("_tags", "*/product:1"), true},
		{e.key("_tags", "users/product:1"), true},
		{e.key("_tags", "*/never"), false},
	}
	e.set(hit, []byte("one"), time.Minute)
	e.set(e.key("users", "empty"), []byte{}, time.Minute)
	e.set(e.key("orders", "1"), []byte("order"), 0)
	e.set(long, []byte("long"), time.Minute)
	e.set(e.key("_tags", "*/product:1"), []byte("0123456789abcdef"), 0)
	e.set(e.key("_tags", "users/product:1"), []byte("fedcba9876543210"), 0)
	if nc, ok := e.b.(hoard.NamespaceClearer); ok {
		cleared := e.key("gone", "1")
		e.set(cleared, []byte("cleared"), time.Minute)
		ns, _ := hoard.KeyNamespace(cleared)
		if err := nc.ClearNamespace(e.ctx, ns); err != nil {
			t.Fatalf("ClearNamespace(%q): %v", ns, err)
		}
		cases = append(cases, MultiGetCase{cleared, false})
	}
	cases = append(cases, MultiGetCase{hit, true}, MultiGetCase{missing, false}) // duplicates
	s.waitExpired(e, expired)

	keys := make([]string, len(cases))
	for i, c := range cases {
		keys[i] = c.Key
	}
	got, err := mg.GetMulti(e.ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	CheckMultiGet(t, e.b, cases, got)

	// Many keys over every shard of several namespaces.
	keys = keys[:0]
	for i := range 300 {
		k := e.key(fmt.Sprint("many", i%5), fmt.Sprint(i))
		keys = append(keys, k)
		if i%4 != 0 {
			e.set(k, []byte(fmt.Sprint("v", i)), time.Minute)
		}
	}
	got, err = mg.GetMulti(e.ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(keys) {
		t.Fatalf("%d values for %d keys", len(got), len(keys))
	}
	for i, v := range got {
		if want := fmt.Sprint("v", i); (i%4 == 0 && v != nil) || (i%4 != 0 && string(v) != want) {
			t.Errorf("many key %d: %q", i, v)
		}
	}

	if got, err := mg.GetMulti(e.ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("GetMulti of no keys: %v, %v", got, err)
	}
}

// waitExpired moves the clock past key's TTL (s.cfg.ttlResolution), or
// waits until the server says it has expired.
func (s *suite) waitExpired(e *env, key string) {
	e.t.Helper()
	ttl := s.cfg.ttlResolution
	if s.cfg.advance != nil {
		s.cfg.advance(2*ttl + time.Second)
		return
	}
	for deadline := time.Now().Add(3*ttl + 2*time.Second); ; time.Sleep(ttl / 4) {
		_, err := e.b.Get(e.ctx, key)
		if errors.Is(err, hoard.ErrNotFound) {
			return
		}
		if err != nil {
			e.t.Fatalf("Get(%q) waiting for it to expire: %v", key, err)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("key with TTL %v still present after %v", ttl, 3*ttl+2*time.Second)
		}
	}
}
