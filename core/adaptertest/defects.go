package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Scenarios for defects that independent probes found in earlier versions
// of hoard; each failed then.

// hungUpClientStoresNothing: a client that hangs up mid-body must not leave
// the part it got stored as a complete response. The probe: a good entry,
// then a refresh (no-cache) whose client reads 4 KiB and hangs up while
// the handler writes on; the entry must still give the whole body.
func hungUpClientStoresNothing(s *suite, t *testing.T) {
	const chunks, size = 64, 4 << 10 // 256 KiB: within every backend's item limit
	chunk := strings.Repeat("0123456789abcdef", size/16)
	whole := strings.Repeat(chunk, chunks)
	hungUp := make(chan struct{})
	lastWrite := make(chan struct{})
	h := &Handler{Build: func(r Request) Response {
		resp := Response{Header: [][2]string{{"Content-Type", "text/plain"}}, Chunks: make([]string, chunks), Stream: true}
		for i := range resp.Chunks {
			resp.Chunks[i] = chunk
		}
		if r.Header.Get("Cache-Control") == "no-cache" {
			resp.Gate = func(i int) {
				switch i {
				case 1: // the client has its first chunk: wait for it to leave
					select {
					case <-hungUp:
					case <-time.After(10 * time.Second):
					}
				case chunks - 1:
					close(lastWrite)
				}
			}
		}
		return resp
	}}
	e := s.start(t, nil, []Route{{Path: "/big", Handler: h}})
	stored := "HIT"
	if s.cfg.flushedNotStored {
		stored = "MISS"
	}
	e.expect(e.get("/big"), 200, "MISS", whole)
	e.expect(e.get("/big"), 200, stored, whole)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, e.base+"/big", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cache-Control", "no-cache")
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, size)); err != nil {
		t.Fatalf("reading the first chunk: %v", err)
	}
	res.Body.Close() // unread data left: the connection is reset
	tr.CloseIdleConnections()
	close(hungUp)
	select {
	case <-lastWrite:
	case <-time.After(20 * time.Second):
		t.Fatal("the handler did not write on after the client left")
	}
	// The refresh's outcome lands right after its handler returns; every
	// request from now on must get the whole body.
	for i := 0; i < 50; i++ {
		r := e.get("/big")
		if r.status != 200 || r.body != whole {
			t.Fatalf("request %d after the hang-up: %d %s, %d of %d bytes: a truncated body was stored",
				i, r.status, r.xcache(), len(r.body), len(whole))
		}
	}
}

// outerMiddlewareFieldsCount: fields that middleware outside the cache set
// before it ran count in every storage decision: a session middleware's
// Set-Cookie or Cache-Control: private make the response unstorable, and
// its Vary: Cookie stores it for that cookie alone; a request id does not
// count.
func outerMiddlewareFieldsCount(s *suite, t *testing.T) {
	page := &Handler{Build: func(r Request) Response {
		return Response{Chunks: []string{"page for " + r.Header.Get("Cookie")}}
	}}
	e := s.start(t, nil, []Route{
		{Path: "/vary", Handler: page, Outer: [][2]string{{"Vary", "Cookie"}}},
		{Path: "/cookie", Handler: page, Outer: [][2]string{{"Set-Cookie", "sid=1"}}},
		{Path: "/private", Handler: page, Outer: [][2]string{{"Cache-Control", "private"}}},
		{Path: "/id", Handler: page, Outer: [][2]string{{"X-Request-Id", "r1"}}},
	})
	e.expect(e.get("/vary", "Cookie", "user=a"), 200, "MISS", "page for user=a")
	e.expect(e.get("/vary", "Cookie", "user=b"), 200, "MISS", "page for user=b")
	e.expect(e.get("/vary", "Cookie", "user=a"), 200, "HIT", "page for user=a")
	e.expect(e.get("/vary", "Cookie", "user=b"), 200, "HIT", "page for user=b")
	for _, path := range []string{"/cookie", "/private"} {
		e.expect(e.get(path, "Cookie", "user=a"), 200, "MISS", "page for user=a")
		e.expect(e.get(path, "Cookie", "user=b"), 200, "MISS", "page for user=b")
	}
	e.expect(e.get("/id"), 200, "MISS", "page for ")
	r := e.get("/id")
	e.expect(r, 200, "HIT", "page for ")
	if ids := r.header.Values("X-Request-Id"); len(ids) != 1 {
		t.Errorf("hit X-Request-Id %q: the middleware's field must be sent once", ids)
	}
}

