package hoard_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

func TestNewOptions(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	tests := []struct {
		name    string
		backend hoard.Backend
		opts    []hoard.Option
		ok      bool
	}{
		{"defaults", store, nil, true},
		{"all valid", store, []hoard.Option{
			hoard.WithPrefix("app"), hoard.WithNamespace("users"), hoard.WithDefaultTTL(time.Hour),
			hoard.WithCodec(hoard.Gob), hoard.WithTimeout(time.Second), hoard.WithObserver(&eventLog{}),
			hoard.WithLogger(nil), hoard.WithClock(time.Now), hoard.WithCircuitBreaker(3, time.Minute),
		}, true},
		{"empty prefix", store, []hoard.Option{hoard.WithPrefix("")}, true},
		{"longest prefix", store, []hoard.Option{hoard.WithPrefix(strings.Repeat("p", 64))}, true},
		{"longest namespace", store, []hoard.Option{hoard.WithNamespace(strings.Repeat("n", 128))}, true},
		{"no expiry default", store, []hoard.Option{hoard.WithDefaultTTL(hoard.NoExpiry)}, true},
		{"no timeout", store, []hoard.Option{hoard.WithTimeout(0)}, true},
		{"breaker disabled", store, []hoard.Option{hoard.WithCircuitBreaker(0, 0)}, true},

		{"nil backend", nil, nil, false},
		{"nil option", store, []hoard.Option{nil}, false},
		{"prefix with colon", store, []hoard.Option{hoard.WithPrefix("a:b")}, false},
		{"prefix with space", store, []hoard.Option{hoard.WithPrefix("a b")}, false},
		{"prefix non-ASCII", store, []hoard.Option{hoard.WithPrefix("café")}, false},
		{"prefix too long", store, []hoard.Option{hoard.WithPrefix(strings.Repeat("p", 65))}, false},
		{"namespace with colon", store, []hoard.Option{hoard.WithNamespace("a:b")}, false},
		{"namespace with newline", store, []hoard.Option{hoard.WithNamespace("a\nb")}, false},
		{"namespace too long", store, []hoard.Option{hoard.WithNamespace(strings.Repeat("n", 129))}, false},
		{"negative TTL", store, []hoard.Option{hoard.WithDefaultTTL(-time.Second)}, false},
		{"nil codec", store, []hoard.Option{hoard.WithCodec(nil)}, false},
		{"negative timeout", store, []hoard.Option{hoard.WithTimeout(-time.Millisecond)}, false},
		{"timeout over an hour", store, []hoard.Option{hoard.WithTimeout(2 * time.Hour)}, false},
		{"nil clock", store, []hoard.Option{hoard.WithClock(nil)}, false},
		{"negative breaker failures", store, []hoard.Option{hoard.WithCircuitBreaker(-1, time.Second)}, false},
		{"zero breaker cool-down", store, []hoard.Option{hoard.WithCircuitBreaker(3, 0)}, false},
		{"negative breaker cool-down", store, []hoard.Option{hoard.WithCircuitBreaker(3, -time.Second)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := hoard.New(tc.backend, tc.opts...)
			if tc.ok {
				if err != nil || c == nil {
					t.Fatalf("New = %v, %v; want a Cache", c, err)
				}
				return
			}
			if !errors.Is(err, hoard.ErrInvalidOption) {
				t.Fatalf("New error = %v, want ErrInvalidOption", err)
			}
			if c != nil {
				t.Fatal("New returned a Cache with an error")
			}
		})
	}
}

