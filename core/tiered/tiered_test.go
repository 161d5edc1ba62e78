package tiered_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"
	"github.com/hoard-go/hoard/core/tiered"
)

// hub is an in-process Bus shared by the Stores of a test, as Redis
// pub/sub is by processes: Publish delivers to every subscriber at once.
type hub struct {
	mu   sync.Mutex
	subs map[*subscriber]bool
}

type subscriber struct {
	deliver func(tiered.Message)
	up      func(bool)
}

func newHub() *hub { return &hub{subs: map[*subscriber]bool{}} }

func (h *hub) Publish(_ context.Context, m tiered.Message) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.deliver(m)
	}
	return nil
}

func (h *hub) Run(ctx context.Context, deliver func(tiered.Message), up func(bool)) {
	s := &subscriber{deliver: deliver, up: up}
	h.mu.Lock()
	h.subs[s] = true
	h.mu.Unlock()
	up(true)
	<-ctx.Done()
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// setUp reports every subscriber's channel as lost or back.
func (h *hub) setUp(up bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.up(up)
	}
}

// clock is a manual clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// shared is a remote backend two Stores share, and the Stores.
func shared(t *testing.T, bus tiered.Bus, clk *clock) (remote *memory.Store, a, b *tiered.Store) {
	t.Helper()
	var err error
	remote, err = memory.New(memory.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = remote.Close() })
	for _, s := range []**tiered.Store{&a, &b} {
		*s, err = tiered.New(t.Context(), tiered.Options{Remote: nopCloser{remote}, Bus: bus, MaxAge: 5 * time.Second, Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		st := *s
		t.Cleanup(func() { _ = st.Close() })
	}
	waitUp(t, a)
	waitUp(t, b)
	return remote, a, b
}

// nopCloser keeps a Store's Close from closing the shared remote.
type nopCloser struct{ *memory.Store }

func (nopCloser) Close() error { return nil }

func waitUp(t *testing.T, s *tiered.Store) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !s.Stats().BusUp; {
		if time.Now().After(deadline) {
			t.Fatal("the bus never came up")
		}
		time.Sleep(time.Millisecond)
	}
}

func newClock() *clock { return &clock{t: time.Unix(1_700_000_000, 0)} }

