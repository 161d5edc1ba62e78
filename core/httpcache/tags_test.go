package httpcache

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// TestTagsFuncOnlyOnMisses: the route's tags function runs for requests
// that run the handler, not for hits (a remote backend's included, which
// are not answered from the hot table).
func TestTagsFuncOnlyOnMisses(t *testing.T) {
	var calls atomic.Int32
	e := newEngine(t, plainStore{newMemoStore()}, nil, WithTagsFunc(func(r Request) []string {
		calls.Add(1)
		return []string{"item"}
	}))
	h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("item")) }))
	for i, want := range []string{"MISS", "HIT", "HIT", "HIT", "HIT"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/item", nil))
		if got := w.Header().Get("X-Cache"); got != want {
			t.Fatalf("request %d: X-Cache %q, want %s", i, got, want)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the tags function ran %d times for 1 miss and 4 hits, want 1", n)
	}
}