func TestGetSetDelete(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	tests := []struct {
		name  string
		key   string
		value []byte
	}{
		{"simple", "k", []byte("v")},
		{"empty value", "empty", []byte{}},
		{"nil value", "nil", nil},
		{"binary", "bin", []byte{0, 1, 2, 0xff}},
		{"1 MiB", "big", bytes.Repeat([]byte("x"), 1<<20)},
		{"key with spaces", "user 42", []byte("hashed key")},
		{"long key", strings.Repeat("k", 1000), []byte("hashed key")},
		{"key with colons", "a:b:c", []byte("verbatim key")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := c.Get(ctx, tc.key); !errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("Get before Set = %v, want ErrNotFound", err)
			}
			if err := c.Set(ctx, tc.key, tc.value, time.Minute); err != nil {
				t.Fatal(err)
			}
			got, err := c.Get(ctx, tc.key)
			if err != nil || !bytes.Equal(got, tc.value) {
				t.Fatalf("Get = %d bytes, %v; want %d bytes", len(got), err, len(tc.value))
			}
			if err := c.Delete(ctx, tc.key); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Get(ctx, tc.key); !errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
			}
			if err := c.Delete(ctx, tc.key); err != nil {
				t.Fatalf("Delete of a missing key = %v, want nil", err)
			}
		})
	}
}

func TestGetSetCopies(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	v := []byte("original")
	if err := c.Set(ctx, "k", v, 0); err != nil {
		t.Fatal(err)
	}
	copy(v, "XXXXXXXX") // the caller may reuse its slice after Set
	got, err := c.Get(ctx, "k")
	if err != nil || string(got) != "original" {
		t.Fatalf("Get = %q, %v; want original", got, err)
	}
	copy(got, "YYYYYYYY") // the returned slice is the caller's
	if again, _ := c.Get(ctx, "k"); string(again) != "original" {
		t.Fatalf("Get after changing a returned slice = %q", again)
	}
	if err := c.Set(ctx, "k", []byte("second"), 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get(ctx, "k"); string(got) != "second" {
		t.Fatalf("Get after overwrite = %q", got)
	}
}

func TestSetTooLarge(t *testing.T) {
	ctx := context.Background()
	store, err := memory.New(memory.Options{MaxBytes: 64 << 10}) // 8 KiB per value
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var log eventLog
	c, err := hoard.New(store, hoard.WithObserver(&log))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "k", make([]byte, 16<<10), 0); !errors.Is(err, hoard.ErrTooLarge) {
		t.Fatalf("Set of a value over the backend's limit = %v, want ErrTooLarge", err)
	}
	// Remember still returns the value it could not cache, and the
	// observer hears why it was not cached.
	log.reset()
	v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (string, error) { return strings.Repeat("x", 16<<10), nil })
	if err != nil || len(v) != 16<<10 {
		t.Fatalf("Remember = %d bytes, %v", len(v), err)
	}
	if ev, ok := log.find(hoard.EventError, "set"); !ok || !errors.Is(ev.Err, hoard.ErrTooLarge) {
		t.Fatalf("events %+v, want an error event wrapping ErrTooLarge", log.all())
	}
}

// TestNegativeTTL: only NoExpiry is a valid negative TTL; any other would
// have been stored forever.
func TestNegativeTTL(t *testing.T) {
	ctx := context.Background()
	c, store := newMemoryCache(t)
	load := func(context.Context) (int, error) { t.Error("loader ran for an invalid TTL"); return 1, nil }
	checks := map[string]error{}
	checks["Set"] = c.Set(ctx, "k", []byte("v"), -time.Second)
	checks["SetValue"] = hoard.SetValue(ctx, c, "k", 1, -2)
	_, checks["Remember"] = hoard.Remember(ctx, c, "k", -time.Hour, load)
	for op, err := range checks {
		if !errors.Is(err, hoard.ErrInvalidOption) {
			t.Errorf("%s with a negative TTL = %v, want ErrInvalidOption", op, err)
		}
	}
	if n := store.Len(); n != 0 {
		t.Fatalf("%d entries stored with a negative TTL", n)
	}
	if err := c.Set(ctx, "k", []byte("v"), hoard.NoExpiry); err != nil {
		t.Fatalf("Set with NoExpiry = %v", err)
	}
}