func get(t *testing.T, s *tiered.Store, key string) string {
	t.Helper()
	v, err := s.Get(t.Context(), key)
	if errors.Is(err, hoard.ErrNotFound) {
		return "<miss>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// TestCoherent: a write, a delete and a namespace clear made by one Store
// reach the other's local tier, which answers reads after its first one.
func TestCoherent(t *testing.T) {
	ctx := t.Context()
	_, a, b := shared(t, newHub(), newClock())
	if err := a.Set(ctx, "p:ns:k", []byte("v1"), time.Hour); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if v := get(t, b, "p:ns:k"); v != "v1" {
			t.Fatalf("b reads %q, want v1", v)
		}
	}
	if st := b.Stats(); st.RemoteReads != 1 || st.LocalHits != 2 {
		t.Fatalf("b: %d remote reads, %d local hits; want 1, 2", st.RemoteReads, st.LocalHits)
	}
	steps := []struct {
		name string
		do   func() error
		want string
	}{
		{"write", func() error { return a.Set(ctx, "p:ns:k", []byte("v2"), time.Hour) }, "v2"},
		{"delete", func() error { return a.Delete(ctx, "p:ns:k") }, "<miss>"},
		{"clear", func() error {
			if err := a.Set(ctx, "p:ns:k", []byte("v3"), time.Hour); err != nil {
				return err
			}
			if get(t, b, "p:ns:k") != "v3" {
				return errors.New("b missed v3")
			}
			return a.ClearNamespace(ctx, "p:ns")
		}, "<miss>"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if v := get(t, b, "p:ns:k"); v != s.want {
			t.Fatalf("after a's %s, b reads %q, want %q", s.name, v, s.want)
		}
	}
}

// TestBusLost: while the bus is down the local tier is empty and unused;
// once back it is emptied again (it may have missed invalidations).
func TestBusLost(t *testing.T) {
	ctx := t.Context()
	h := newHub()
	remote, a, b := shared(t, h, newClock())
	_ = a.Set(ctx, "p:ns:k", []byte("v1"), time.Hour)
	get(t, b, "p:ns:k")
	h.setUp(false)
	// A change the bus would have carried: written behind b's back.
	_ = remote.Set(ctx, "p:ns:k", []byte("v2"), time.Hour)
	before := b.Stats().RemoteReads
	for range 2 {
		if v := get(t, b, "p:ns:k"); v != "v2" {
			t.Fatalf("bus down: %q, want the remote v2", v)
		}
	}
	if st := b.Stats(); st.RemoteReads != before+2 || st.Flushes == 0 || st.BusUp {
		t.Fatalf("bus down: %+v; want every read remote, a flush", st)
	}
	h.setUp(true)
	_ = remote.Set(ctx, "p:ns:k", []byte("v3"), time.Hour)
	if v := get(t, b, "p:ns:k"); v != "v3" {
		t.Fatalf("bus back: %q, want v3 (the tier was emptied)", v)
	}
}

// TestMaxAge: without a bus a local copy lives MaxAge at most, whatever
// the others write.
func TestMaxAge(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	_, a, b := shared(t, nil, clk)
	_ = a.Set(ctx, "p:ns:k", []byte("v1"), time.Hour)
	get(t, b, "p:ns:k")
	_ = a.Set(ctx, "p:ns:k", []byte("v2"), time.Hour)
	if v := get(t, b, "p:ns:k"); v != "v1" {
		t.Fatalf("within MaxAge without a bus: %q (a stale v1 is allowed, and expected here)", v)
	}
	clk.Advance(5*time.Second + time.Millisecond)
	if v := get(t, b, "p:ns:k"); v != "v2" {
		t.Fatalf("past MaxAge: %q, want v2", v)
	}
}

// blockingRemote holds its Gets, once read, until released.
type blockingRemote struct {
	*memory.Store
	hold    chan struct{}
	reading chan struct{}
}

func (r *blockingRemote) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.Store.Get(ctx, key)
	if r.hold != nil { // read, then held: what a slow network does
		r.reading <- struct{}{}
		<-r.hold
	}
	return v, err
}

// TestInvalidationDuringRead: a value read while an invalidation arrived
// is returned but not kept: it may be older than the change announced.
func TestInvalidationDuringRead(t *testing.T) {
	ctx := t.Context()
	h := newHub()
	mem, _ := memory.New(memory.Options{})
	t.Cleanup(func() { _ = mem.Close() })
	slow := &blockingRemote{Store: mem}
	b, err := tiered.New(ctx, tiered.Options{Remote: slow, Bus: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	waitUp(t, b)
	_ = mem.Set(ctx, "p:ns:k", []byte("old"), time.Hour)
	slow.hold, slow.reading = make(chan struct{}), make(chan struct{})
	done := make(chan string)
	go func() { v, _ := b.Get(ctx, "p:ns:k"); done <- string(v) }()
	<-slow.reading
	_ = mem.Set(ctx, "p:ns:k", []byte("new"), time.Hour)
	_ = h.Publish(ctx, tiered.Message{Origin: "another", Keys: []string{"p:ns:k"}})
	close(slow.hold)
	if v := <-done; v != "old" {
		t.Fatalf("the racing read: %q", v)
	}
	slow.hold = nil
	if v := get(t, b, "p:ns:k"); v != "new" {
		t.Fatalf("after the race: %q, want new (the old read was not kept)", v)
	}
}

// TestCachesOverTiers: through hoard Caches, a tag invalidation and a URL
// purge made in one process reach the other's local tier, HTTP hot table
// included.
func TestCachesOverTiers(t *testing.T) {
	ctx := t.Context()
	_, a, b := shared(t, newHub(), newClock())
	ca, err := hoard.New(a)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := hoard.New(b)
	if err != nil {
		t.Fatal(err)
	}
	loads := 0
	load := func(context.Context) (int, error) { loads++; return loads, nil }
	for range 3 {
		if v, _ := hoard.Remember(ctx, cb, "r", time.Hour, load, hoard.Tags("t")); v != 1 {
			t.Fatalf("Remember on b: %d", v)
		}
	}
	if err := ca.InvalidateTags(ctx, []string{"t"}); err != nil {
		t.Fatal(err)
	}
	if v, _ := hoard.Remember(ctx, cb, "r", time.Hour, load, hoard.Tags("t")); v != 2 {
		t.Fatalf("after a's tag invalidation, b's Remember: %d, want a new load", v)
	}

	engine, err := httpcache.New(cb)
	if err != nil {
		t.Fatal(err)
	}
	version := "v1"
	h := engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(version)) }))
	serve := func() (string, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "http://shop.example/p/1", nil))
		return w.Header().Get("X-Cache"), w.Body.String()
	}
	serve()
	for range 3 {
		if x, body := serve(); x != "HIT" || body != "v1" {
			t.Fatalf("b's hit: %s %s", x, body)
		}
	}
	version = "v2"
	if err := httpcache.PurgeURL(ctx, ca, "http://shop.example/p/1"); err != nil {
		t.Fatal(err)
	}
	if x, body := serve(); x != "MISS" || body != "v2" {
		t.Fatalf("after a's purge, b: %s %s; want MISS v2", x, body)
	}
}

