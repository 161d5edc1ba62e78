package httpcache

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// A handler's work, the same whichever glue runs it.
type handlerSpec struct {
	status int // 0: 200
	fields []Field
	body   string
}

// glue runs one request through an engine's glue: outer fields are set by
// a middleware outside hoard before the engine runs; the handler then
// adds spec's fields (names as written, raw case included) and body.
type glue struct {
	name string
	run  func(t *testing.T, e *Engine, r Request, outer []Field, spec handlerSpec) response
}

// response is what the client of one request got.
type response struct {
	ran    bool
	status int
	values func(name string) []string // in any case, in order
	body   string
}

func (r response) get(name string) string {
	if v := r.values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

var glues = []glue{
	{"Serve", func(t *testing.T, e *Engine, r Request, outer []Field, spec handlerSpec) response {
		res := serve(t, e, r, outer, func(resp *fakeResponse) {
			resp.status = spec.status
			for _, f := range spec.fields {
				resp.header.Add(f.Name, f.Value)
			}
			resp.body = []byte(spec.body)
		})
		return response{ran: res.ran, status: res.status, values: res.header.Values, body: res.body}
	}},
	{"Handler", func(t *testing.T, e *Engine, r Request, outer []Field, spec handlerSpec) response {
		return runNetHTTP(r, outer, spec, func(inner http.Handler) http.Handler { return e.Handler(inner) })
	}},
	{"ServeHTTP", func(t *testing.T, e *Engine, r Request, outer []Field, spec handlerSpec) response {
		return runNetHTTP(r, outer, spec, func(inner http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				err := e.ServeHTTP(w, req, func(w http.ResponseWriter, req *http.Request) error {
					inner.ServeHTTP(w, req)
					return nil
				})
				if err != nil {
					t.Errorf("ServeHTTP: %v", err)
				}
			})
		})
	}},
}

// runNetHTTP runs r through cached(handler) on net/http, behind an outer
// middleware that sets outer's fields.
func runNetHTTP(r Request, outer []Field, spec handlerSpec, cached func(http.Handler) http.Handler) response {
	if r.Method == "" {
		r.Method = "GET"
	}
	target := "http://" + r.Host + r.Path
	if r.RawQuery != "" {
		target += "?" + r.RawQuery
	}
	req := httptest.NewRequest(r.Method, target, nil)
	if h, ok := r.Header.(fakeHeader); ok {
		for k, v := range h {
			req.Header.Set(k, v)
		}
	}
	ran := false
	inner := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		ran = true
		for _, f := range spec.fields {
			w.Header()[f.Name] = append(w.Header()[f.Name], f.Value) // raw case
		}
		if spec.status != 0 {
			w.WriteHeader(spec.status)
		}
		_, _ = w.Write([]byte(spec.body))
	})
	h := cached(inner)
	rec := httptest.NewRecorder()
	for _, f := range outer {
		rec.Header()[f.Name] = append(rec.Header()[f.Name], f.Value)
	}
	h.ServeHTTP(rec, req)
	res := rec.Result()
	values := func(name string) []string {
		var vals []string
		for k, v := range res.Header {
			if strings.EqualFold(k, name) {
				vals = append(vals, v...)
			}
		}
		return vals
	}
	return response{ran: ran, status: res.StatusCode, values: values, body: rec.Body.String()}
}

// TestStoredFieldsGroupedByName: a header whose framework lists a name's
// values apart (Link, then another field, then Link again), in whatever
// case, is replayed with every value, because the entry keeps each name's
// values together and a hit sets the first and adds the rest.
func TestStoredFieldsGroupedByName(t *testing.T) {
	tests := []struct {
		name  string
		links [3]string // the names the three Link fields are written with
	}{
		{"canonical", [3]string{"Link", "Link", "Link"}},
		{"mixed case", [3]string{"Link", "LINK", "link"}},
	}
	want := []string{"</a>; rel=preload", "</b>; rel=preload", "</c>; rel=preload"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, newDropStore(), nil)
			req := Request{Host: "example.com", Path: "/grouped"}
			serve(t, e, req, nil, func(resp *fakeResponse) {
				resp.status = 200
				resp.header.Add(tt.links[0], want[0])
				resp.header.Add("Content-Type", "text/plain")
				resp.header.Add(tt.links[1], want[1])
				resp.header.Add("X-Note", "1")
				resp.header.Add(tt.links[2], want[2])
				resp.body = []byte("body")
			})
			for round := range 3 { // decoded, then from the memo and the hot table
				res := serve(t, e, req, nil, nil)
				if !res.hit {
					t.Fatalf("round %d: not a hit", round)
				}
				var names []string
				for _, f := range res.fields {
					names = append(names, f.Name)
				}
				names = slices.Compact(names)
				for i, n := range names {
					if slices.Contains(names[:i], n) {
						t.Errorf("round %d: %s listed apart from its other values: %v", round, n, names)
					}
				}
				if got := res.header.Values("Link"); !slices.Equal(got, want) {
					t.Errorf("round %d: Link on a hit = %q, want %q", round, got, want)
				}
				if got := res.header.Get("X-Note"); got != "1" {
					t.Errorf("round %d: X-Note on a hit = %q", round, got)
				}
			}
			// The same entry written by the net/http glue.
			rec := httptest.NewRecorder()
			e.Handler(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/grouped", nil))
			if got := rec.Header().Values("Link"); !slices.Equal(got, want) || rec.Header().Get("X-Cache") != "HIT" {
				t.Errorf("net/http hit: X-Cache %q, Link %q, want %q", rec.Header().Get("X-Cache"), got, want)
			}
		})
	}
}

