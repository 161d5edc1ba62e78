package hoard

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newTestBreaker returns a breaker on a clock the test moves.
func newTestBreaker(threshold uint32, cooldown time.Duration) (*breaker, *atomic.Int64) {
	var now atomic.Int64
	now.Store(time.Unix(1_700_000_000, 0).UnixNano())
	return &breaker{threshold: threshold, cooldown: cooldown, now: func() time.Time { return time.Unix(0, now.Load()) }}, &now
}

func TestBreakerStates(t *testing.T) {
	b, now := newTestBreaker(3, time.Minute)
	allow := func(wantOK, wantProbe bool) {
		t.Helper()
		if ok, probe := b.allow(); ok != wantOK || probe != wantProbe {
			t.Fatalf("allow() = %v, %v; want %v, %v (state %s)", ok, probe, wantOK, wantProbe, b.state())
		}
	}
	state := func(want string) {
		t.Helper()
		if got := b.state(); got != want {
			t.Fatalf("state = %q, want %q", got, want)
		}
	}

	allow(true, false)
	if b.failure(false) || b.failure(false) {
		t.Fatal("opened before the threshold")
	}
	if b.success(false) {
		t.Fatal("a success while closed reported a close")
	}
	// The success reset the count: two more failures keep it closed.
	if b.failure(false) || b.failure(false) {
		t.Fatal("failures before a success were still counted")
	}
	state("closed")
	if !b.failure(false) {
		t.Fatal("the third consecutive failure did not open the breaker")
	}
	state("open")
	allow(false, false)
	// Calls already in flight when it opened may fail too: only one open.
	if b.failure(false) {
		t.Fatal("a failure while open reported another open")
	}

	now.Add(int64(time.Minute))
	state("half-open")
	allow(true, true)
	allow(false, false) // one probe at a time
	if b.failure(true) {
		t.Fatal("a failed probe reported an open")
	}
	state("open")
	allow(false, false)

	now.Add(int64(time.Minute))
	allow(true, true)
	if !b.success(true) {
		t.Fatal("a successful probe did not close the breaker")
	}
	state("closed")
	allow(true, false)
	if b.failures.Load() != 0 {
		t.Fatalf("failures = %d after closing, want 0", b.failures.Load())
	}
}

func TestBreakerOneProbe(t *testing.T) {
	b, now := newTestBreaker(1, time.Second)
	b.failure(false)
	now.Add(int64(time.Second))
	var probes, allowed atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if ok, probe := b.allow(); ok {
				allowed.Add(1)
				if probe {
					probes.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if probes.Load() != 1 || allowed.Load() != 1 {
		t.Fatalf("%d callers allowed, %d probes; want exactly 1 probe", allowed.Load(), probes.Load())
	}
}

func BenchmarkBreakerAllowClosed(b *testing.B) {
	br, _ := newTestBreaker(5, time.Second)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, probe := br.allow(); ok {
				br.success(probe)
			}
		}
	})
}
