package adaptertest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/httpcache"
)

// Scenarios of HTTP freshness (RFC 9111 sections 3 to 5): what a response
// says about its lifetime, validation, the request's directives, Age and
// Date, writes that invalidate, and ranges.

// origin is a handler with a validator of its own, as a real resource
// has: it answers a matching If-None-Match with 304, records what it saw,
// and serves the version set last.
type origin struct {
	mu      sync.Mutex
	version int
	header  [][2]string // extra fields on every response (the 304 too)
	inm     []string    // the If-None-Match of each run ("" when none)
}

func (o *origin) set(version int, header ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.version, o.header = version, pairs(header)
}

func (o *origin) seen() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.inm...)
}

func (o *origin) handler() *Handler {
	return &Handler{Build: func(r Request) Response {
		o.mu.Lock()
		defer o.mu.Unlock()
		inm := r.Header.Get("If-None-Match")
		o.inm = append(o.inm, inm)
		etag := fmt.Sprintf(`"v%d"`, o.version)
		hdr := append([][2]string{{"ETag", etag}}, o.header...)
		if inm == etag {
			return Response{Status: http.StatusNotModified, Header: hdr}
		}
		return Response{Header: hdr, Chunks: []string{fmt.Sprintf("version %d", o.version)}}
	}}
}

// responseFreshnessWins: in the default (application) mode a response's
// own max-age, s-maxage or Expires with Date sets its lifetime, less its
// upstream Age; the route's TTL applies when it says nothing, and
// WithMaxTTL caps the lifetime.
func responseFreshnessWins(s *suite, t *testing.T) {
	date := time.Unix(1_700_000_000, 0).UTC() // the suite's clock starts here
	tests := []struct {
		name  string
		hdr   []string
		opts  []httpcache.Option
		fresh time.Duration // how long a hit comes from the entry
		age   string        // the first hit's Age
	}{
		{"max-age", []string{"Cache-Control", "max-age=10"}, nil, 10 * time.Second, "0"},
		{"s-maxage over max-age", []string{"Cache-Control", "max-age=10, s-maxage=20"}, nil, 20 * time.Second, "0"},
		{"Expires with Date", []string{"Expires", date.Add(30 * time.Second).Format(http.TimeFormat), "Date", date.Format(http.TimeFormat)}, nil, 30 * time.Second, "0"},
		{"upstream Age", []string{"Cache-Control", "max-age=10", "Age", "4"}, nil, 6 * time.Second, "4"},
		{"route TTL when silent", nil, []httpcache.Option{httpcache.WithTTL(40 * time.Second)}, 40 * time.Second, "0"},
		{"capped", []string{"Cache-Control", "max-age=600"}, []httpcache.Option{httpcache.WithMaxTTL(15 * time.Second)}, 15 * time.Second, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]httpcache.Option{httpcache.WithTTL(time.Hour)}, tc.opts...)
			e := s.start(t, nil, []Route{{Path: "/f", Handler: static("body", tc.hdr...), Options: opts}})
			e.expect(e.get("/f"), 200, "MISS", "body")
			r := e.get("/f")
			e.expect(r, 200, "HIT", "body")
			if r.header.Get("Age") != tc.age {
				t.Errorf("Age %q, want %s", r.header.Get("Age"), tc.age)
			}
			e.clk.Advance(tc.fresh - time.Second)
			e.expect(e.get("/f"), 200, "HIT", "body")
			e.clk.Advance(2 * time.Second)
			e.expect(e.get("/f"), 200, "MISS", "body")
		})
	}
}

