package hoard_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// versionLoader is a load function that returns "v<n>" for its n-th run,
// or fails while fail is set.
type versionLoader struct {
	runs atomic.Int32
	fail atomic.Bool
	done chan struct{} // receives after each run, when not nil
}

var errLoad = errors.New("load failed")

func (l *versionLoader) load(context.Context) (string, error) {
	n := l.runs.Add(1)
	defer func() {
		if l.done != nil {
			l.done <- struct{}{}
		}
	}()
	if l.fail.Load() {
		return "", errLoad
	}
	return fmt.Sprintf("v%d", n), nil
}

func TestRememberStaleWhileRevalidate(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	c, _ := newMemoryCache(t, hoard.WithClock(clk.Now))
	l := &versionLoader{done: make(chan struct{}, 4)}
	opt := hoard.StaleWhileRevalidate(time.Minute)
	get := func() string {
		t.Helper()
		v, err := hoard.Remember(ctx, c, "k", 10*time.Second, l.load, opt)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := get(); v != "v1" {
		t.Fatalf("first: %q", v)
	}
	<-l.done
	clk.Advance(11 * time.Second)
	if v := get(); v != "v1" {
		t.Fatalf("within the window: %q, want the stale v1 at once", v)
	}
	<-l.done // the background load
	for deadline := time.Now().Add(5 * time.Second); get() != "v2"; {
		if time.Now().After(deadline) {
			t.Fatal("the background load's result was not stored")
		}
		time.Sleep(time.Millisecond)
	}
	// Stored, but its flight may not have ended: a call that missed now
	// would share its result.
	for deadline := time.Now().Add(5 * time.Second); hoard.RefreshesRunning(c) != 0; {
		if time.Now().After(deadline) {
			t.Fatal("the background refresh did not end")
		}
		time.Sleep(time.Millisecond)
	}
	if n := l.runs.Load(); n != 2 {
		t.Errorf("load ran %d times, want 2", n)
	}
	if st := c.Stats(); st.Refresh != 1 || st.Stale == 0 {
		t.Errorf("Stats: %d refreshes, %d served stale; want 1 and some", st.Refresh, st.Stale)
	}
	// Without the option, a result past its TTL is a miss.
	clk.Advance(11 * time.Second)
	if _, err := hoard.GetValue[string](ctx, c, "k"); !errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("GetValue of a stale result: %v, want ErrNotFound", err)
	}
	// Past the window: load runs as the call waits.
	clk.Advance(time.Minute)
	if v := get(); v != "v3" {
		t.Errorf("past the window: %q, want v3", v)
	}
}

func TestRememberStaleIfError(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	events := &eventLog{}
	c, _ := newMemoryCache(t, hoard.WithClock(clk.Now), hoard.WithObserver(events))
	l := &versionLoader{}
	opt := hoard.StaleIfError(time.Minute)
	if v, _ := hoard.Remember(ctx, c, "k", 10*time.Second, l.load, opt); v != "v1" {
		t.Fatalf("first: %q", v)
	}
	clk.Advance(11 * time.Second)
	l.fail.Store(true)
	v, err := hoard.Remember(ctx, c, "k", 10*time.Second, l.load, opt)
	if v != "v1" || err != nil {
		t.Fatalf("load failing within the window: %q, %v; want the stale v1", v, err)
	}
	if ev, ok := events.find(hoard.EventError, "load"); !ok || !errors.Is(ev.Err, errLoad) {
		t.Errorf("the load's error was not reported: %v", ev)
	}
	if n := c.Stats().Stale; n != 1 {
		t.Errorf("Stats().Stale = %d, want 1", n)
	}
	clk.Advance(time.Minute)
	if _, err := hoard.Remember(ctx, c, "k", 10*time.Second, l.load, opt); !errors.Is(err, errLoad) {
		t.Errorf("past the window: %v, want the load's error", err)
	}
}

func TestRememberEarlyRefresh(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	c, _ := newMemoryCache(t, hoard.WithClock(clk.Now))
	l := &versionLoader{done: make(chan struct{}, 4)}
	opt := hoard.EarlyRefresh(10 * time.Second)
	if v, _ := hoard.Remember(ctx, c, "k", 10*time.Second, l.load, opt); v != "v1" {
		t.Fatalf("first: %q", v)
	}
	<-l.done
	clk.Advance(10*time.Second - time.Millisecond) // a refresh is all but certain
	if v, _ := hoard.Remember(ctx, c, "k", 10*time.Second, l.load, opt); v != "v1" {
		t.Fatalf("before expiry: %q, want v1 (fresh)", v)
	}
	select {
	case <-l.done:
	case <-time.After(5 * time.Second):
		t.Fatal("no background load in the last moments of the TTL")
	}
}