// TestOuterMiddlewareFields: fields an outer middleware set before the
// engine ran count in every storage decision (a session middleware's
// Set-Cookie or Vary: Cookie, a Cache-Control: private), whatever the case
// of their names. A name the middleware set and the handler left alone is
// the middleware's (it sets it again on every request) and is not stored;
// a name the handler changed is stored with all its values: a hit must
// send Vary: Origin (CORS, outer) together with the handler's added Vary:
// Accept-Encoding, and the outer middleware's fresh request id rather than
// the first one. (The route keys on both: a response that varies on a
// header the key ignores is not stored.)
func TestOuterMiddlewareFields(t *testing.T) {
	keyed := []Option{WithVaryBy("Accept-Encoding", "Origin")}
	reqHeader := fakeHeader{"Accept-Encoding": "gzip", "Origin": "https://a.example"}
	outer := func(id string, more ...Field) []Field {
		return append([]Field{{"Vary", "Origin"}, {"X-Request-Id", id}, {"X-Frame-Options", "DENY"}}, more...)
	}
	tests := []struct {
		name    string
		outer   []Field // set before the engine runs; X-Request-Id changes on the second request
		handler []Field
		stored  bool
		want    map[string][]string // on the hit
	}{
		{
			name:    "handler changed outer names",
			outer:   outer("1"),
			handler: []Field{{"Vary", "Accept-Encoding"}, {"X-Frame-Options", "SAMEORIGIN"}},
			stored:  true,
			want:    map[string][]string{"Vary": {"Origin", "Accept-Encoding"}, "X-Request-Id": {"2"}, "X-Frame-Options": {"DENY", "SAMEORIGIN"}},
		},
		{
			name:   "handler left outer names alone",
			outer:  outer("1"),
			stored: true,
			want:   map[string][]string{"Vary": {"Origin"}, "X-Request-Id": {"2"}, "X-Frame-Options": {"DENY"}},
		},
		{name: "outer Set-Cookie", outer: outer("1", Field{"Set-Cookie", "session=abc"})},
		{name: "outer set-cookie in lower case", outer: outer("1", Field{"set-cookie", "session=abc"})},
		// Stored as a variant for the request's Cookie (none, here): the
		// second request sends the same.
		{name: "outer Vary on an unkeyed header", outer: outer("1", Field{"Vary", "Cookie"}), stored: true},
		{name: "outer vary in lower case", outer: outer("1", Field{"vary", "Cookie"}), stored: true},
		{name: "outer Vary *", outer: outer("1", Field{"Vary", "*"})},
		{name: "outer Cache-Control private", outer: outer("1", Field{"Cache-Control", "private"})},
		{name: "outer cache-control no-store", outer: outer("1", Field{"cache-control", "no-store"})},
		{name: "outer Cache-Control s-maxage=0", outer: outer("1", Field{"Cache-Control", "s-maxage=0"})},
	}
	for _, g := range glues {
		for _, tt := range tests {
			t.Run(g.name+"/"+tt.name, func(t *testing.T) {
				e := newEngine(t, newMemoStore(), nil, keyed...)
				req := Request{Host: "example.com", Path: "/outer", Header: reqHeader}
				spec := handlerSpec{fields: tt.handler, body: "body"}
				if first := g.run(t, e, req, tt.outer, spec); !first.ran || first.get("X-Cache") != "MISS" {
					t.Fatalf("first request: ran %v, X-Cache %q", first.ran, first.get("X-Cache"))
				}
				second := slices.Clone(tt.outer)
				for i, f := range second {
					if f.Name == "X-Request-Id" {
						second[i].Value = "2"
					}
				}
				res := g.run(t, e, req, second, spec)
				if res.ran == tt.stored || res.body != "body" {
					t.Fatalf("second request: ran %v (stored %v), body %q", res.ran, tt.stored, res.body)
				}
				for name, want := range tt.want {
					if got := res.values(name); !slices.Equal(got, want) {
						t.Errorf("hit %s = %q, want %q", name, got, want)
					}
				}
			})
		}
	}
}