// sharedMode: with WithMode(SharedCache) hoard is a shared cache in front
// of any origin: it invents no lifetime, stores any final status with
// explicit freshness, never private, and uses a stored response for a
// request with Authorization only when the origin allowed it (RFC 9111
// section 3.5). CDN-Cache-Control (RFC 9213) is read before Cache-Control;
// an invalid Age makes a response stale; must-understand stores only
// statuses hoard knows.
func sharedMode(s *suite, t *testing.T) {
	shared := []httpcache.Option{httpcache.WithMode(httpcache.SharedCache), httpcache.WithTTL(time.Hour)}
	tests := []struct {
		name   string
		status int
		hdr    []string
		req    []string
		stored bool
	}{
		{"no freshness, no validator", 200, nil, nil, false},
		{"max-age", 200, []string{"Cache-Control", "max-age=60"}, nil, true},
		{"404 with max-age", 404, []string{"Cache-Control", "max-age=60"}, nil, true},
		{"500 with s-maxage", 500, []string{"Cache-Control", "s-maxage=60"}, nil, true},
		{"private", 200, []string{"Cache-Control", "private, max-age=60"}, nil, false},
		{"CDN-Cache-Control first", 200, []string{"Cache-Control", "no-store", "CDN-Cache-Control", "max-age=60"}, nil, true},
		{"authorized, plain max-age", 200, []string{"Cache-Control", "max-age=60"}, []string{"Authorization", "Bearer a"}, false},
		{"authorized, public", 200, []string{"Cache-Control", "public, max-age=60"}, []string{"Authorization", "Bearer a"}, true},
		{"authorized, s-maxage", 200, []string{"Cache-Control", "s-maxage=60"}, []string{"Authorization", "Bearer a"}, true},
		// An Age that is not one delta-seconds is invalid: stale at once.
		{"Age not a number", 200, []string{"Cache-Control", "max-age=60", "Age", "1.5"}, nil, false},
		{"Age as a list", 200, []string{"Cache-Control", "max-age=60", "Age", "0, 0"}, nil, false},
		{"Age twice", 200, []string{"Cache-Control", "max-age=60", "Age", "0", "Age", "0"}, nil, false},
		{"Age valid", 200, []string{"Cache-Control", "max-age=60", "Age", "5"}, nil, true},
		// must-understand (RFC 9111 section 5.2.2.3): a known status is
		// stored despite no-store, an unknown one never.
		{"must-understand, known status", 200, []string{"Cache-Control", "max-age=60, no-store, must-understand"}, nil, true},
		{"must-understand, unknown status", 599, []string{"Cache-Control", "max-age=60, must-understand"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &Handler{Build: func(Request) Response {
				return Response{Status: tc.status, Header: pairs(tc.hdr), Chunks: []string{"body"}}
			}}
			e := s.start(t, nil, []Route{{Path: "/s", Handler: h, Options: shared}})
			e.expect(e.get("/s", tc.req...), tc.status, "MISS", "body")
			want := "MISS"
			if tc.stored {
				want = "HIT"
			}
			e.expect(e.get("/s", tc.req...), tc.status, want, "body")
		})
	}
	t.Run("heuristic", func(t *testing.T) {
		lm := time.Unix(1_700_000_000-1000, 0).UTC().Format(http.TimeFormat) // 1000s before the clock
		opts := append(shared, httpcache.WithHeuristicFreshness(0.1))
		e := s.start(t, nil, []Route{{Path: "/h", Handler: static("body", "Last-Modified", lm), Options: opts}})
		e.expect(e.get("/h"), 200, "MISS", "body")
		e.clk.Advance(99 * time.Second) // 10% of 1000s
		e.expect(e.get("/h"), 200, "HIT", "body")
	})
}

// targetedField: a field named with WithTargetedField sets hoard's own
// lifetime, while the client keeps the Cache-Control meant for it; the
// field never leaves.
func targetedField(s *suite, t *testing.T) {
	h := static("body", "Cache-Control", "max-age=5", "Hoard-Cache-Control", "max-age=60")
	e := s.start(t, nil, []Route{{Path: "/t", Handler: h, Options: []httpcache.Option{httpcache.WithTargetedField("Hoard-Cache-Control")}}})
	for _, want := range []string{"MISS", "HIT"} {
		r := e.get("/t")
		e.expect(r, 200, want, "body")
		if r.header.Get("Hoard-Cache-Control") != "" || r.header.Get("Cache-Control") != "max-age=5" {
			t.Fatalf("%s: Hoard-Cache-Control %q, Cache-Control %q", want, r.header.Get("Hoard-Cache-Control"), r.header.Get("Cache-Control"))
		}
	}
	e.clk.Advance(50 * time.Second)
	e.expect(e.get("/t"), 200, "HIT", "body")
}