// TestCorruptEntryIsMiss plants bytes that are not a valid entry under a
// live key: the cache must report a miss, never an error or a wrong value,
// and the next store must replace them.
func TestCorruptEntryIsMiss(t *testing.T) {
	ctx := context.Background()
	plant := func(valid []byte) map[string][]byte {
		flipped := bytes.Clone(valid)
		flipped[len(flipped)/2] ^= 0x10
		future := bytes.Clone(valid)
		future[1]++
		return map[string][]byte{
			"junk":        []byte("definitely not an entry"),
			"empty":       {},
			"truncated":   valid[:len(valid)-1],
			"bit flipped": flipped,
			"future":      future,
			"json":        []byte(`"original"`),
		}
	}
	c0, store0 := newMemoryCache(t)
	if err := c0.Set(ctx, "k", []byte("original"), 0); err != nil {
		t.Fatal(err)
	}
	valid, err := store0.Get(ctx, c0.Key("k"))
	if err != nil {
		t.Fatal(err)
	}
	for name, junk := range plant(bytes.Clone(valid)) {
		t.Run(name, func(t *testing.T) {
			var log eventLog
			c, store := newMemoryCache(t, hoard.WithObserver(&log))
			if err := c.Set(ctx, "k", []byte("original"), 0); err != nil {
				t.Fatal(err)
			}
			if err := store.Set(ctx, c.Key("k"), junk, 0); err != nil {
				t.Fatal(err)
			}
			log.reset()
			got, err := c.Get(ctx, "k")
			if !errors.Is(err, hoard.ErrNotFound) || !errors.Is(err, hoard.ErrCorrupt) {
				t.Fatalf("Get of a corrupt entry = %q, %v; want ErrNotFound wrapping ErrCorrupt", got, err)
			}
			ev, ok := log.find(hoard.EventError, "decode")
			if !ok || !errors.Is(ev.Err, hoard.ErrCorrupt) || ev.Key != c.Key("k") {
				t.Fatalf("events %+v, want an error event for the corrupt entry", log.all())
			}
			if _, ok := log.find(hoard.EventMiss, "get"); !ok {
				t.Fatalf("events %+v, want a miss", log.all())
			}
			if _, err := hoard.GetValue[string](ctx, c, "k"); !errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("GetValue of a corrupt entry = %v, want ErrNotFound", err)
			}
			// Remember treats it as a miss and its store overwrites the junk.
			loads := 0
			v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (string, error) { loads++; return "loaded", nil })
			if err != nil || v != "loaded" || loads != 1 {
				t.Fatalf("Remember over a corrupt entry = %q, %v after %d loads", v, err, loads)
			}
			v, err = hoard.Remember(ctx, c, "k", 0, func(context.Context) (string, error) { loads++; return "again", nil })
			if err != nil || v != "loaded" || loads != 1 {
				t.Fatalf("Remember after the overwrite = %q, %v after %d loads; want a hit", v, err, loads)
			}
			if err := c.Set(ctx, "k", []byte("fresh"), 0); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Get(ctx, "k"); err != nil || string(got) != "fresh" {
				t.Fatalf("Get after Set over a corrupt entry = %q, %v", got, err)
			}
		})
	}
}

