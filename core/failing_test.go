package hoard_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// brokenBackend simulates a backend in trouble: every call fails, or hangs
// until its context ends, or (once recovered) finds nothing. It counts the
// calls that reach it. A test double is the point here: no real server
// fails on cue.
type brokenBackend struct {
	mode    atomic.Int32
	calls   atomic.Int64
	entered chan struct{} // a hanging call sends here once it has started
}

const (
	modeFailing int32 = iota
	modeHanging
	modeHealthy
)

var errBackendDown = errors.New("backend down")

func newBrokenBackend(mode int32) *brokenBackend {
	b := &brokenBackend{entered: make(chan struct{}, 100)}
	b.mode.Store(mode)
	return b
}

func (b *brokenBackend) do(ctx context.Context) error {
	b.calls.Add(1)
	switch b.mode.Load() {
	case modeHanging:
		select {
		case b.entered <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return ctx.Err()
	case modeHealthy:
		return nil
	}
	return errBackendDown
}

func (b *brokenBackend) Get(ctx context.Context, _ string) ([]byte, error) {
	if err := b.do(ctx); err != nil {
		return nil, err
	}
	return nil, hoard.ErrNotFound
}

func (b *brokenBackend) Set(ctx context.Context, _ string, _ []byte, _ time.Duration) error {
	return b.do(ctx)
}

func (b *brokenBackend) Delete(ctx context.Context, _ string) error { return b.do(ctx) }

const brokenTimeout = 50 * time.Millisecond

// TestBrokenBackendFailsOpen: whatever the backend does, Remember returns
// the loader's result, within the operation timeout.
func TestBrokenBackendFailsOpen(t *testing.T) {
	for _, mode := range []struct {
		name string
		mode int32
	}{{"failing", modeFailing}, {"hanging", modeHanging}} {
		for _, breaker := range []struct {
			name string
			opt  hoard.Option
		}{{"no breaker", hoard.WithCircuitBreaker(0, 0)}, {"breaker", hoard.WithCircuitBreaker(3, time.Minute)}} {
			t.Run(mode.name+"/"+breaker.name, func(t *testing.T) {
				ctx := context.Background()
				b := newBrokenBackend(mode.mode)
				var log eventLog
				c, err := hoard.New(b, hoard.WithTimeout(brokenTimeout), breaker.opt, hoard.WithObserver(&log), hoard.WithLogger(nil))
				if err != nil {
					t.Fatal(err)
				}
				// A miss costs at most a get and a set, each bounded by the
				// timeout; the extra second keeps this a liveness check on a
				// loaded machine, not a speed test.
				bound := 2*brokenTimeout + time.Second
				for i := range 6 {
					start := time.Now()
					v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (int, error) { return i, nil })
					if took := time.Since(start); took > bound {
						t.Fatalf("call %d took %v, over %v", i, took, bound)
					}
					if err != nil || v != i {
						t.Fatalf("call %d: Remember = %d, %v; want the loader's %d", i, v, err, i)
					}
				}
				if _, ok := log.find(hoard.EventError, "get"); !ok {
					t.Errorf("events %v, want the backend failure reported", log.kinds())
				}
				// The direct API reports the failure instead of hiding it,
				// and never as a miss.
				start := time.Now()
				if _, err := c.Get(ctx, "k"); err == nil || errors.Is(err, hoard.ErrNotFound) {
					t.Errorf("Get = %v, want a backend error", err)
				}
				if err := c.Set(ctx, "k", []byte("v"), 0); err == nil {
					t.Error("Set succeeded on a broken backend")
				}
				if err := c.Delete(ctx, "k"); err == nil {
					t.Error("Delete succeeded on a broken backend")
				}
				if took := time.Since(start); took > 3*brokenTimeout+time.Second {
					t.Errorf("Get, Set and Delete took %v", took)
				}
			})
		}
	}
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	ctx := context.Background()
	clk := newManualClock()
	b := newBrokenBackend(modeFailing)
	var log eventLog
	// No operation timeout: the hanging probe below is released by its
	// caller's context, so nothing here depends on the wall clock.
	c, err := hoard.New(b, hoard.WithCircuitBreaker(3, time.Minute), hoard.WithClock(clk.Now),
		hoard.WithTimeout(0), hoard.WithObserver(&log), hoard.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	wantState := func(want string, calls int64) {
		t.Helper()
		if got := c.BreakerState(); got != want {
			t.Fatalf("BreakerState = %q, want %q", got, want)
		}
		if got := b.calls.Load(); got != calls {
			t.Fatalf("backend called %d times, want %d", got, calls)
		}
	}
	load := func(context.Context) (string, error) { return "loaded", nil }
	remember := func() {
		t.Helper()
		if v, err := hoard.Remember(ctx, c, "k", 0, load); err != nil || v != "loaded" {
			t.Fatalf("Remember = %q, %v", v, err)
		}
	}

	wantState("closed", 0)
	for range 3 {
		if _, err := c.Get(ctx, "k"); !errors.Is(err, errBackendDown) {
			t.Fatalf("Get = %v, want the backend's error", err)
		}
	}
	wantState("open", 3)
	if n := log.count(hoard.EventBreakerOpen); n != 1 {
		t.Fatalf("%d breaker-open events, want 1", n)
	}

	// Open: nothing reaches the backend, and callers still get results.
	for range 10 {
		remember()
	}
	if _, err := c.Get(ctx, "k"); !errors.Is(err, hoard.ErrUnavailable) {
		t.Fatalf("Get while open = %v, want ErrUnavailable", err)
	}
	if err := c.Set(ctx, "k", nil, 0); !errors.Is(err, hoard.ErrUnavailable) {
		t.Fatalf("Set while open = %v, want ErrUnavailable", err)
	}
	clk.Advance(time.Minute - 1)
	remember()
	wantState("open", 3)

	// Cool-down over: one probe; it fails, so the breaker opens again.
	clk.Advance(1)
	wantState("half-open", 3)
	remember() // the probe is this call's get; its set is refused again
	wantState("open", 4)
	remember()
	wantState("open", 4)
	if n := log.count(hoard.EventBreakerOpen); n != 1 {
		t.Fatalf("%d breaker-open events, want 1 (a failed probe keeps it open)", n)
	}

	// Next cool-down: exactly one probe goes through while it is in flight.
	clk.Advance(time.Minute)
	b.mode.Store(modeHanging)
	probeCtx, cancelProbe := context.WithCancel(ctx)
	probeDone := make(chan error, 1)
	go func() {
		_, err := c.Get(probeCtx, "k")
		probeDone <- err
	}()
	<-b.entered
	for range 10 {
		if _, err := c.Get(ctx, "k"); !errors.Is(err, hoard.ErrUnavailable) {
			t.Fatalf("Get during the probe = %v, want ErrUnavailable", err)
		}
		remember()
	}
	wantState("half-open", 5)
	// The probe's caller gives up: not the backend's fault, and the next
	// call may probe again.
	cancelProbe()
	if err := <-probeDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("probe = %v, want context.Canceled", err)
	}
	wantState("half-open", 5)

	// The backend is back: the probe succeeds and the breaker closes.
	b.mode.Store(modeHealthy)
	if _, err := c.Get(ctx, "k"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("probe Get = %v, want a plain miss", err)
	}
	wantState("closed", 6)
	if n := log.count(hoard.EventBreakerClose); n != 1 {
		t.Fatalf("%d breaker-close events, want 1", n)
	}
	remember() // a get and a set
	wantState("closed", 8)
	if v, err := hoard.Remember(ctx, c, "k", 0, load); err != nil || v != "loaded" {
		t.Fatalf("Remember = %q, %v", v, err)
	}
	wantState("closed", 10) // a miss again: the double stores nothing

	// Only consecutive failures count.
	b.mode.Store(modeFailing)
	_, _ = c.Get(ctx, "k")
	_, _ = c.Get(ctx, "k")
	b.mode.Store(modeHealthy)
	_, _ = c.Get(ctx, "k")
	b.mode.Store(modeFailing)
	_, _ = c.Get(ctx, "k")
	_, _ = c.Get(ctx, "k")
	wantState("closed", 15)
	_, _ = c.Get(ctx, "k")
	wantState("open", 16)
	if n := log.count(hoard.EventBreakerOpen); n != 2 {
		t.Fatalf("%d breaker-open events, want 2", n)
	}
}

