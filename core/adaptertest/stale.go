package adaptertest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/httpcache"
)

// Scenarios of serving stale on purpose (RFC 5861).

// failingOrigin is a handler that can be told to fail: answer 503, fail
// the framework's way (Err), or panic; otherwise it serves its version.
type failingOrigin struct {
	mu      sync.Mutex
	mode    string // "", "500", "502", "503", "504", "err", "panic"
	version int
	header  []string
}

func (o *failingOrigin) set(mode string, version int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mode, o.version = mode, version
}

func (o *failingOrigin) handler() *Handler {
	return &Handler{Build: func(Request) Response {
		o.mu.Lock()
		defer o.mu.Unlock()
		switch o.mode {
		case "503":
			return Response{Status: 503, Header: [][2]string{{"Retry-After", "5"}, {"X-Failure", "yes"}}, Chunks: []string{"down"}}
		case "502":
			return Response{Status: 502, Chunks: []string{"unreachable"}}
		case "500":
			return Response{Status: 500, Chunks: []string{"broken"}}
		case "504": // its own upstream timed out
			return Response{Status: 504, Chunks: []string{"timed out"}}
		case "err":
			return Response{Err: true}
		case "panic":
			return Response{Panic: true}
		}
		return Response{Header: pairs(o.header), Chunks: []string{fmt.Sprintf("version %d", o.version)}}
	}}
}