// TestObserverTellsLocal: a hit the local tier answered is reported with
// Op "get-local", one read from the remote backend with Op "get".
func TestObserverTellsLocal(t *testing.T) {
	ctx := t.Context()
	_, a, b := shared(t, newHub(), newClock())
	var ops []string
	obs := hoard.ObserverFunc(func(_ context.Context, ev hoard.Event) {
		if ev.Kind == hoard.EventHit {
			ops = append(ops, ev.Op)
		}
	})
	ca, _ := hoard.New(a)
	cb, _ := hoard.New(b, hoard.WithObserver(obs))
	if err := hoard.SetValue(ctx, ca, "k", "v", time.Hour); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := hoard.GetValue[string](ctx, cb, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if len(ops) != 2 || ops[0] != "get" || ops[1] != "get-local" {
		t.Errorf("hit ops %q, want get (from the remote), then get-local", ops)
	}
}

// TestHTTPHitHonoursMaxAge: without a bus, the HTTP engine's hot table
// (which answers a repeated request from the memo it found last time)
// stops at a local copy's MaxAge like any other read: once the remote
// value is gone, a request past MaxAge runs the handler. The clock is
// injected in both the Cache and the Store: the local copy expires on it
// while otter has not dropped it yet.
func TestHTTPHitHonoursMaxAge(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	remote, err := memory.New(memory.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = remote.Close() })
	s, err := tiered.New(ctx, tiered.Options{Remote: nopCloser{remote}, MaxAge: 50 * time.Millisecond, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c, err := hoard.New(s, hoard.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := httpcache.New(c)
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	h := engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		runs++
		w.Header().Set("Cache-Control", "max-age=3600")
		_, _ = w.Write([]byte("v1"))
	}))
	serve := func() string {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "http://shop.example/p/1", nil))
		return w.Header().Get("X-Cache")
	}
	serve()
	for range 3 {
		if x := serve(); x != "HIT" {
			t.Fatalf("within MaxAge: %s, want HIT", x)
		}
	}
	if err := remote.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(200 * time.Millisecond)
	if x := serve(); x != "MISS" || runs != 2 {
		t.Fatalf("past MaxAge with the remote cleared: %s, handler ran %d times; want MISS and 2", x, runs)
	}
}