func TestRememberMaxWait(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	release := make(chan struct{})
	started := make(chan struct{})
	var once sync.Once
	slow := func(context.Context) (string, error) {
		once.Do(func() { close(started) })
		<-release
		return "slow", nil
	}
	go func() { _, _ = hoard.Remember(ctx, c, "k", time.Minute, slow) }()
	<-started
	v, err := hoard.Remember(ctx, c, "k", time.Minute, func(context.Context) (string, error) { return "own", nil },
		hoard.MaxWait(20*time.Millisecond))
	close(release)
	if v != "own" || err != nil {
		t.Fatalf("with MaxWait: %q, %v; want its own load's result", v, err)
	}
}

func TestRememberLoaderDecides(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	c, _ := newMemoryCache(t, hoard.WithClock(clk.Now))
	runs := 0
	short := func(ctx context.Context) (int, error) {
		runs++
		hoard.SetResultTTL(ctx, time.Second)
		return runs, nil
	}
	_, _ = hoard.Remember(ctx, c, "short", time.Hour, short)
	clk.Advance(2 * time.Second)
	if v, _ := hoard.Remember(ctx, c, "short", time.Hour, short); v != 2 {
		t.Errorf("after the loader's own TTL: %d, want a new load", v)
	}
	skipped := 0
	skip := func(ctx context.Context) (int, error) {
		skipped++
		hoard.SkipStore(ctx)
		return skipped, nil
	}
	_, _ = hoard.Remember(ctx, c, "skip", time.Hour, skip)
	if v, _ := hoard.Remember(ctx, c, "skip", time.Hour, skip); v != 2 {
		t.Errorf("after SkipStore: %d, want a new load", v)
	}
	hoard.SetResultTTL(ctx, time.Second) // outside a load: nothing
}

func TestStaleOptionsChecked(t *testing.T) {
	c, _ := newMemoryCache(t)
	load := func(context.Context) (int, error) { return 1, nil }
	for _, o := range []hoard.CallOption{hoard.StaleWhileRevalidate(-1), hoard.StaleIfError(-1), hoard.EarlyRefresh(-1), hoard.MaxWait(-1)} {
		if _, err := hoard.Remember(context.Background(), c, "k", time.Minute, load, o); !errors.Is(err, hoard.ErrInvalidOption) {
			t.Errorf("negative duration: %v, want ErrInvalidOption", err)
		}
	}
}

// TestWrapServesStale: Wrap's call options serve stale per argument, as
// Remember's do.
func TestWrapServesStale(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	c, _ := newMemoryCache(t, hoard.WithClock(clk.Now))
	var runs sync.Map // argument -> *atomic.Int32
	var failing atomic.Bool
	price := func(_ context.Context, id int) (string, error) {
		n, _ := runs.LoadOrStore(id, new(atomic.Int32))
		k := n.(*atomic.Int32).Add(1)
		if failing.Load() {
			return "", errLoad
		}
		return fmt.Sprintf("item %d v%d", id, k), nil
	}
	cached, err := hoard.Wrap(c, "price", 10*time.Second, price, hoard.StaleIfError(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{1, 2} {
		if v, err := cached(ctx, id); err != nil || v != fmt.Sprintf("item %d v1", id) {
			t.Fatalf("first %d: %q, %v", id, v, err)
		}
	}
	clk.Advance(11 * time.Second)
	failing.Store(true)
	for _, id := range []int{1, 2} {
		if v, err := cached(ctx, id); err != nil || v != fmt.Sprintf("item %d v1", id) {
			t.Fatalf("failing %d: %q, %v; want its own stale v1", id, v, err)
		}
	}
	failing.Store(false)
	if v, _ := cached(ctx, 1); v != "item 1 v3" {
		t.Fatalf("recovered: %q, want a fresh load", v)
	}
	clk.Advance(2 * time.Minute)
	failing.Store(true)
	if _, err := cached(ctx, 2); !errors.Is(err, errLoad) {
		t.Fatalf("past the window: %v, want the load's error", err)
	}
}
