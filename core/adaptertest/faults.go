package adaptertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/testserver"
)

// FaultTimeout is the operation timeout [Faults] gives the cache. A backend
// whose client bounds calls by a timeout of its own (gomemcache takes no
// context) sets that timeout to it.
const FaultTimeout = 100 * time.Millisecond

const (
	faultHandlerTime = 20 * time.Millisecond
	// A request waits the operation timeout once at most: its lookup, or
	// the store of its response (which happens before the response
	// completes) when the lookup worked; a request whose lookup failed does
	// not wait on the backend again. The slack covers scheduling on a
	// loaded 2-core machine under -race. A request stuck on a stalled
	// server would take seconds.
	faultSlack    = 500 * time.Millisecond
	faultMaxWait  = FaultTimeout + faultHandlerTime + faultSlack
	faultPaths    = 5 // per client
	faultClients  = 8
	faultCooldown = 200 * time.Millisecond
)

// Faults serves cached HTTP responses over backend (through the engine's
// own net/http middleware) while srv,
// the backend's server, is killed and restarted on the same port (empty),
// then stalled (SIGSTOP) for longer than the operation timeout and resumed.
// Every response must stay correct, no request may wait much longer than
// one operation timeout plus the handler's time, nothing is a hit
// while the server is dead, and caching must come back within seconds of
// the server. Entries live in a namespace, so every hit also checks the
// namespace's generation, which the restart wipes.
func Faults(t *testing.T, srv *testserver.Server, backend hoard.Backend) {
	if testing.Short() {
		t.Skip("fault test: -short")
	}
	cache, err := hoard.New(backend, hoard.WithTimeout(FaultTimeout), hoard.WithCircuitBreaker(3, faultCooldown),
		hoard.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := httpcache.New(cache, httpcache.WithTTL(time.Minute), httpcache.WithNamespace("items"))
	if err != nil {
		t.Fatal(err)
	}
	var handlerRuns atomic.Int64
	mux := http.NewServeMux()
	mux.Handle("GET /item/{id}", engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerRuns.Add(1)
		time.Sleep(faultHandlerTime)
		fmt.Fprintf(w, "item %s", r.PathValue("id"))
	})))
	web := httptest.NewServer(mux)
	t.Cleanup(web.Close)
	f := &faultLoad{t: t, url: web.URL, client: web.Client()}

	if warm := f.phase("warm", time.Second, nil); warm.hits.Load() == 0 {
		t.Fatal("warm: nothing was served from the cache")
	}
	f.phase("killed", 1500*time.Millisecond, func() {
		time.Sleep(200 * time.Millisecond)
		srv.Stop()
	})
	runsBefore := handlerRuns.Load()
	if down := f.phase("down", time.Second, nil); down.hits.Load() != 0 {
		t.Errorf("down: %d hits with the server dead", down.hits.Load())
	}
	if handlerRuns.Load() == runsBefore {
		t.Error("down: the handler never ran, so nothing answered the requests")
	}

	// The client's pool and the breaker (after its cool-down) both probe
	// the server again, so caching must be back within a few seconds.
	waitForHits := func(name string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for f.phase(name, 500*time.Millisecond, nil).hits.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no cache hit within 10s (breaker %s)", name, cache.BreakerState())
			}
		}
	}
	srv.Restart()
	waitForHits("restarted")

	// A stalled server keeps its connections but answers nothing: only the
	// timeouts end a call to it, so requests must still finish in time.
	f.phase("stalled", 1500*time.Millisecond, func() {
		time.Sleep(200 * time.Millisecond)
		srv.Pause()
	})
	srv.Resume()
	waitForHits("resumed")
}

// faultLoad sends requests from several clients and checks every answer.
// Each client has its own paths, so the engine coalesces no two requests: a
// HIT is a hit in the backend.
type faultLoad struct {
	t      *testing.T
	url    string
	client *http.Client
}

type faultTally struct {
	requests, hits atomic.Int64
	slowest        atomic.Int64 // nanoseconds
}

// phase runs the load for d, calling during (if any) meanwhile, and checks
// that requests completed, none of them too slowly.
func (f *faultLoad) phase(name string, d time.Duration, during func()) *faultTally {
	f.t.Helper()
	tl := &faultTally{}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan struct{})
	go func() { f.run(ctx, tl); close(done) }()
	if during != nil {
		during()
	}
	<-done
	slowest := time.Duration(tl.slowest.Load())
	f.t.Logf("%s: %d requests, %d hits, slowest %v", name, tl.requests.Load(), tl.hits.Load(), slowest)
	if slowest > faultMaxWait {
		f.t.Errorf("%s: a request took %v, more than the timeout %v + handler %v (+%v slack)",
			name, slowest, FaultTimeout, faultHandlerTime, faultSlack)
	}
	if tl.requests.Load() == 0 {
		f.t.Errorf("%s: no request completed", name)
	}
	return tl
}

func (f *faultLoad) run(ctx context.Context, tl *faultTally) {
	var wg sync.WaitGroup
	for c := range faultClients {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				id := fmt.Sprint(c, "-", i%faultPaths)
				start := time.Now()
				resp, err := f.client.Get(f.url + "/item/" + id)
				if err != nil {
					f.t.Errorf("GET /item/%s: %v", id, err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				took := time.Since(start)
				if err != nil || resp.StatusCode != http.StatusOK || string(body) != "item "+id {
					f.t.Errorf("GET /item/%s = %d %q, %v", id, resp.StatusCode, body, err)
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
