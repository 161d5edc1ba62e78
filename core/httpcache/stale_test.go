package httpcache

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// TestStaleIfErrorCoalesced: requests that waited on a handler run that
// failed are served the stale response too, not the failure, and the
// handler ran once for all of them.
func TestStaleIfErrorCoalesced(t *testing.T) {
	clk := newTestClock()
	e := newEngine(t, newMemoStore(), []hoard.Option{clk.option()}, WithTTL(10*time.Second), WithStaleIfError(time.Minute))
	var mu sync.Mutex
	runs, failing := 0, false
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		runs++
		fail := failing
		mu.Unlock()
		if fail {
			entered <- struct{}{}
			<-release
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("good"))
	}))
	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/r", nil))
		return w
	}
	if w := get(); w.Body.String() != "good" {
		t.Fatalf("first: %q", w.Body.String())
	}
	clk.advance(11 * time.Second)
	mu.Lock()
	failing = true
	mu.Unlock()

	const followers = 5
	results := make(chan *httptest.ResponseRecorder, followers+1)
	go func() { results <- get() }()
	<-entered // the leader runs the handler
	for range followers {
		go func() { results <- get() }()
	}
	// Wait until every follower waits on the leader's flight.
	for deadline := time.Now().Add(5 * time.Second); ; {
		e.flights.mu.Lock()
		var n int32
		for _, f := range e.flights.m {
			n = f.waiters.Load()
		}
		e.flights.mu.Unlock()
		if n == followers {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d requests wait on the flight", n, followers)
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	for range followers + 1 {
		w := <-results
		if w.Code != 200 || w.Body.String() != "good" || w.Header().Get("X-Cache") != "STALE" ||
			!strings.Contains(w.Header().Get("Cache-Status"), "detail=stale-if-error") {
			t.Errorf("got %d %q X-Cache %q Cache-Status %q; want the stale 200", w.Code, w.Body.String(),
				w.Header().Get("X-Cache"), w.Header().Get("Cache-Status"))
		}
	}
	if runs != 2 {
		t.Errorf("the handler ran %d times, want 2 (the first miss and one failed run)", runs)
	}
}

// TestRefreshWithoutServerKeepsVary: a request that came through no
// net/http server is replayed through the engine's own handler, without
// the middleware outside it; what it stores still varies on everything
// the response it replaces varied on (here an outer Vary: Cookie), so one
// user's refreshed page never reaches another.
func TestRefreshWithoutServerKeepsVary(t *testing.T) {
	clk := newTestClock()
	e := newEngine(t, newMemoStore(), []hoard.Option{clk.option()})
	var version atomic.Int32
	version.Store(1)
	inner := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=10, stale-while-revalidate=60")
		w.Header().Add("Vary", "Accept-Encoding") // its own, beside the outer one
		fmt.Fprintf(w, "v%d %s", version.Load(), r.Header.Get("Cookie"))
	}))
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Cookie") // a session middleware's
		inner.ServeHTTP(w, r)
	})
	get := func(cookie string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/p", nil)
		r.Header.Set("Cookie", cookie)
		outer.ServeHTTP(w, r)
		return w
	}
	if w := get("a"); w.Body.String() != "v1 a" {
		t.Fatalf("first: %q", w.Body.String())
	}
	clk.advance(11 * time.Second)
	version.Store(2)
	if w := get("a"); w.Body.String() != "v1 a" || w.Header().Get("X-Cache") != "STALE" {
		t.Fatalf("stale: %q %q", w.Body.String(), w.Header().Get("X-Cache"))
	}
	for deadline := time.Now().Add(5 * time.Second); get("a").Body.String() != "v2 a"; {
		if time.Now().After(deadline) {
			t.Fatal("the refresh was not stored within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if w := get("b"); w.Body.String() != "v2 b" {
		t.Fatalf("another user got %q (X-Cache %q), want their own page", w.Body.String(), w.Header().Get("X-Cache"))
	}
}

// TestRefreshNotReachingEngineFreesSlot: a replayed refresh that a
// middleware answers before it reaches the engine still ends, so it does
// not hold one of the Cache's background refreshes for the whole lease.
func TestRefreshNotReachingEngineFreesSlot(t *testing.T) {
	clk := newTestClock()
	e := newEngine(t, newMemoStore(), []hoard.Option{clk.option(), hoard.WithBackgroundRefreshes(1)})
	var version atomic.Int32
	version.Store(1)
	inner := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=10, stale-while-revalidate=600")
		fmt.Fprintf(w, "v%d", version.Load())
	}))
	dropped := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" && r.Header.Get(refreshField) != "" {
			w.WriteHeader(http.StatusForbidden) // say, a rate limiter
			dropped <- struct{}{}
			return
		}
		inner.ServeHTTP(w, r)
	})}
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", path, nil)
		r = r.WithContext(context.WithValue(r.Context(), http.ServerContextKey, srv))
		srv.Handler.ServeHTTP(w, r)
		return w
	}
	get("/a")
	get("/b")
	clk.advance(11 * time.Second)
	version.Store(2)
	if w := get("/a"); w.Body.String() != "v1" || w.Header().Get("X-Cache") != "STALE" {
		t.Fatalf("/a: %q %q", w.Body.String(), w.Header().Get("X-Cache"))
	}
	<-dropped
	// /a's refresh never reached the engine; /b's may run all the same.
	for deadline := time.Now().Add(5 * time.Second); get("/b").Body.String() != "v2"; {
		if time.Now().After(deadline) {
			t.Fatal("/b was not refreshed within 5s: /a's lost refresh holds the only slot")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(dropped); n != 0 {
		t.Fatalf("/a was replayed %d more times", n)
	}
}

// TestRevalidationStoresOnlyTheHandlersFields: what a 304 updates in the
// stored response is the handler's: a request id that outer middleware
// sets on every request is not stored from it, so no later hit carries
// another request's id.
func TestRevalidationStoresOnlyTheHandlersFields(t *testing.T) {
	clk := newTestClock()
	e := newEngine(t, newMemoStore(), []hoard.Option{clk.option()})
	inner := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "max-age=10")
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		_, _ = w.Write([]byte("body"))
	}))
	var ids atomic.Int32
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", fmt.Sprint(ids.Add(1)))
		inner.ServeHTTP(w, r)
	})
	get := func() *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		outer.ServeHTTP(w, httptest.NewRequest("GET", "/r", nil))
		return w
	}
	get()
	clk.advance(11 * time.Second)
	if w := get(); w.Header().Get("X-Cache") != "REVALIDATED" {
		t.Fatalf("second request: X-Cache %q, want REVALIDATED", w.Header().Get("X-Cache"))
	}
	w := get()
	if xc, id := w.Header().Values("X-Cache"), w.Header().Values("X-Request-Id"); len(xc) != 1 || xc[0] != "HIT" || len(id) != 1 || id[0] != "3" {
		t.Fatalf("hit after the 304: X-Cache %q, X-Request-Id %q; want [HIT] and this request's [3]", xc, id)
	}
}