// staleIfError: when the handler run that was to replace a stale response
// fails (500, 503, 504 for a timeout, an error, a panic), the stale response is served instead,
// within the window the route (WithStaleIfError) or the response
// (stale-if-error=N) sets, and none of the failure's fields leak into it;
// past the window, or for a must-revalidate response, the failure goes
// through, except that a must-revalidate response whose handler could not
// be reached (502, 504, an error, a panic) gets 504. Outer middleware's
// fields are those of the request.
func staleIfError(s *suite, t *testing.T) {
	t.Run("route option", func(t *testing.T) {
		o := &failingOrigin{version: 1}
		h := o.handler()
		e := s.start(t, nil, []Route{{Path: "/s", Handler: h, Outer: [][2]string{{"X-Request-Id", "outer"}},
			Options: []httpcache.Option{httpcache.WithTTL(10 * time.Second), httpcache.WithStaleIfError(time.Minute)}}})
		e.expect(e.get("/s"), 200, "MISS", "version 1")
		e.clk.Advance(11 * time.Second)
		for _, mode := range []string{"500", "503", "504", "err", "panic"} {
			o.set(mode, 1)
			r := e.get("/s")
			e.expect(r, 200, "STALE", "version 1")
			if r.header.Get("Retry-After") != "" || r.header.Get("X-Failure") != "" || r.header.Get("X-Request-Id") != "outer" {
				t.Fatalf("%s: the stale response carries Retry-After %q, X-Failure %q, X-Request-Id %q", mode,
					r.header.Get("Retry-After"), r.header.Get("X-Failure"), r.header.Get("X-Request-Id"))
			}
			if cs := r.header.Get("Cache-Status"); !strings.Contains(cs, "detail=stale-if-error") {
				t.Fatalf("%s: Cache-Status %q", mode, cs)
			}
		}
		o.set("", 2)
		e.expect(e.get("/s"), 200, "MISS", "version 2") // the handler is back: replaced
		e.expect(e.get("/s"), 200, "HIT", "version 2")
		e.clk.Advance(71 * time.Second) // past freshness and the window
		o.set("503", 2)
		e.expect(e.get("/s"), 503, "MISS", "down")
	})
	t.Run("response directive", func(t *testing.T) {
		o := &failingOrigin{version: 1, header: []string{"Cache-Control", "max-age=10, stale-if-error=30"}}
		e := s.start(t, nil, []Route{{Path: "/d", Handler: o.handler()}})
		e.expect(e.get("/d"), 200, "MISS", "version 1")
		e.clk.Advance(20 * time.Second)
		o.set("503", 1)
		e.expect(e.get("/d"), 200, "STALE", "version 1")
		e.clk.Advance(25 * time.Second) // 35s stale
		e.expect(e.get("/d"), 503, "MISS", "down")
	})
	t.Run("grace while failing", func(t *testing.T) {
		// WithGrace: after three failures in a row, entries up to an hour
		// stale are served instead of the failure, until the handler
		// succeeds again.
		o := &failingOrigin{version: 1}
		e := s.start(t, nil, []Route{{Path: "/g", Handler: o.handler(),
			Options: []httpcache.Option{httpcache.WithTTL(10 * time.Second), httpcache.WithGrace(time.Hour)}}})
		e.expect(e.get("/g"), 200, "MISS", "version 1")
		e.clk.Advance(10 * time.Minute)
		o.set("503", 1)
		for range 3 {
			e.expect(e.get("/g"), 503, "MISS", "down") // not yet known to be failing
		}
		e.expect(e.get("/g"), 200, "STALE", "version 1")
		e.expect(e.get("/g"), 200, "STALE", "version 1")
		o.set("", 2)
		e.expect(e.get("/g"), 200, "MISS", "version 2") // healthy again
		e.clk.Advance(11 * time.Second)
		o.set("503", 2)
		e.expect(e.get("/g"), 503, "MISS", "down")
	})
	t.Run("s-maxage in shared mode", func(t *testing.T) {
		// s-maxage carries proxy-revalidate's meaning for a shared cache.
		o := &failingOrigin{version: 1, header: []string{"Cache-Control", "s-maxage=10"}}
		e := s.start(t, nil, []Route{{Path: "/x", Handler: o.handler(), Options: []httpcache.Option{
			httpcache.WithMode(httpcache.SharedCache), httpcache.WithStaleIfError(time.Minute)}}})
		e.expect(e.get("/x"), 200, "MISS", "version 1")
		e.clk.Advance(11 * time.Second)
		o.set("503", 1)
		e.expect(e.get("/x"), 503, "MISS", "down")
	})
	t.Run("must-revalidate", func(t *testing.T) {
		o := &failingOrigin{version: 1, header: []string{"Cache-Control", "max-age=10, must-revalidate"}}
		e := s.start(t, nil, []Route{{Path: "/m", Handler: o.handler(),
			Options: []httpcache.Option{httpcache.WithStaleIfError(time.Minute)}}})
		e.expect(e.get("/m"), 200, "MISS", "version 1")
		e.clk.Advance(11 * time.Second)
		o.set("503", 1)
		e.expect(e.get("/m"), 503, "MISS", "down") // the handler answered: its answer
		// It could not be reached (502, a panic): 504, never the stale
		// response (RFC 9111 section 4.2.4).
		for _, mode := range []string{"502", "panic"} {
			o.set(mode, 1)
			r := e.get("/m")
			e.expect(r, 504, "MISS", "")
			if cs := r.header.Get("Cache-Status"); !strings.Contains(cs, "detail=must-revalidate") {
				t.Fatalf("%s: Cache-Status %q", mode, cs)
			}
		}
	})
}