// validatorOnMiss: a miss carries the ETag (and Date) its hits will, so a
// client can revalidate at once; a 304 answers it. (Where the framework
// writes its own Date, see ServerDate, a hit's Date is when it was sent.)
func validatorOnMiss(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{{Path: "/v", Handler: &Handler{}}})
	miss := e.get("/v")
	e.expect(miss, 200, "MISS", "ok /v?")
	etag := miss.header.Get("Etag")
	if etag == "" || miss.header.Get("Date") == "" {
		t.Fatalf("miss: ETag %q, Date %q", etag, miss.header.Get("Date"))
	}
	hit := e.get("/v")
	e.expect(hit, 200, "HIT", "ok /v?")
	if hit.header.Get("Etag") != etag {
		t.Errorf("hit: ETag %q; the miss had %q", hit.header.Get("Etag"), etag)
	}
	if !s.cfg.serverDate && hit.header.Get("Date") != miss.header.Get("Date") {
		t.Errorf("hit: Date %q; the miss had %q", hit.header.Get("Date"), miss.header.Get("Date"))
	}
	e.expect(e.get("/v", "If-None-Match", etag), 304, "HIT", "")
}

// revalidation: a stale entry with the origin's ETag is revalidated with
// a conditional request; the handler's 304 freshens it (its fields update
// the stored ones, RFC 9111 section 4.3.4) and the client gets the stored
// body; a changed resource replaces it.
func revalidation(s *suite, t *testing.T) {
	o := &origin{}
	o.set(1, "Cache-Control", "max-age=10", "X-Fields", "first")
	e := s.start(t, nil, []Route{{Path: "/r", Handler: o.handler()}})
	e.expect(e.get("/r"), 200, "MISS", "version 1")
	e.clk.Advance(11 * time.Second)
	o.set(1, "Cache-Control", "max-age=10", "X-Fields", "updated")
	r := e.get("/r")
	e.expect(r, 200, "REVALIDATED", "version 1")
	if r.header.Get("X-Fields") != "updated" || r.header.Get("Age") != "0" {
		t.Errorf("revalidated: X-Fields %q, Age %q; want updated, 0", r.header.Get("X-Fields"), r.header.Get("Age"))
	}
	if seen := o.seen(); len(seen) != 2 || seen[1] != `"v1"` {
		t.Fatalf("the handler saw If-None-Match %q, want a conditional with the stored ETag", seen)
	}
	e.expect(e.get("/r"), 200, "HIT", "version 1") // fresh again
	e.clk.Advance(11 * time.Second)
	o.set(2, "Cache-Control", "max-age=10")
	e.expect(e.get("/r"), 200, "MISS", "version 2")
	e.expect(e.get("/r"), 200, "HIT", "version 2")

	// What a 304 updates is the handler's: outer middleware's fields and
	// hoard's own status field are no more stored from it than from a 200.
	o2 := &origin{}
	o2.set(1, "Cache-Control", "max-age=10")
	e2 := s.start(t, nil, []Route{{Path: "/o", Handler: o2.handler(), Outer: [][2]string{{"X-Request-Id", "outer"}}}})
	e2.expect(e2.get("/o"), 200, "MISS", "version 1")
	e2.clk.Advance(11 * time.Second)
	e2.expect(e2.get("/o"), 200, "REVALIDATED", "version 1")
	r = e2.get("/o")
	e2.expect(r, 200, "HIT", "version 1")
	if xc, id := r.header.Values("X-Cache"), r.header.Values("X-Request-Id"); len(xc) != 1 || len(id) != 1 || id[0] != "outer" {
		t.Errorf("hit after a 304: X-Cache %q, X-Request-Id %q; want [HIT] and the outer middleware's one [outer]", xc, id)
	}
}

// browserReload: a reload (Cache-Control: max-age=0) with the validator
// the browser holds costs the client no body and the handler only a
// conditional request; an immutable response is not even revalidated.
func browserReload(s *suite, t *testing.T) {
	o := &origin{}
	o.set(1, "Cache-Control", "max-age=60")
	e := s.start(t, nil, []Route{{Path: "/b", Handler: o.handler()}})
	e.expect(e.get("/b"), 200, "MISS", "version 1")
	r := e.get("/b", "Cache-Control", "max-age=0", "If-None-Match", `"v1"`)
	e.expect(r, 304, "REVALIDATED", "")
	if seen := o.seen(); len(seen) != 2 || seen[1] != `"v1"` {
		t.Fatalf("the handler saw If-None-Match %q on the reload, want the stored validator", seen)
	}
	e.expect(e.get("/b", "Cache-Control", "no-cache"), 200, "REVALIDATED", "version 1")

	immutable := &origin{}
	immutable.set(1, "Cache-Control", "max-age=60, immutable")
	e = s.start(t, nil, []Route{{Path: "/i", Handler: immutable.handler()}})
	e.expect(e.get("/i"), 200, "MISS", "version 1")
	e.expect(e.get("/i", "Cache-Control", "no-cache", "If-None-Match", `"v1"`), 304, "HIT", "")
	if n := len(immutable.seen()); n != 1 {
		t.Errorf("the handler ran %d times for an immutable response, want 1", n)
	}
}