// TestOuterCacheControl: a Cache-Control set by outer middleware counts
// for the entry's lifetime, and the client gets the same Cache-Control on
// the hit as on the miss: hoard adds its max-age only when the response
// has none, on the miss as on the hit.
func TestOuterCacheControl(t *testing.T) {
	tests := []struct {
		cc       string
		lifetime time.Duration
	}{
		{"public, s-maxage=5", 5 * time.Second},
		{"s-maxage=5", 5 * time.Second},
		{"public", time.Hour}, // the route's TTL
	}
	for _, g := range glues {
		for _, tt := range tests {
			t.Run(g.name+"/"+tt.cc, func(t *testing.T) {
				clock := newTestClock()
				e := newEngine(t, newMemoStore(), []hoard.Option{clock.option()}, WithTTL(time.Hour))
				req := Request{Host: "example.com", Path: "/outer-cc"}
				outer := []Field{{"Cache-Control", tt.cc}}
				spec := handlerSpec{body: "body"}
				miss := g.run(t, e, req, outer, spec)
				if got := miss.values("Cache-Control"); !slices.Equal(got, []string{tt.cc}) {
					t.Errorf("miss Cache-Control = %q, want %q", got, tt.cc)
				}
				clock.advance(tt.lifetime - time.Second)
				hit := g.run(t, e, req, outer, spec)
				if hit.ran {
					t.Fatal("not stored")
				}
				if got := hit.values("Cache-Control"); !slices.Equal(got, []string{tt.cc}) {
					t.Errorf("hit Cache-Control = %q, want the miss's %q", got, tt.cc)
				}
				clock.advance(time.Second)
				if res := g.run(t, e, req, outer, spec); !res.ran {
					t.Errorf("served after its lifetime of %v", tt.lifetime)
				}
			})
		}
	}
}

// TestMaxAgeHeader: a storable response without Cache-Control gets
// max-age of the entry's lifetime, the same on the miss and on hits: a
// year for an entry without expiry, 0 for a lifetime under a second.
func TestMaxAgeHeader(t *testing.T) {
	tests := []struct {
		name    string
		copts   []hoard.Option
		opts    []Option
		handler []Field
		want    string
	}{
		{name: "route TTL", opts: []Option{WithTTL(time.Minute)}, want: "max-age=60"},
		{name: "no expiry", opts: []Option{WithTTL(hoard.NoExpiry)}, want: "max-age=31536000"},
		{name: "under a second", opts: []Option{WithTTL(500 * time.Millisecond)}, want: "max-age=0"},
		{name: "whole seconds", opts: []Option{WithTTL(1500 * time.Millisecond)}, want: "max-age=1"},
		{name: "cache default TTL", copts: []hoard.Option{hoard.WithDefaultTTL(2 * time.Hour)}, want: "max-age=7200"},
		{name: "cache default no expiry", copts: []hoard.Option{hoard.WithDefaultTTL(hoard.NoExpiry)}, want: "max-age=31536000"},
		{name: "turned off", opts: []Option{WithTTL(time.Minute), WithMaxAgeHeader(false)}, want: ""},
		{name: "handler's own", opts: []Option{WithTTL(time.Minute)}, handler: []Field{{"Cache-Control", "public"}}, want: "public"},
		{name: "handler's s-maxage", handler: []Field{{"Cache-Control", "s-maxage=30"}}, want: "s-maxage=30"},
		{name: "handler's in lower case", opts: []Option{WithTTL(time.Minute)}, handler: []Field{{"cache-control", "public"}}, want: "public"},
	}
	for _, g := range glues {
		for _, tt := range tests {
			t.Run(g.name+"/"+tt.name, func(t *testing.T) {
				clock := newTestClock()
				e := newEngine(t, newDropStore(), append([]hoard.Option{clock.option()}, tt.copts...), tt.opts...)
				req := Request{Host: "example.com", Path: "/max-age"}
				spec := handlerSpec{fields: tt.handler, body: "body"}
				for round, label := range []string{"MISS", "HIT", "HIT"} {
					res := g.run(t, e, req, nil, spec)
					if res.get("X-Cache") != label {
						t.Fatalf("round %d: X-Cache %q, want %s", round, res.get("X-Cache"), label)
					}
					var want []string
					if tt.want != "" {
						want = []string{tt.want}
					}
					if got := res.values("Cache-Control"); !slices.Equal(got, want) {
						t.Errorf("round %d (%s): Cache-Control %q, want %q", round, label, got, want)
					}
				}
			})
		}
	}
}

