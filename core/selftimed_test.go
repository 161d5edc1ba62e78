package hoard_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// selfTimedBackend bounds its own calls, as hoard.SelfTimed promises: a
// hanging call gives up after bound whatever its context says. It records
// whether the contexts it was given had a deadline. A test double, since
// no real server hangs on cue and the Redis store is not SelfTimed (see
// backends/redis: go-redis gives no overall bound per command).
type selfTimedBackend struct {
	bound     time.Duration
	hang      atomic.Bool
	calls     atomic.Int64
	deadlines atomic.Int64 // calls whose context had a deadline

	mu   sync.Mutex
	data map[string][]byte
}

var errSelfTimeout = errors.New("self-timed backend: operation timed out")

func newSelfTimedBackend(bound time.Duration) *selfTimedBackend {
	return &selfTimedBackend{bound: bound, data: map[string][]byte{}}
}

func (b *selfTimedBackend) OperationBound() time.Duration { return b.bound }

func (b *selfTimedBackend) do(ctx context.Context) error {
	b.calls.Add(1)
	if _, ok := ctx.Deadline(); ok {
		b.deadlines.Add(1)
	}
	if !b.hang.Load() {
		return nil
	}
	bound := b.bound
	if bound <= 0 {
		bound = time.Hour // no bound of its own: only ctx ends the call
	}
	t := time.NewTimer(bound)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errSelfTimeout
	}
}

func (b *selfTimedBackend) Get(ctx context.Context, key string) ([]byte, error) {
	if err := b.do(ctx); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.data[key]
	if !ok {
		return nil, hoard.ErrNotFound
	}
	return v, nil
}

func (b *selfTimedBackend) Set(ctx context.Context, key string, value []byte, _ time.Duration) error {
	if err := b.do(ctx); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.data[key] = append([]byte(nil), value...)
	return nil
}

func (b *selfTimedBackend) Delete(ctx context.Context, key string) error {
	if err := b.do(ctx); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.data, key)
	return nil
}

// TestSelfTimed: the Cache leaves the timeout to a SelfTimed backend only
// when the backend's bound is within the Cache's own, and a hanging
// self-timed backend is still a miss within its bound that counts towards
// the breaker.
func TestSelfTimed(t *testing.T) {
	const long = 10 * time.Second // a bound or timeout no passing test waits for
	tests := []struct {
		name         string
		bound        time.Duration // the backend's
		timeout      time.Duration // the Cache's
		wantDeadline bool          // the Cache derives a context with a deadline
	}{
		{"BoundWithinTimeout", 50 * time.Millisecond, long, false},
		{"BoundEqualsTimeout", 50 * time.Millisecond, 50 * time.Millisecond, false},
		{"BoundOverTimeout", long, 50 * time.Millisecond, true},
		{"NoBound", 0, 50 * time.Millisecond, true},
		{"NegativeBound", -time.Second, 50 * time.Millisecond, true},
		{"TimeoutOff", 50 * time.Millisecond, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			b := newSelfTimedBackend(tc.bound)
			var log eventLog
			c, err := hoard.New(b, hoard.WithTimeout(tc.timeout), hoard.WithCircuitBreaker(2, time.Hour),
				hoard.WithObserver(&log), hoard.WithLogger(nil))
			if err != nil {
				t.Fatal(err)
			}

			// Healthy: a miss, a store, then a hit.
			for i := range 2 {
				v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (int, error) { return 7, nil })
				if err != nil || v != 7 {
					t.Fatalf("call %d: Remember = %d, %v", i, v, err)
				}
			}
			if calls, dl := b.calls.Load(), b.deadlines.Load(); (dl == calls) != tc.wantDeadline || (dl != 0 && dl != calls) {
				t.Fatalf("%d of %d backend calls had a deadline; want all: %v", dl, calls, tc.wantDeadline)
			}

			// A caller's own deadline always reaches the backend.
			before := b.deadlines.Load()
			dctx, cancel := context.WithTimeout(ctx, long)
			defer cancel()
			if _, err := c.Get(dctx, "k"); err != nil && !errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("Get: %v", err)
			}
			if b.deadlines.Load() != before+1 {
				t.Error("the caller's deadline did not reach the backend")
			}

			if tc.timeout == 0 && tc.bound > 0 {
				return // nothing bounds a hang but the backend: covered above
			}
			// Hanging: the loader's result, within the bound that applies,
			// reported as a failure; two failures open the breaker.
			b.hang.Store(true)
			limit := min(tc.timeout, tc.bound)
			if tc.bound <= 0 {
				limit = tc.timeout
			}
			for i := range 2 {
				start := time.Now()
				v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (int, error) { return 8, nil })
				if took := time.Since(start); took > limit+time.Second {
					t.Fatalf("hanging call %d took %v, bound %v", i, took, limit)
				}
				if err != nil || v != 8 {
					t.Fatalf("hanging call %d: Remember = %d, %v; want the loader's 8", i, v, err)
				}
			}
			if _, ok := log.find(hoard.EventError, "get"); !ok {
				t.Errorf("events %v: the hanging get was not reported", log.kinds())
			}
			if got := c.BreakerState(); got != "open" {
				t.Fatalf("breaker %s after two hanging calls, want open", got)
			}
			calls := b.calls.Load()
			if _, err := c.Get(ctx, "k"); !errors.Is(err, hoard.ErrUnavailable) {
				t.Errorf("Get with the breaker open = %v, want ErrUnavailable", err)
			}
			if b.calls.Load() != calls {
				t.Error("a call reached the backend with the breaker open")
			}
		})
	}
}

// BenchmarkRememberHitRemote is a hit on a backend outside the process that
// answers at once: the Cache's own cost of a remote hit, with a timer per
// operation and without one (a SelfTimed backend within the timeout).
func BenchmarkRememberHitRemote(b *testing.B) {
	for _, bc := range []struct {
		name  string
		bound time.Duration
	}{{"Timer", 0}, {"SelfTimed", time.Millisecond}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := hoard.New(newSelfTimedBackend(bc.bound), hoard.WithLogger(nil))
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background()) // like a request's
			defer cancel()
			want := user{ID: 42, Name: "Ada", Tags: []string{"a", "b"}}
			load := func(context.Context) (user, error) { return want, nil }
			if _, err := hoard.Remember(ctx, c, "user:42", time.Hour, load); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if u, err := hoard.Remember(ctx, c, "user:42", time.Hour, load); err != nil || u.ID != want.ID {
					b.Fatalf("hit = %+v, %v", u, err)
				}
			}
		})
	}
}