// lowerCaseFieldNames: fields a handler writes straight into the header
// map under a lower-case name (w.Header()["set-cookie"] = ...) are seen
// like any other.
func lowerCaseFieldNames(s *suite, t *testing.T) {
	var n atomic.Int64
	cookie := &Handler{Build: func(Request) Response {
		return Response{RawHeader: [][2]string{{"set-cookie", fmt.Sprintf("session=user%d", n.Add(1))}}, Chunks: []string{"welcome"}}
	}}
	private := &Handler{Build: func(Request) Response {
		return Response{RawHeader: [][2]string{{"cache-control", "private, no-store"}}, Chunks: []string{"secret"}}
	}}
	varies := &Handler{Build: func(r Request) Response {
		return Response{RawHeader: [][2]string{{"vary", "Accept-Language"}}, Chunks: []string{"lang " + r.Header.Get("Accept-Language")}}
	}}
	e := s.start(t, nil, []Route{{Path: "/cookie", Handler: cookie}, {Path: "/private", Handler: private}, {Path: "/vary", Handler: varies}})
	a, b := e.get("/cookie"), e.get("/cookie")
	e.expect(b, 200, "MISS", "welcome")
	if a.header.Get("Set-Cookie") == b.header.Get("Set-Cookie") {
		t.Errorf("two clients got the cookie %q", a.header.Get("Set-Cookie"))
	}
	e.expect(e.get("/private"), 200, "MISS", "secret")
	r := e.get("/private")
	e.expect(r, 200, "MISS", "secret")
	if cc := r.header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "private, no-store" {
		t.Errorf("Cache-Control %q: hoard must neither store nor add to it", cc)
	}
	e.expect(e.get("/vary", "Accept-Language", "en"), 200, "MISS", "lang en")
	e.expect(e.get("/vary", "Accept-Language", "fr"), 200, "MISS", "lang fr")
}

// queryNamesDecoded: query parameters are ordered by their names as a
// handler decodes them, so ?a=1&%61=2 and ?%61=2&a=1 (a=[1 2] and
// a=[2 1] to the handler) are two entries, while ?b=1&%61=2 and
// ?%61=2&b=1 are one.
func queryNamesDecoded(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response {
		q, _ := url.ParseQuery(r.Query)
		return Response{Chunks: []string{fmt.Sprint("a=", q["a"], " b=", q["b"])}}
	}}
	e := s.start(t, nil, []Route{{Path: "/q", Handler: h}})
	e.expect(e.get("/q?a=1&%61=2"), 200, "MISS", "a=[1 2] b=[]")
	e.expect(e.get("/q?%61=2&a=1"), 200, "MISS", "a=[2 1] b=[]")
	e.expect(e.get("/q?a=1&%61=2"), 200, "HIT", "a=[1 2] b=[]")
	e.expect(e.get("/q?b=1&%61=2"), 200, "MISS", "a=[2] b=[1]")
	e.expect(e.get("/q?%61=2&b=1"), 200, "HIT", "a=[2] b=[1]")
}

