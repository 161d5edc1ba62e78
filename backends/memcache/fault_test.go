package hoardmemcache

import (
	"context"
	"fmt"
	"github.com/hoard-go/hoard/core/testserver"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// TestServerCrash kills memcached while requests flow through
// hoard.Remember: every request must still get the right value (loaded
// instead of cached), and caching must resume once memcached is back on the
// same port, empty, with its generation counters gone.
func TestServerCrash(t *testing.T) {
	srv := testserver.Memcached(t)
	// Generous timeouts: a crashed server refuses connections at once, and
	// a loaded test machine must not turn hits into timeouts.
	s, err := New(Options{Servers: []string{srv.Addr}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, err := hoard.New(s,
		hoard.WithNamespace("fault"),
		hoard.WithTimeout(2*time.Second),
		hoard.WithCircuitBreaker(3, 100*time.Millisecond),
		hoard.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var loads, served atomic.Int64
	get := func(ctx context.Context, id string) (string, error) {
		return hoard.Remember(ctx, c, id, time.Minute, func(context.Context) (string, error) {
			loads.Add(1)
			return "value of " + id, nil
		})
	}
	ctx, stop := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				id := fmt.Sprint("k", (w*7+i)%20)
				v, err := get(context.WithoutCancel(ctx), id)
				if err != nil || v != "value of "+id {
					errs <- fmt.Errorf("Remember(%s) = %q, %v", id, v, err)
					return
				}
				served.Add(1)
			}
		})
	}
	phase := func(name string, d time.Duration) (servedN, loadsN int64) {
		s0, l0 := served.Load(), loads.Load()
		time.Sleep(d)
		s1, l1 := served.Load(), loads.Load()
		t.Logf("%s: %d requests served, %d loads", name, s1-s0, l1-l0)
		if s1 == s0 {
			t.Errorf("%s: no request was served", name)
		}
		return s1 - s0, l1 - l0
	}

	if n, l := phase("up", 300*time.Millisecond); l >= n {
		t.Errorf("before the crash: %d loads for %d requests, want mostly hits", l, n)
	}
	srv.Stop()
	phase("down", 500*time.Millisecond) // every value checked by the workers
	srv.Restart()

	// Caching resumes: once the breaker has let a probe through, a key is
	// loaded once and then served from memcached.
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; ; i++ {
		id := fmt.Sprint("after-restart-", i)
		if _, err := get(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		l := loads.Load()
		if _, err := get(t.Context(), id); err != nil {
			t.Fatal(err)
		}
		if loads.Load() == l {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("caching did not resume within 10s of the restart (breaker %s)", c.BreakerState())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n, l := phase("back", 300*time.Millisecond); l >= n {
		t.Errorf("after the restart: %d loads for %d requests, want mostly hits", l, n)
	}
	stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