// TestRequestDirectives: what the request's Cache-Control, Pragma and
// Authorization do, by default and with the options that change it. A
// stored "v1" is there before each request; the handler would now answer
// "v2".
func TestRequestDirectives(t *testing.T) {
	tests := []struct {
		name   string
		opts   []Option
		method string
		header fakeHeader
		label  string // X-Cache; "" for none
		status string // Cache-Status
		body   string // what the request gets
		after  string // what a plain GET gets next
		then   func(t *testing.T, e *Engine, r Request, res result)
	}{
		{name: "plain", label: "HIT", status: "hoard; hit", body: "v1", after: "v1"},
		{name: "no-store", header: fakeHeader{"Cache-Control": "no-store"}, label: "BYPASS", status: "hoard; fwd=bypass", body: "v2", after: "v1"},
		// The stored v1 has only hoard's own ETag, no validator of the
		// handler's: a reload fetches it whole, and stores what it got.
		{name: "no-cache", header: fakeHeader{"Cache-Control": "no-cache"}, label: "MISS", status: "hoard; fwd=request; fwd-status=200; stored", body: "v2", after: "v2"},
		{name: "max-age=0", header: fakeHeader{"Cache-Control": "max-age=0"}, label: "MISS", status: "hoard; fwd=request; fwd-status=200; stored", body: "v2", after: "v2"},
		{name: "max-age=10", header: fakeHeader{"Cache-Control": "max-age=10"}, label: "HIT", status: "hoard; hit", body: "v1", after: "v1"},
		{name: "pragma", header: fakeHeader{"Pragma": "no-cache"}, label: "MISS", status: "hoard; fwd=request; fwd-status=200; stored", body: "v2", after: "v2"},
		{name: "pragma under cache-control", header: fakeHeader{"Pragma": "no-cache", "Cache-Control": "max-age=10"}, label: "HIT", status: "hoard; hit", body: "v1", after: "v1"},
		{name: "ignored no-store", opts: []Option{WithRequestCacheControl(false)}, header: fakeHeader{"Cache-Control": "no-store"}, label: "HIT", status: "hoard; hit", body: "v1", after: "v1"},
		{name: "ignored no-cache", opts: []Option{WithRequestCacheControl(false)}, header: fakeHeader{"Cache-Control": "no-cache"}, label: "HIT", status: "hoard; hit", body: "v1", after: "v1"},
		{name: "ignored pragma", opts: []Option{WithRequestCacheControl(false)}, header: fakeHeader{"Pragma": "no-cache"}, label: "HIT", status: "hoard; hit", body: "v1", after: "v1"},
		{name: "authorization", header: fakeHeader{"Authorization": "Bearer x"}, label: "BYPASS", status: "hoard; fwd=bypass", body: "v2", after: "v1"},
		{name: "authorization allowed", opts: []Option{WithAuthorization(true)}, header: fakeHeader{"Authorization": "Bearer x"}, label: "MISS", status: "hoard; fwd=uri-miss", body: "v2", after: "v1",
			then: func(t *testing.T, e *Engine, r Request, _ result) {
				// The credential has its own entry now.
				if res := serve(t, e, r, nil, textHandler("v4")); !res.hit || res.body != "v2" {
					t.Errorf("same credential again: hit %v, body %q, want v2", res.hit, res.body)
				}
				r.Header = fakeHeader{"Authorization": "Bearer y"}
				if res := serve(t, e, r, nil, textHandler("v5")); res.hit {
					t.Errorf("another credential got the first one's entry %q", res.body)
				}
			}},
		{name: "head", method: "HEAD", label: "HIT", status: "hoard; hit", body: "", after: "v1"},
		// A successful POST to the URL drops its entry (RFC 9111 section 4.4).
		{name: "post", method: "POST", label: "", status: "", body: "v2", after: "v3"},
		{name: "cache header renamed", opts: []Option{WithCacheHeader("X-Hoard"), WithCacheStatusName("edge")}, label: "", status: "edge; hit", body: "v1", after: "v1",
			then: func(t *testing.T, _ *Engine, _ Request, res result) {
				if got := res.header.Get("X-Hoard"); got != "HIT" {
					t.Errorf("X-Hoard %q, want HIT", got)
				}
			}},
		{name: "cache header off", opts: []Option{WithCacheHeader("")}, label: "", status: "hoard; hit", body: "v1", after: "v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEngine(t, newDropStore(), nil, tt.opts...)
			req := Request{Host: "example.com", Path: "/d"}
			serve(t, e, req, nil, textHandler("v1"))
			r := req
			r.Method, r.Header = tt.method, tt.header
			res := serve(t, e, r, nil, textHandler("v2"))
			if got := res.header.Get("X-Cache"); got != tt.label {
				t.Errorf("X-Cache %q, want %q", got, tt.label)
			}
			if got := res.header.Get("Cache-Status"); got != tt.status {
				t.Errorf("Cache-Status %q, want %q", got, tt.status)
			}
			if res.body != tt.body {
				t.Errorf("body %q, want %q", res.body, tt.body)
			}
			if res := serve(t, e, req, nil, textHandler("v3")); res.body != tt.after {
				t.Errorf("next plain GET: %q, want %q", res.body, tt.after)
			}
			if tt.then != nil {
				tt.then(t, e, r, res)
			}
		})
	}
}