// TestBreakerHangingBackend: timeouts count as failures, and once the
// breaker is open callers no longer wait on the hanging backend (it is not
// called at all).
func TestBreakerHangingBackend(t *testing.T) {
	ctx := context.Background()
	b := newBrokenBackend(modeHanging)
	c, err := hoard.New(b, hoard.WithTimeout(brokenTimeout), hoard.WithCircuitBreaker(3, time.Hour), hoard.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	load := func(context.Context) (int, error) { return 1, nil }
	for c.BreakerState() == "closed" {
		if b.calls.Load() > 3 {
			t.Fatalf("breaker still closed after %d timeouts", b.calls.Load())
		}
		if v, err := hoard.Remember(ctx, c, "k", 0, load); err != nil || v != 1 {
			t.Fatalf("Remember = %d, %v", v, err)
		}
	}
	calls := b.calls.Load()
	for range 100 {
		if v, err := hoard.Remember(ctx, c, "k", 0, load); err != nil || v != 1 {
			t.Fatalf("Remember = %d, %v", v, err)
		}
	}
	if got := b.calls.Load(); got != calls {
		t.Fatalf("backend called %d more times with the breaker open", got-calls)
	}
}

// TestBreakerIgnoresCallerCancellation: a caller that gives up does not
// count against the backend.
func TestBreakerIgnoresCallerCancellation(t *testing.T) {
	b := newBrokenBackend(modeHanging)
	c, err := hoard.New(b, hoard.WithCircuitBreaker(1, time.Hour), hoard.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, ctx := range []context.Context{cancelled, expired} {
		for range 3 {
			if _, err := c.Get(ctx, "k"); err == nil {
				t.Fatal("Get with an ended context succeeded")
			}
		}
	}
	if got := c.BreakerState(); got != "closed" {
		t.Fatalf("BreakerState = %q after callers gave up, want closed", got)
	}
}

func TestBreakerDisabled(t *testing.T) {
	mem, _ := newMemoryCache(t, hoard.WithCircuitBreaker(3, time.Minute))
	if got := mem.BreakerState(); got != "disabled" {
		t.Errorf("in-process backend: BreakerState = %q, want disabled", got)
	}
	c, err := hoard.New(newBrokenBackend(modeFailing), hoard.WithCircuitBreaker(0, 0), hoard.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		_, _ = c.Get(context.Background(), "k")
	}
	if got := c.BreakerState(); got != "disabled" {
		t.Errorf("WithCircuitBreaker(0, 0): BreakerState = %q, want disabled", got)
	}
}