// TestEntryOfAnotherKeyIsMiss copies one key's bytes under another, as a
// hashed-key collision or a backend mix-up would: the entry carries its own
// key, so the copy is a miss.
func TestEntryOfAnotherKeyIsMiss(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	c, store := newMemoryCache(t, hoard.WithObserver(&log))
	for _, id := range []string{"a", "a b"} { // a verbatim and a hashed id
		if err := c.Set(ctx, id, []byte("value of "+id), 0); err != nil {
			t.Fatal(err)
		}
		raw, err := store.Get(ctx, c.Key(id))
		if err != nil {
			t.Fatal(err)
		}
		other := id + "-other"
		if err := store.Set(ctx, c.Key(other), raw, 0); err != nil {
			t.Fatal(err)
		}
		log.reset()
		if got, err := c.Get(ctx, other); !errors.Is(err, hoard.ErrNotFound) {
			t.Fatalf("Get(%q) holding %q's entry = %q, %v; want a miss", other, id, got, err)
		}
		if ev, ok := log.find(hoard.EventError, "decode"); !ok || !errors.Is(ev.Err, hoard.ErrCorrupt) {
			t.Fatalf("events %+v, want a decode error", log.all())
		}
		v, err := hoard.Remember(ctx, c, other, 0, func(context.Context) ([]byte, error) { return []byte("own"), nil }, hoard.WithCodec(hoard.Raw))
		if err != nil || string(v) != "own" {
			t.Fatalf("Remember(%q) = %q, %v; want its own value", other, v, err)
		}
		if got, err := c.Get(ctx, id); err != nil || string(got) != "value of "+id {
			t.Fatalf("Get(%q) = %q, %v", id, got, err)
		}
	}
	// A namespace view reading another namespace's entry is a miss too.
	users, posts := c.Namespace("users"), c.Namespace("posts")
	if err := users.Set(ctx, "1", []byte("user"), 0); err != nil {
		t.Fatal(err)
	}
	raw, _ := store.Get(ctx, users.Key("1"))
	_ = store.Set(ctx, posts.Key("1"), raw, 0)
	if _, err := posts.Get(ctx, "1"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get of another namespace's entry = %v, want a miss", err)
	}
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	c, _ := newMemoryCache(t, hoard.WithClock(clk.Now), hoard.WithDefaultTTL(10*time.Second))
	if err := c.Set(ctx, "minute", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "default", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "forever", []byte("v"), hoard.NoExpiry); err != nil {
		t.Fatal(err)
	}
	alive := func(key string) bool {
		_, err := c.Get(ctx, key)
		if err != nil && !errors.Is(err, hoard.ErrNotFound) {
			t.Fatalf("Get(%q) = %v", key, err)
		}
		return err == nil
	}
	steps := []struct {
		advance                   time.Duration
		minute, defaultTTL, never bool
	}{
		{0, true, true, true},
		{10*time.Second - 1, true, true, true},
		{1, true, false, true}, // expiry is exclusive: at created+ttl it is gone
		{50*time.Second - 1, true, false, true},
		{1, false, false, true},
		{100 * 365 * 24 * time.Hour, false, false, true},
	}
	var elapsed time.Duration
	for _, s := range steps {
		clk.Advance(s.advance)
		elapsed += s.advance
		if got := alive("minute"); got != s.minute {
			t.Errorf("after %v: 1-minute entry alive = %v", elapsed, got)
		}
		if got := alive("default"); got != s.defaultTTL {
			t.Errorf("after %v: default-TTL (10s) entry alive = %v", elapsed, got)
		}
		if got := alive("forever"); got != s.never {
			t.Errorf("after %v: NoExpiry entry alive = %v", elapsed, got)
		}
	}
	// Remember reloads an expired entry.
	loads := 0
	load := func(context.Context) (int, error) { loads++; return loads, nil }
	if v, _ := hoard.Remember(ctx, c, "r", time.Second, load); v != 1 {
		t.Fatalf("first Remember = %d", v)
	}
	if v, _ := hoard.Remember(ctx, c, "r", time.Second, load); v != 1 {
		t.Fatalf("Remember before expiry = %d, want the cached 1", v)
	}
	clk.Advance(time.Second)
	if v, _ := hoard.Remember(ctx, c, "r", time.Second, load); v != 2 {
		t.Fatalf("Remember after expiry = %d, want a reload", v)
	}
}