// duplicateAndInvalidDirectives: a response's freshness directives are
// read as RFC 9111 sections 4.2.1 and 1.2.2 say: the first of a duplicate
// counts, and an invalid value means stale.
func duplicateAndInvalidDirectives(s *suite, t *testing.T) {
	for _, tc := range []struct {
		name   string
		cc     []string // one Cache-Control field per value
		stored time.Duration
	}{
		{"max-age 0 then 60", []string{"max-age=0, max-age=60"}, 0},
		{"negative max-age", []string{"max-age=-5"}, 0},
		{"non-numeric max-age", []string{"max-age=abc"}, 0},
		{"empty max-age", []string{"max-age="}, 0},
		{"s-maxage 0 then 60", []string{"s-maxage=0, s-maxage=60"}, 0},
		{"s-maxage 30 then 0", []string{"s-maxage=30, s-maxage=0"}, 30 * time.Second},
		{"s-maxage in two fields", []string{"s-maxage=30", "s-maxage=0"}, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr [][2]string
			for _, v := range tc.cc {
				hdr = append(hdr, [2]string{"Cache-Control", v})
			}
			h := &Handler{Build: func(Request) Response { return Response{Header: hdr, Chunks: []string{"body"}} }}
			e := s.start(t, nil, []Route{{Path: "/d", Handler: h, Options: []httpcache.Option{httpcache.WithTTL(time.Hour)}}})
			e.expect(e.get("/d"), 200, "MISS", "body")
			if tc.stored == 0 {
				e.expect(e.get("/d"), 200, "MISS", "body")
				return
			}
			e.clk.Advance(tc.stored - time.Second)
			e.expect(e.get("/d"), 200, "HIT", "body")
			e.clk.Advance(2 * time.Second)
			e.expect(e.get("/d"), 200, "MISS", "body")
		})
	}
}

// hangingBackendWaitsOnce: with a backend that hangs, a miss waits the
// operation timeout once (its lookup), not twice (lookup, then store).
func hangingBackendWaitsOnce(s *suite, t *testing.T) {
	b := &hangingBackend{}
	h := &Handler{}
	e := s.start(t, b, []Route{{Path: "/hang", Handler: h}},
		hoard.WithTimeout(50*time.Millisecond), hoard.WithCircuitBreaker(0, 0))
	for i := 1; i <= 3; i++ {
		e.expect(e.get("/hang"), 200, "MISS", "ok /hang?")
		if got := b.waited.Load(); got != int64(i) {
			t.Fatalf("after %d requests the backend was waited on %d times, want once per request", i, got)
		}
	}
}

// hangingBackend blocks every call until its context ends, as a stalled
// server does.
type hangingBackend struct{ waited atomic.Int64 }

func (b *hangingBackend) wait(ctx context.Context) error {
	<-ctx.Done()
	b.waited.Add(1)
	return ctx.Err()
}

func (b *hangingBackend) Get(ctx context.Context, _ string) ([]byte, error) {
	return nil, b.wait(ctx)
}

func (b *hangingBackend) Set(ctx context.Context, _ string, _ []byte, _ time.Duration) error {
	return b.wait(ctx)
}

func (b *hangingBackend) Delete(ctx context.Context, _ string) error { return b.wait(ctx) }

// optionEdges: a cache header cannot take a field hoard writes itself
// (Cache-Status would mix X-Cache's values into RFC 9211's field), and
// the Cache-Control a route sends is the same on a miss and on its hits,
// for a route without expiry and one under a second.
func optionEdges(s *suite, t *testing.T) {
	c, err := hoard.New(s.cfg.newBackend(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Cache-Status", "cache-status", "Age", "Cache-Control", "bad name"} {
		if _, err := httpcache.New(c, httpcache.WithCacheHeader(name)); !errors.Is(err, hoard.ErrInvalidOption) {
			t.Errorf("WithCacheHeader(%q): %v, want an error wrapping hoard.ErrInvalidOption", name, err)
		}
	}
	e := s.start(t, nil, []Route{
		{Path: "/forever", Handler: &Handler{}, Options: []httpcache.Option{httpcache.WithTTL(hoard.NoExpiry)}},
		{Path: "/brief", Handler: &Handler{}, Options: []httpcache.Option{httpcache.WithTTL(500 * time.Millisecond)}},
	})
	for _, tc := range []struct{ path, cc string }{{"/forever", "max-age=31536000"}, {"/brief", "max-age=0"}} {
		for _, want := range []string{"MISS", "HIT"} {
			r := e.get(tc.path)
			e.expect(r, 200, want, "ok "+tc.path+"?")
			if got := r.header.Get("Cache-Control"); got != tc.cc {
				t.Errorf("%s %s: Cache-Control %q, want %q", tc.path, want, got, tc.cc)
			}
		}
	}
}