// requestDirectives: max-age, max-stale, min-fresh and only-if-cached of a
// request (RFC 9111 section 5.2.1).
func requestDirectives(s *suite, t *testing.T) {
	// Last-Modified is a validator: the entry is kept past its freshness,
	// where a client's max-stale may take it.
	lm := time.Unix(1_600_000_000, 0).UTC().Format(http.TimeFormat)
	h := &Handler{Build: func(r Request) Response {
		return Response{Header: [][2]string{{"Last-Modified", lm}}, Chunks: []string{"ok " + r.Path + "?" + r.Query}}
	}}
	e := s.start(t, nil, []Route{{Path: "/d", Handler: h, Options: []httpcache.Option{httpcache.WithTTL(10 * time.Second)}}})
	e.expect(e.get("/d", "Cache-Control", "only-if-cached"), 504, "MISS", "")
	e.runs(h, 0)
	e.expect(e.get("/d"), 200, "MISS", "ok /d?")
	e.clk.Advance(5 * time.Second)
	e.expect(e.get("/d", "Cache-Control", "only-if-cached"), 200, "HIT", "ok /d?")
	e.expect(e.get("/d", "Cache-Control", "max-age=6"), 200, "HIT", "ok /d?")
	e.expect(e.get("/d", "Cache-Control", "min-fresh=4"), 200, "HIT", "ok /d?")
	e.expect(e.get("/d", "Cache-Control", "max-age=3"), 200, "MISS", "ok /d?") // too old for it: fetched
	e.runs(h, 2)
	e.clk.Advance(12 * time.Second) // stale by 2s
	e.expect(e.get("/d", "Cache-Control", "max-stale=5"), 200, "STALE", "ok /d?")
	e.expect(e.get("/d", "Cache-Control", "max-stale"), 200, "STALE", "ok /d?")
	e.expect(e.get("/d", "Cache-Control", "only-if-cached"), 504, "MISS", "")
	e.expect(e.get("/d", "Cache-Control", "max-stale=1"), 200, "MISS", "ok /d?")
	e.runs(h, 3)
}

// responseDirectives: must-revalidate is never served stale, no-cache is
// stored and validated on every use, and no-cache="f" / private="f" keep
// those fields out of the stored response.
func responseDirectives(s *suite, t *testing.T) {
	t.Run("must-revalidate", func(t *testing.T) {
		e := s.start(t, nil, []Route{{Path: "/m", Handler: static("body", "Cache-Control", "max-age=10, must-revalidate")}})
		e.expect(e.get("/m"), 200, "MISS", "body")
		e.clk.Advance(11 * time.Second)
		e.expect(e.get("/m", "Cache-Control", "max-stale"), 200, "MISS", "body")
	})
	t.Run("no-cache", func(t *testing.T) {
		o := &origin{}
		o.set(1, "Cache-Control", "no-cache")
		e := s.start(t, nil, []Route{{Path: "/n", Handler: o.handler()}})
		e.expect(e.get("/n"), 200, "MISS", "version 1")
		e.expect(e.get("/n"), 200, "REVALIDATED", "version 1")
		e.expect(e.get("/n"), 200, "REVALIDATED", "version 1")
		if seen := o.seen(); strings.Join(seen, " ") != ` "v1" "v1"` {
			t.Errorf("the handler saw If-None-Match %q, want a conditional on every use", seen)
		}
	})
	t.Run("fields", func(t *testing.T) {
		h := static("body", "Cache-Control", `max-age=60, no-cache="X-Secret", private="X-User"`, "X-Secret", "s", "X-User", "u", "X-Kept", "k")
		e := s.start(t, nil, []Route{{Path: "/p", Handler: h}})
		e.expect(e.get("/p"), 200, "MISS", "body")
		r := e.get("/p")
		e.expect(r, 200, "HIT", "body")
		if r.header.Get("X-Secret") != "" || r.header.Get("X-User") != "" || r.header.Get("X-Kept") != "k" {
			t.Errorf("hit: X-Secret %q, X-User %q, X-Kept %q", r.header.Get("X-Secret"), r.header.Get("X-User"), r.header.Get("X-Kept"))
		}
	})
}