func TestDefaultTTLNoExpiry(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	c, _ := newMemoryCache(t, hoard.WithClock(clk.Now), hoard.WithDefaultTTL(hoard.NoExpiry))
	if err := c.Set(ctx, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	clk.Advance(100 * 365 * 24 * time.Hour)
	if _, err := c.Get(ctx, "k"); err != nil {
		t.Fatalf("Get of a NoExpiry entry after a century = %v", err)
	}
}

func TestNamespaces(t *testing.T) {
	ctx := context.Background()
	c, store := newMemoryCache(t, hoard.WithPrefix("app"))
	other, err := hoard.New(store, hoard.WithPrefix("other"))
	if err != nil {
		t.Fatal(err)
	}
	views := map[string]*hoard.Cache{
		"":       c,
		"users":  c.Namespace("users"),
		"usersx": c.Namespace("usersx"), // shares "users" as a string prefix
		"posts":  c.Namespace("posts"),
	}
	if got := views["users"].Key("42"); got != "app:users:42" {
		t.Fatalf("Key = %q, want app:users:42", got)
	}
	if got := c.Key("42"); got != "app::42" {
		t.Fatalf("Key in the default namespace = %q, want app::42", got)
	}
	for ns, v := range views {
		if err := v.Set(ctx, "id", []byte(ns), 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Namespace("users").Set(ctx, "id", []byte("other users"), 0); err != nil {
		t.Fatal(err)
	}
	// Each view sees only its own entry.
	for ns, v := range views {
		if got, err := v.Get(ctx, "id"); err != nil || string(got) != ns {
			t.Fatalf("namespace %q: Get = %q, %v", ns, got, err)
		}
	}

	if err := c.ClearNamespace(ctx, "users"); err != nil {
		t.Fatal(err)
	}
	if _, err := views["users"].Get(ctx, "id"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get after Clear(users) = %v, want ErrNotFound", err)
	}
	for _, ns := range []string{"", "usersx", "posts"} {
		if got, err := views[ns].Get(ctx, "id"); err != nil || string(got) != ns {
			t.Errorf("namespace %q after Clear(users): Get = %q, %v; want it kept", ns, got, err)
		}
	}
	if got, err := other.Namespace("users").Get(ctx, "id"); err != nil || string(got) != "other users" {
		t.Errorf("another prefix's namespace after Clear(users): Get = %q, %v; want it kept", got, err)
	}
	// Clearing the default namespace leaves the named ones.
	if err := c.ClearNamespace(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "id"); !errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("Get after Clear(\"\") = %v, want ErrNotFound", err)
	}
	// A view's Clear clears its own namespace, never another.
	if err := views["usersx"].Clear(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := views["usersx"].Get(ctx, "id"); !errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("Get after the usersx view's Clear = %v, want ErrNotFound", err)
	}
	if _, err := views["posts"].Get(ctx, "id"); err != nil {
		t.Errorf("posts after Clear(\"\") = %v, want kept", err)
	}
}

func TestInvalidNamespace(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	bad := c.Namespace("a b")
	load := func(context.Context) (int, error) { t.Fatal("loader ran for an invalid namespace"); return 0, nil }
	checks := map[string]error{}
	_, checks["Get"] = bad.Get(ctx, "k")
	checks["Set"] = bad.Set(ctx, "k", nil, 0)
	checks["Delete"] = bad.Delete(ctx, "k")
	_, checks["GetValue"] = hoard.GetValue[int](ctx, bad, "k")
	checks["SetValue"] = hoard.SetValue(ctx, bad, "k", 1, 0)
	_, checks["Remember"] = hoard.Remember(ctx, bad, "k", 0, load)
	_, checks["Wrap"] = hoard.Wrap(bad, "f", 0, func(context.Context, int) (int, error) { return 0, nil })
	checks["ClearNamespace"] = c.ClearNamespace(ctx, "a:b")
	for op, err := range checks {
		if !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("%s = %v, want ErrInvalidKey", op, err)
		}
	}
}

// plainBackend hides the memory store's optional interfaces.
type plainBackend struct{ hoard.Backend }

func TestClearUnsupported(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c, err := hoard.New(plainBackend{store})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ClearNamespace(context.Background(), "users"); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Clear on a backend without NamespaceClearer = %v, want ErrUnsupported", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close of a backend without Close = %v", err)
	}
}