// staleWhileRevalidate: within its window (stale-while-revalidate=N, or
// WithStaleWhileRevalidate) a stale response is served at once and one
// background request, the client's replayed through the application,
// revalidates it with the stored validator and stores the answer; the
// requests meanwhile get the stale response without starting another.
// Past the window, or for must-revalidate, the request waits as usual.
func staleWhileRevalidate(s *suite, t *testing.T) {
	const cc = "max-age=10, stale-while-revalidate=60"
	t.Run("refreshed in the background", func(t *testing.T) {
		o := &origin{}
		o.set(1, "Cache-Control", cc)
		h := o.handler()
		e := s.start(t, nil, []Route{{Path: "/w", Handler: h}})
		e.expect(e.get("/w"), 200, "MISS", "version 1")
		e.clk.Advance(11 * time.Second)
		o.set(2, "Cache-Control", cc)
		r := e.get("/w")
		e.expect(r, 200, "STALE", "version 1")
		if cs := r.header.Get("Cache-Status"); !strings.Contains(cs, "detail=stale-while-revalidate") {
			t.Fatalf("Cache-Status %q", cs)
		}
		// Concurrent requests meanwhile are answered at once, from the stale
		// entry or (once it is done) the refreshed one, and start no other
		// refresh.
		var wg sync.WaitGroup
		bodies := make(chan string, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.get("/w")
				bodies <- r.xcache() + " " + r.body
			}()
		}
		wg.Wait()
		close(bodies)
		for b := range bodies {
			if b != "STALE version 1" && b != "HIT version 2" {
				t.Fatalf("a concurrent request got %q", b)
			}
		}
		// The refresh runs on its own: wait for its answer to be stored.
		e.eventually(func() bool { return e.get("/w").body == "version 2" })
		e.expect(e.get("/w"), 200, "HIT", "version 2")
		seen := o.seen()
		if len(seen) != 2 || seen[1] != `"v1"` {
			t.Fatalf("the handler saw If-None-Match %q: want one refresh, conditional on the stored ETag", seen)
		}
		if st := e.cache.Stats(); st.Refresh != 1 || st.Stale == 0 {
			t.Errorf("Stats: %d refreshes, %d served stale; want 1 and some", st.Refresh, st.Stale)
		}
	})
	t.Run("unchanged: 304 freshens", func(t *testing.T) {
		o := &origin{}
		o.set(1, "Cache-Control", cc, "X-Fields", "first")
		e := s.start(t, nil, []Route{{Path: "/u", Handler: o.handler(),
			Options: []httpcache.Option{httpcache.WithStaleWhileRevalidate(time.Minute)}}})
		e.expect(e.get("/u"), 200, "MISS", "version 1")
		e.clk.Advance(11 * time.Second)
		o.set(1, "Cache-Control", cc, "X-Fields", "second")
		e.expect(e.get("/u"), 200, "STALE", "version 1")
		e.eventually(func() bool { return e.get("/u").xcache() == "HIT" })
		r := e.get("/u")
		e.expect(r, 200, "HIT", "version 1")
		if r.header.Get("X-Fields") != "second" {
			t.Fatalf("X-Fields %q after the 304, want second", r.header.Get("X-Fields"))
		}
	})
	t.Run("outer Vary kept", func(t *testing.T) {
		// A session middleware outside the cache says Vary: Cookie; the
		// refresh must store the response under the same partition, never
		// as one for every user.
		var mu sync.Mutex
		version := 1
		h := &Handler{Build: func(r Request) Response {
			mu.Lock()
			defer mu.Unlock()
			return Response{Header: [][2]string{{"Cache-Control", cc}},
				Chunks: []string{fmt.Sprintf("version %d for %s", version, r.Header.Get("Cookie"))}}
		}}
		e := s.start(t, nil, []Route{{Path: "/o", Handler: h, Outer: [][2]string{{"Vary", "Cookie"}}}})
		e.expect(e.get("/o", "Cookie", "a"), 200, "MISS", "version 1 for a")
		e.clk.Advance(11 * time.Second)
		mu.Lock()
		version = 2
		mu.Unlock()
		e.expect(e.get("/o", "Cookie", "a"), 200, "STALE", "version 1 for a")
		e.eventually(func() bool { return e.get("/o", "Cookie", "a").body == "version 2 for a" })
		e.expect(e.get("/o", "Cookie", "b"), 200, "MISS", "version 2 for b")
		e.expect(e.get("/o", "Cookie", "a"), 200, "HIT", "version 2 for a")
	})
	t.Run("past the window", func(t *testing.T) {
		o := &origin{}
		o.set(1, "Cache-Control", cc)
		e := s.start(t, nil, []Route{{Path: "/p", Handler: o.handler()}})
		e.expect(e.get("/p"), 200, "MISS", "version 1")
		e.clk.Advance(75 * time.Second)
		o.set(2, "Cache-Control", cc)
		e.expect(e.get("/p"), 200, "MISS", "version 2")
	})
	t.Run("must-revalidate", func(t *testing.T) {
		o := &origin{}
		o.set(1, "Cache-Control", cc+", must-revalidate")
		e := s.start(t, nil, []Route{{Path: "/m", Handler: o.handler()}})
		e.expect(e.get("/m"), 200, "MISS", "version 1")
		e.clk.Advance(11 * time.Second)
		o.set(2, "Cache-Control", cc+", must-revalidate")
		e.expect(e.get("/m"), 200, "MISS", "version 2")
	})
}
