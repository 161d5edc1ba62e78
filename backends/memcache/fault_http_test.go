package hoardmemcache

import (
	"context"
	"fmt"
	"github.com/hoard-go/hoard/core/testserver"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

// TestFaultHTTP serves cached HTTP responses through the net/http adapter
// while memcached is killed and restarted on the same port (empty, its
// namespace generations gone), then stalled (SIGSTOP) for longer than the
// operation timeout and resumed. Every response must stay correct, no
// request may wait much longer than the operation timeout plus the
// handler's time, and caching must resume once memcached is back.
func TestFaultHTTP(t *testing.T) {
	if testing.Short() {
		t.Skip("fault test: -short")
	}
	const (
		// gomemcache takes no context: the Store's Timeout is what bounds
		// a call to a stalled server, so it matches the cache's.
		opTimeout   = 100 * time.Millisecond
		handlerTime = 20 * time.Millisecond
		// A request may wait the operation timeout twice (its lookup, then
		// the store of its response, which happens before the response
		// completes); slack covers scheduling on a loaded 2-core machine
		// under -race. A request stuck on a stalled server would take
		// seconds.
		slack    = 500 * time.Millisecond
		maxWait  = 2*opTimeout + handlerTime + slack
		paths    = 5 // per client
		clients  = 8
		cooldown = 200 * time.Millisecond
	)
	srv := testserver.Memcached(t)
	store, err := New(Options{Servers: []string{srv.Addr}, Timeout: opTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	cache, err := hoard.New(store, hoard.WithTimeout(opTimeout), hoard.WithCircuitBreaker(3, cooldown),
		hoard.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	// A namespace, so that every hit also checks its generation counter,
	// which the restart wipes.
	mw, err := hoardhttp.Middleware(cache, hoard.WithTTL(time.Minute), hoard.InNamespace("items"))
	if err != nil {
		t.Fatal(err)
	}
	var handlerRuns atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("GET /item/{id}", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerRuns.Add(1)
		time.Sleep(handlerTime)
		fmt.Fprintf(w, "item %s", r.PathValue("id"))
	})))
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)

	// load sends requests from several clients until ctx ends and checks
	// every answer. Each client has its own paths, so the engine coalesces
	// no two requests: a HIT is a hit in memcached.
	type tally struct {
		requests, hits atomic.Int64
		slowest        atomic.Int64 // nanoseconds
	}
	load := func(ctx context.Context, tl *tally) {
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				for i := 0; ctx.Err() == nil; i++ {
					id := fmt.Sprint(c, "-", i%paths)
					start := time.Now()
					resp, err := web.Client().Get(web.URL + "/item/" + id)
					if err != nil {
						t.Errorf("GET /item/%s: %v", id, err)
						return
					}
					body, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					took := time.Since(start)
					if err != nil || resp.StatusCode != http.StatusOK || string(body) != "item "+id {
						t.Errorf("GET /item/%s = %d %q, %v", id, resp.StatusCode, body, err)
						return
					}
					tl.requests.Add(1)
					if resp.Header.Get("X-Cache") == "HIT" {
						tl.hits.Add(1)
					}
					for {
						old := tl.slowest.Load()
						if int64(took) <= old || tl.slowest.CompareAndSwap(old, int64(took)) {
							break
						}
					}
				}
			})
		}
		wg.Wait()
	}
	phase := func(name string, d time.Duration, during func()) *tally {
		t.Helper()
		tl := &tally{}
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		done := make(chan struct{})
		go func() { load(ctx, tl); close(done) }()
		if during != nil {
			during()
		}
		<-done
		slowest := time.Duration(tl.slowest.Load())
		t.Logf("%s: %d requests, %d hits, slowest %v", name, tl.requests.Load(), tl.hits.Load(), slowest)
		if slowest > maxWait {
			t.Errorf("%s: a request took %v, more than twice the timeout %v + handler %v (+%v slack)", name, slowest, opTimeout, handlerTime, slack)
		}
		if tl.requests.Load() == 0 {
			t.Errorf("%s: no request completed", name)
		}
		return tl
	}

	if warm := phase("warm", time.Second, nil); warm.hits.Load() == 0 {
		t.Fatal("warm: nothing was served from the cache")
	}
	phase("killed", 1500*time.Millisecond, func() {
		time.Sleep(200 * time.Millisecond)
		srv.Stop()
	})
	runsBefore := handlerRuns.Load()
	if down := phase("down", time.Second, nil); down.hits.Load() != 0 {
		t.Errorf("down: %d hits with memcached dead", down.hits.Load())
	}
	if handlerRuns.Load() == runsBefore {
		t.Error("down: the handler never ran, so nothing answered the requests")
	}

	// waitForHits runs load phases until one sees a cache hit: the breaker
	// lets a probe through after its cool-down, so caching must be back
	// within a few seconds.
	waitForHits := func(name string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for phase(name, 500*time.Millisecond, nil).hits.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no cache hit within 10s (breaker %s)", name, cache.BreakerState())
			}
		}
	}
	srv.Restart()
	waitForHits("restarted")

	// A stalled server keeps its connections and accepts new ones but
	// answers nothing: only the Store's Timeout ends a call to it.
	phase("stalled", 1500*time.Millisecond, func() {
		time.Sleep(200 * time.Millisecond)
		srv.Pause()
	})
	srv.Resume()
	waitForHits("resumed")
}