// unsafeMethodsInvalidate: a successful POST, PUT, PATCH or DELETE drops
// the stored response of its URL and of a same-host Location or
// Content-Location (RFC 9111 section 4.4); a failed one drops nothing.
// (Methods the engine does not know invalidate too; frameworks other than
// net/http refuse them before any middleware runs.)
func unsafeMethodsInvalidate(s *suite, t *testing.T) {
	var mu sync.Mutex
	version := 1
	h := &Handler{Build: func(r Request) Response {
		mu.Lock()
		defer mu.Unlock()
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			return Response{Chunks: []string{fmt.Sprintf("%s v%d", r.Path, version)}}
		}
		version++
		if r.Query == "fail" {
			return Response{Status: 500, Chunks: []string{"failed"}}
		}
		if r.Query == "raw" {
			return Response{Status: 201, RawHeader: [][2]string{{"location", "/items/2"}}}
		}
		return Response{Status: 201, Header: [][2]string{{"Location", "/items/2"}, {"Content-Location", "http://other.example/items/3"}}}
	}}
	e := s.start(t, nil, []Route{{Path: "/items", Handler: h}, {Path: "/items/2", Handler: h}, {Path: "/items/3", Handler: h}})
	for _, p := range []string{"/items", "/items/2", "/items/3"} {
		e.get(p)
	}
	e.expect(e.do(http.MethodPost, "/items?fail"), 500, "", "failed")
	e.expect(e.get("/items"), 200, "HIT", "/items v1")
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		e.expect(e.do(m, "/items"), 201, "", "")
		r := e.get("/items")
		if r.xcache() != "MISS" {
			t.Fatalf("GET after a %s: X-Cache %q, want MISS", m, r.xcache())
		}
		if r := e.get("/items/2"); r.xcache() != "MISS" {
			t.Fatalf("the Location of a %s: X-Cache %q, want MISS", m, r.xcache())
		}
	}
	e.expect(e.get("/items/3"), 200, "HIT", "/items/3 v1") // another host's Content-Location
	// A Location written under a name in lower case (straight into
	// net/http's map) invalidates too.
	e.get("/items/2")
	e.expect(e.get("/items/2"), 200, "HIT", "*")
	e.expect(e.do(http.MethodPost, "/items?raw"), 201, "", "")
	if r := e.get("/items/2"); r.xcache() != "MISS" {
		t.Fatalf("the lower-case location of a POST: X-Cache %q, want MISS", r.xcache())
	}
}

// rangeOfStored: a single byte range of a stored 200 is answered 206 from
// the stored body (If-Range honoured), a range past the end 416, and
// several ranges the whole 200 (RFC 9110 section 14).
func rangeOfStored(s *suite, t *testing.T) {
	body := "0123456789"
	e := s.start(t, nil, []Route{{Path: "/range", Handler: static(body, "Content-Type", "text/plain")}})
	miss := e.get("/range")
	e.expect(miss, 200, "MISS", body)
	etag := miss.header.Get("Etag")
	tests := []struct {
		hdr          []string
		status       int
		body, cRange string
	}{
		{[]string{"Range", "bytes=2-5"}, 206, "2345", "bytes 2-5/10"},
		{[]string{"Range", "bytes=7-"}, 206, "789", "bytes 7-9/10"},
		{[]string{"Range", "bytes=-3"}, 206, "789", "bytes 7-9/10"},
		{[]string{"Range", "bytes=5-100"}, 206, "56789", "bytes 5-9/10"},
		{[]string{"Range", "bytes=2-5", "If-Range", etag}, 206, "2345", "bytes 2-5/10"},
		{[]string{"Range", "bytes=2-5", "If-Range", `"other"`}, 200, body, ""},
		{[]string{"Range", "bytes=0-1,4-5"}, 200, body, ""},
		{[]string{"Range", "bytes=10-"}, 416, "", "bytes */10"},
	}
	for _, tc := range tests {
		r := e.get("/range", tc.hdr...)
		if r.status != tc.status || r.body != tc.body || r.header.Get("Content-Range") != tc.cRange || r.xcache() != "HIT" {
			t.Errorf("%q: %d %q Content-Range %q X-Cache %q; want %d %q %q HIT", tc.hdr, r.status, r.body,
				r.header.Get("Content-Range"), r.xcache(), tc.status, tc.body, tc.cRange)
		}
		if tc.status == 206 && r.header.Get("Content-Length") != strconv.Itoa(len(tc.body)) {
			t.Errorf("%q: Content-Length %q", tc.hdr, r.header.Get("Content-Length"))
		}
	}
}