// TestHitHead: HEAD is answered from the GET entry, with the GET's
// Content-Length and no body, on every glue.
func TestHitHead(t *testing.T) {
	for _, g := range glues {
		t.Run(g.name, func(t *testing.T) {
			e := newEngine(t, newDropStore(), nil)
			req := Request{Host: "example.com", Path: "/head"}
			g.run(t, e, req, nil, handlerSpec{body: "hello"})
			req.Method = "HEAD"
			res := g.run(t, e, req, nil, handlerSpec{body: "other"})
			if res.ran || res.body != "" || res.get("Content-Length") != "5" || res.status != 200 {
				t.Errorf("HEAD: ran %v, status %d, body %q, Content-Length %q", res.ran, res.status, res.body, res.get("Content-Length"))
			}
		})
	}
}

// TestServeContext: a request whose context ended before the handler
// returned stores nothing.
func TestServeContext(t *testing.T) {
	e := newEngine(t, newDropStore(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	resp := &fakeResponse{}
	err := e.Serve(ctx, &Request{Method: "GET", Host: "example.com", Path: "/ctx"}, resp, func() error {
		textHandler("partial")(resp)
		cancel() // the client left while the handler ran
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res := serve(t, e, Request{Host: "example.com", Path: "/ctx"}, nil, textHandler("whole")); res.hit {
		t.Errorf("a response whose client left was stored: %q", res.body)
	}
}

// TestHitOutlivesServe: the field strings and body a hit hands to WriteHit
// stay as they were after Serve returned, while other requests run and the
// entry is replaced: a framework may send them later without a copy.
func TestHitOutlivesServe(t *testing.T) {
	for name, backend := range hitPaths() {
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, backend(), nil)
			req := Request{Host: "example.com", Path: "/kept"}
			serve(t, e, req, nil, validatedHandler("first"))
			kept := serve(t, e, req, nil, nil) // fields copied, strings and body not
			want := fmt.Sprintf("%q %q", kept.fields, kept.raw)
			refresh := req
			refresh.Header = fakeHeader{"Cache-Control": "no-cache"}
			serve(t, e, refresh, nil, validatedHandler("second"))
			for range 3 {
				if res := serve(t, e, req, nil, nil); res.body != "second" {
					t.Fatalf("after the refresh: %q", res.body)
				}
			}
			if got := fmt.Sprintf("%q %q", kept.fields, kept.raw); got != want || string(kept.raw) != "first" {
				t.Errorf("a served hit changed after Serve returned:\n%s\nwas\n%s", got, want)
			}
		})
	}
}

// TestUnknownMethodInvalidates: a method the engine does not know is
// unsafe (RFC 9111 section 4.4): its success drops the URL's entry, as a
// POST's does; OPTIONS and TRACE are safe.
func TestUnknownMethodInvalidates(t *testing.T) {
	for _, tc := range []struct {
		method  string
		dropped bool
	}{{"PURGE", true}, {"REPORT", true}, {"OPTIONS", false}, {"TRACE", false}} {
		t.Run(tc.method, func(t *testing.T) {
			e := newEngine(t, newDropStore(), nil)
			version := 0
			h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				version++
				fmt.Fprint(w, "v", version)
			}))
			get := func() string {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest("GET", "http://example.com/u", nil))
				return w.Body.String()
			}
			get()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tc.method, "http://example.com/u", nil))
			if got, want := get(), map[bool]string{true: "v3", false: "v1"}[tc.dropped]; got != want {
				t.Errorf("GET after %s: %q, want %q", tc.method, got, want)
			}
		})
	}
}
