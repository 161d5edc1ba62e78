package httpcache

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