func TestClose(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	c, store := newMemoryCache(t, hoard.WithObserver(&log), hoard.WithLogger(nil))
	if c.Backend() != store {
		t.Fatal("Backend() is not the store given to New")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Set(ctx, "k", nil, 0); !errors.Is(err, hoard.ErrClosed) {
		t.Fatalf("Set after Close = %v, want ErrClosed", err)
	}
	if _, err := c.Get(ctx, "k"); !errors.Is(err, hoard.ErrClosed) || errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get after Close = %v, want ErrClosed and not a plain miss", err)
	}
	// The function cache fails open.
	v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("Remember after Close = %d, %v; want the loader's result", v, err)
	}
	for _, op := range []string{"get", "set"} {
		if ev, ok := log.find(hoard.EventError, op); !ok || !errors.Is(ev.Err, hoard.ErrClosed) {
			t.Errorf("events %+v, want a %s error wrapping ErrClosed", log.all(), op)
		}
	}
}

func TestObserverEvents(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	c, store := newMemoryCache(t, hoard.WithObserver(&log))
	key := c.Key("k")
	steps := []struct {
		name string
		do   func()
		want []hoard.EventKind
	}{
		{"miss", func() { _, _ = c.Get(ctx, "k") }, []hoard.EventKind{hoard.EventMiss}},
		{"store", func() { _ = c.Set(ctx, "k", []byte("v"), 0) }, []hoard.EventKind{hoard.EventStore}},
		{"hit", func() { _, _ = c.Get(ctx, "k") }, []hoard.EventKind{hoard.EventHit}},
		{"corrupt", func() { _ = store.Set(ctx, key, []byte("junk"), 0); _, _ = c.Get(ctx, "k") }, []hoard.EventKind{hoard.EventError, hoard.EventMiss}},
		{"remember miss", func() {
			_, _ = hoard.Remember(ctx, c, "k", 0, func(context.Context) (string, error) { return "x", nil })
		}, []hoard.EventKind{hoard.EventError, hoard.EventMiss, hoard.EventStore}},
		{"remember hit", func() {
			_, _ = hoard.Remember(ctx, c, "k", 0, func(context.Context) (string, error) { return "y", nil })
		}, []hoard.EventKind{hoard.EventHit}},
		{"loader error", func() {
			_, _ = hoard.Remember(ctx, c, "failing", 0, func(context.Context) (string, error) { return "", errors.New("boom") })
		}, []hoard.EventKind{hoard.EventMiss, hoard.EventError}},
		{"unencodable result", func() {
			_, _ = hoard.Remember(ctx, c, "chan", 0, func(context.Context) (chan int, error) { return make(chan int), nil })
		}, []hoard.EventKind{hoard.EventMiss, hoard.EventError}},
	}
	for _, s := range steps {
		log.reset()
		s.do()
		if got := log.kinds(); !slices.Equal(got, s.want) {
			t.Errorf("%s: events %v, want %v", s.name, got, s.want)
		}
		for _, ev := range log.all() {
			if ev.Key == "" || !strings.HasPrefix(ev.Key, "hoard::") {
				t.Errorf("%s: event %+v without its backend key", s.name, ev)
			}
			if ev.Kind == hoard.EventError && ev.Err == nil {
				t.Errorf("%s: error event %+v without Err", s.name, ev)
			}
		}
	}
	if ev, ok := log.find(hoard.EventError, "encode"); !ok || ev.Err == nil {
		t.Errorf("unencodable result: events %+v, want an encode error", log.all())
	}
}

func TestEventKindString(t *testing.T) {
	want := map[hoard.EventKind]string{
		hoard.EventHit: "hit", hoard.EventMiss: "miss", hoard.EventStore: "store", hoard.EventError: "error",
		hoard.EventBypass: "bypass", hoard.EventBreakerOpen: "breaker_open", hoard.EventBreakerClose: "breaker_close",
		0: "unknown", 200: "unknown",
	}
	for k, s := range want {
		if got := k.String(); got != s {
			t.Errorf("EventKind(%d).String() = %q, want %q", k, got, s)
		}
	}
}
