package httpcache

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// varyHandler answers body with a Vary of the engine's WithVaryBy names.
func varyHandler(e *Engine, body string) handlerFunc {
	return func(resp *fakeResponse) {
		textHandler(body)(resp)
		if len(e.cfg.varyBy) > 0 {
			resp.header.Set("Vary", strings.Join(e.cfg.varyBy, ", "))
		}
	}
}

// TestHotTable checks that repeated hits skip the backend, and that
// everything that changes what a request should get (a new value, a
// deleted one, expiry, another Vary value, another host) is seen at once.
func TestHotTable(t *testing.T) {
	req := Request{Host: "example.com", Path: "/a", RawQuery: "q=1"}
	refresh := fakeHeader{"Cache-Control": "no-cache"}

	t.Run("repeat hits skip the backend", func(t *testing.T) {
		s := newDropStore()
		c := newCache(t, s)
		e, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		serve(t, e, req, nil, textHandler("v1"))
		serve(t, e, req, nil, nil) // a hit through the backend remembers the memo
		before := s.reads.Load()
		// Enough hits that the sampled touches number about 16 (sampling
		// none at all is as unlikely as 1 in 10^7).
		const hits = 16 * hotTouchSample
		for range hits {
			if res := serve(t, e, req, nil, nil); !res.hit || res.body != "v1" {
				t.Fatalf("hit: %v %q", res.hit, res.body)
			}
		}
		if n := s.reads.Load() - before; n != 0 {
			t.Errorf("%d backend reads for %d repeated hits, want 0", n, hits)
		}
		if n := s.touches.Load(); n == 0 || n > 3*16 {
			t.Errorf("%d touches for %d hits, want about 16", n, hits)
		}
		if st := c.Stats(); st.Hits != hits+1 {
			t.Errorf("Stats.Hits = %d, want %d", st.Hits, hits+1)
		}
	})

	t.Run("a new value is served at once", func(t *testing.T) {
		e := newEngine(t, newDropStore(), nil)
		for _, v := range []string{"one", "two", "three"} {
			r := req
			r.Header = refresh
			serve(t, e, r, nil, textHandler(v))
			for range 3 {
				if res := serve(t, e, req, nil, nil); !res.hit || res.body != v || field(res.fields, "Content-Length") != fmt.Sprint(len(v)) {
					t.Fatalf("after storing %q: %v %q %v", v, res.hit, res.body, res.fields)
				}
			}
		}
	})

	t.Run("a deleted value is a miss", func(t *testing.T) {
		s := newDropStore()
		e := newEngine(t, s, nil)
		serve(t, e, req, nil, textHandler("v"))
		serve(t, e, req, nil, nil)
		serve(t, e, req, nil, nil)
		for _, k := range s.keys() {
			_ = s.Delete(t.Context(), k)
		}
		if res := serve(t, e, req, nil, textHandler("w")); res.hit {
			t.Fatalf("after delete: a hit on %q", res.body)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		clock := newTestClock()
		e := newEngine(t, newDropStore(), []hoard.Option{clock.option()}, WithTTL(10*time.Second))
		serve(t, e, req, nil, textHandler("v"))
		serve(t, e, req, nil, nil)
		clock.advance(9 * time.Second)
		if res := serve(t, e, req, nil, nil); !res.hit || field(res.fields, "Age") != "9" {
			t.Fatalf("at 9 s: hit %v, Age %q", res.hit, field(res.fields, "Age"))
		}
		clock.advance(time.Second)
		if res := serve(t, e, req, nil, textHandler("w")); res.hit {
			t.Fatal("at 10 s: a hit, want a miss")
		}
	})

	t.Run("vary values and hosts", func(t *testing.T) {
		e := newEngine(t, newDropStore(), nil, WithVaryBy("Accept-Language"))
		en := Request{Host: "example.com", Path: "/a", Header: fakeHeader{"Accept-Language": "en"}}
		fr := Request{Host: "example.com", Path: "/a", Header: fakeHeader{"Accept-Language": "fr"}}
		upper := Request{Host: "EXAMPLE.com", Path: "/a", Header: fakeHeader{"Accept-Language": "en"}}
		other := Request{Host: "example.org", Path: "/a", Header: fakeHeader{"Accept-Language": "en"}}
		serve(t, e, en, nil, varyHandler(e, "english"))
		serve(t, e, fr, nil, varyHandler(e, "french"))
		serve(t, e, other, nil, varyHandler(e, "org"))
		for range 3 {
			for _, c := range []struct {
				r    Request
				want string
			}{{en, "english"}, {fr, "french"}, {upper, "english"}, {other, "org"}} {
				if res := serve(t, e, c.r, nil, nil); !res.hit || res.body != c.want {
					t.Fatalf("%s %v: %v %q, want %q", c.r.Host, c.r.Header, res.hit, res.body, c.want)
				}
			}
		}
	})

	t.Run("credentials never use the table", func(t *testing.T) {
		s := newDropStore()
		e := newEngine(t, s, nil, WithAuthorization(true))
		auth := Request{Host: "example.com", Path: "/a", Header: fakeHeader{"Authorization": "Bearer x"}}
		serve(t, e, auth, nil, textHandler("mine"))
		serve(t, e, auth, nil, nil)
		before := s.reads.Load()
		if res := serve(t, e, auth, nil, nil); !res.hit {
			t.Fatal("not a hit")
		}
		if s.reads.Load() == before {
			t.Error("a request with a credential was answered without the backend")
		}
	})

	t.Run("long requests never use the table", func(t *testing.T) {
		s := newDropStore()
		e := newEngine(t, s, nil)
		long := Request{Host: "example.com", Path: "/" + strings.Repeat("x", hotMaxLen)}
		serve(t, e, long, nil, textHandler("long"))
		serve(t, e, long, nil, nil)
		before := s.reads.Load()
		if res := serve(t, e, long, nil, nil); !res.hit || s.reads.Load() == before {
			t.Errorf("hit %v, %d backend reads: want a hit through the backend", res.hit, s.reads.Load()-before)
		}
	})

	t.Run("only for backends that drop memos", func(t *testing.T) {
		if e := newEngine(t, newMemoStore(), nil); e.hot != nil {
			t.Error("a memo.Getter that does not drop memos got a hot table")
		}
		if e := newEngine(t, newDropStore(), nil, WithKeyFunc(func(Request) string { return "k" })); e.hot != nil {
			t.Error("a route with a key function got a hot table")
		}
		if e := newEngine(t, newDropStore(), nil); e.hot == nil {
			t.Error("a memo.Dropper got no hot table")
		}
	})
}

// hitFor runs r through e and returns its outcome in a comparable form:
// for a hit, the status, fields and body.
func hitFor(t *testing.T, e *Engine, r Request) (bool, string) {
	t.Helper()
	res := serve(t, e, r, nil, nil)
	return res.hit, fmt.Sprintf("%d %q %q", res.status, res.fields, res.body)
}

// conditionalRequests are the requests the hit paths are compared on.
var conditionalRequests = []struct {
	name   string
	method string
	header fakeHeader
}{
	{"get", "GET", nil},
	{"head", "HEAD", nil},
	{"if-none-match", "GET", fakeHeader{"If-None-Match": `"v1"`}},
	{"if-none-match other", "GET", fakeHeader{"If-None-Match": `"v0"`}},
	{"if-modified-since", "GET", fakeHeader{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}},
	{"head if-modified-since", "HEAD", fakeHeader{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}},
}

// validatedHandler answers body with an ETag and a Last-Modified.
func validatedHandler(body string) handlerFunc {
	return func(resp *fakeResponse) {
		textHandler(body)(resp)
		resp.header.Set("Etag", `"`+body+`"`)
		resp.header.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
	}
}

// TestHotHitsMatchDecodedHits: a hit from the hot table sends what a hit
// decoded from the bytes sends, as the entry ages.
func TestHotHitsMatchDecodedHits(t *testing.T) {
	clock := newTestClock()
	s := newDropStore()
	copts := []hoard.Option{clock.option()}
	hot := newEngine(t, s, copts, WithTTL(time.Hour))
	plain := newEngine(t, plainStore{s.memoStore}, copts, WithTTL(time.Hour))
	req := Request{Host: "example.com", Path: "/a", RawQuery: "q=1"}
	serve(t, hot, req, nil, validatedHandler("v1"))
	for _, step := range []time.Duration{0, time.Second, 98 * time.Second, 2 * time.Second, 1000 * time.Second} {
		clock.advance(step)
		for _, c := range conditionalRequests {
			r := req
			r.Method, r.Header = c.method, c.header
			for range 3 {
				hit1, got1 := hitFor(t, hot, r)
				hit2, got2 := hitFor(t, plain, r)
				if !hit1 || !hit2 || got1 != got2 {
					t.Fatalf("%s after %v: hot %v %s, decoded %v %s", c.name, step, hit1, got1, hit2, got2)
				}
			}
		}
	}
	if n := s.reads.Load(); n > 20 {
		t.Errorf("%d backend reads: the hot table was not used", n)
	}
}

// TestRequestTime: on the default clock the engine takes the request's
// arrival time as now; a Cache with its own clock ignores it.
func TestRequestTime(t *testing.T) {
	for _, own := range []bool{false, true} {
		t.Run(fmt.Sprintf("own clock %v", own), func(t *testing.T) {
			clock := newTestClock()
			var copts []hoard.Option
			if own {
				copts = []hoard.Option{clock.option()}
			}
			e := newEngine(t, newDropStore(), copts, WithTTL(time.Hour))
			r := Request{Host: "example.com", Path: "/t"}
			serve(t, e, r, nil, textHandler("v"))
			r.Time = time.Now().Add(42 * time.Second)
			want := "42"
			if own {
				r.Time = clock.now().Add(time.Hour + time.Minute) // past expiry, if it were used
				want = "0"
			}
			for round := range 3 { // through the backend, then from the table
				res := serve(t, e, r, nil, textHandler("w"))
				if !res.hit {
					t.Fatalf("round %d: a miss, want a hit", round)
				}
				if got := field(res.fields, "Age"); got != want {
					t.Errorf("round %d: Age %q, want %q", round, got, want)
				}
			}
		})
	}
}

// TestHotTableUnderChurn races hits on many URLs against new values for
// them; a response always belongs to its URL.
func TestHotTableUnderChurn(t *testing.T) {
	e := newEngine(t, newDropStore(), nil)
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 3000 {
				path := fmt.Sprintf("/u%d", (i*7+g)%40)
				r := Request{Method: "GET", Host: "example.com", Path: path}
				if g == 0 && i%5 == 0 {
					r.Header = fakeHeader{"Cache-Control": "no-cache"}
				}
				resp := &fakeResponse{}
				err := e.Serve(t.Context(), &r, resp, func() error {
					resp.status = 200
					resp.body = fmt.Appendf(nil, "%s#%d", path, i)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
				if body := string(resp.body); !strings.HasPrefix(body, path+"#") {
					t.Errorf("%s got %q", path, body)
				}
			}
		})
	}
	wg.Wait()
}

func TestMixStringSeparatesParts(t *testing.T) {
	tab := newHotTable()
	seen := map[uint64]string{}
	for _, parts := range [][3]string{
		{"ab", "c", ""}, {"a", "bc", ""}, {"", "abc", ""}, {"abc", "", ""}, {"", "", "abc"},
		{"example.com", "/items", "page=1"}, {"example.com", "/items", "page=2"}, {"example.com", "/item", "spage=1"},
		{"h", strings.Repeat("x", 17), ""}, {"h", strings.Repeat("x", 16), "x"},
		{"h", "abcd", ""}, {"h", "abce", ""}, {"h", "abcdefgh", ""}, {"h", "abcdefgi", ""},
		{"h", "a", ""}, {"h", "aa", ""}, {"h", "aaa", ""}, {"h", "", "\x00"}, {"h", "", "\x00\x00"}, // told apart by length only
	} {
		hsh := tab.hash(&Request{Host: parts[0], Path: parts[1], RawQuery: parts[2]})
		if prev, ok := seen[hsh]; ok {
			t.Errorf("%q and %s hash alike", parts, prev)
		}
		seen[hsh] = fmt.Sprintf("%q", parts)
	}
}
