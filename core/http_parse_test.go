package hoard

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseCacheControl(t *testing.T) {
	tests := []struct {
		in   []string
		want cacheControl
	}{
		{nil, cacheControl{maxAge: -1, sMaxAge: -1}},
		{[]string{"no-store"}, cacheControl{noStore: true, maxAge: -1, sMaxAge: -1}},
		{[]string{"No-Cache, PRIVATE"}, cacheControl{noCache: true, private: true, maxAge: -1, sMaxAge: -1}},
		{[]string{"public, max-age=60, s-maxage=300"}, cacheControl{public: true, maxAge: 60, sMaxAge: 300}},
		{[]string{`max-age="30"`}, cacheControl{maxAge: 30, sMaxAge: -1}},
		{[]string{"max-age=-1"}, cacheControl{maxAge: -1, sMaxAge: -1}},
		{[]string{"max-age=abc, s-maxage="}, cacheControl{maxAge: -1, sMaxAge: -1}},
		{[]string{"max-age=99999999999999999999"}, cacheControl{maxAge: maxDeltaSeconds, sMaxAge: -1}},
		{[]string{`private="Set-Cookie, X-Foo", max-age=5`}, cacheControl{private: true, maxAge: 5, sMaxAge: -1}},
		{[]string{`no-cache="a\"b,c"`, "s-maxage=7"}, cacheControl{noCache: true, maxAge: -1, sMaxAge: 7}},
		{[]string{" , ,max-age=1,,"}, cacheControl{maxAge: 1, sMaxAge: -1}},
	}
	for _, tc := range tests {
		if got := parseCacheControl(tc.in...); got != tc.want {
			t.Errorf("parseCacheControl(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestETagMatches(t *testing.T) {
	tests := []struct {
		inm, etag string
		want      bool
	}{
		{`"a"`, `"a"`, true},
		{`W/"a"`, `"a"`, true},
		{`"a"`, `W/"a"`, true},
		{`"x", "a"`, `"a"`, true},
		{`"x","y",W/"a"`, `"a"`, true},
		{`*`, `"a"`, true},
		{`*`, ``, false},
		{`"a"`, ``, false},
		{`"b"`, `"a"`, false},
		{`"a,b"`, `"a"`, false},
		{`"a,b"`, `"a,b"`, true},
		{`"a`, `"a"`, false},
		{`a`, `"a"`, false},
		{``, `"a"`, false},
	}
	for _, tc := range tests {
		if got := etagMatches(tc.inm, tc.etag); got != tc.want {
			t.Errorf("etagMatches(%q, %q) = %v, want %v", tc.inm, tc.etag, got, tc.want)
		}
	}
}

func TestNotModifiedSince(t *testing.T) {
	lm := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f := func(t time.Time) string { return t.Format(http.TimeFormat) }
	tests := []struct {
		ims, lm string
		want    bool
	}{
		{f(lm), f(lm), true},
		{f(lm.Add(time.Second)), f(lm), true},
		{f(lm.Add(-time.Second)), f(lm), false},
		{"garbage", f(lm), false},
		{f(lm), "", false},
		{lm.Format(time.RFC850), f(lm), true}, // obsolete formats are accepted
	}
	for _, tc := range tests {
		if got := notModifiedSince(tc.ims, tc.lm); got != tc.want {
			t.Errorf("notModifiedSince(%q, %q) = %v, want %v", tc.ims, tc.lm, got, tc.want)
		}
	}
}

func TestSortedQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a=1", "a=1"},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&b=1&a=1", "a=2&a=1&b=1"},
		{"z&&a", "&a&z"},
		{"%zz=1&%41=2", "%41=2&%zz=1"},
	}
	for _, tc := range tests {
		got := string(appendSortedQuery(nil, tc.in))
		if got != tc.want {
			t.Errorf("appendSortedQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) != len(tc.in) {
			t.Errorf("appendSortedQuery(%q) changed the length", tc.in)
		}
	}
}

// testEngine returns an engine with the given options over a cache that is
// never used for I/O: for key and policy tests.
func testEngine(t testing.TB, opts ...HTTPOption) *HTTP {
	t.Helper()
	return newEngine(t, mapBackend{}, []Option{WithPrefix("p")}, opts...)
}

// newEngine is an engine over b, with Cache options copts.
func newEngine(t testing.TB, b Backend, copts []Option, opts ...HTTPOption) *HTTP {
	t.Helper()
	c, err := New(b, copts...)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHTTP(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

type mapBackend struct{ Backend }

type fakeHeader map[string]string

func (h fakeHeader) Get(name string) string { return h[name] }

// requestKey is the key Begin computes for r.
func requestKey(h *HTTP, r *Request) string {
	var f requestFields
	f.read(r.Header, h.cfg.varyBy, f.take)
	return string(h.appendKey(nil, r, &f))
}

func TestRequestKeys(t *testing.T) {
	h := testEngine(t, WithVaryBy("Accept-Language"))
	key := func(host, path, query, lang string) string {
		return requestKey(h, &Request{Method: "GET", Host: host, Path: path, RawQuery: query, Header: fakeHeader{"Accept-Language": lang}})
	}
	same := [][2]string{
		{key("Example.COM", "/a", "b=2&a=1", "en"), key("example.com", "/a", "a=1&b=2", "en")},
	}
	for _, p := range same {
		if p[0] != p[1] {
			t.Errorf("keys differ: %q vs %q", p[0], p[1])
		}
	}
	distinct := []string{
		key("example.com", "/a", "", "en"),
		key("example.com", "/a", "", "fr"),
		key("example.com", "/a", "", ""),
		key("example.com", "/a", "x=1", "en"),
		key("example.com", "/b", "", "en"),
		key("other.com", "/a", "", "en"),
		key("example.com", "/a|3:abc", "", ""),
		key("example.com", "/a", "", "|3:abc"),
		key("example.com", "/a?", "", "en"),
	}
	seen := map[string]int{}
	for i, k := range distinct {
		if j, ok := seen[k]; ok {
			t.Errorf("requests %d and %d share key %q", i, j, k)
		}
		seen[k] = i
		if len(k) > MaxKeyLen || !printable(k) {
			t.Errorf("key %q is not a valid backend key", k)
		}
	}
	if long := key("example.com", "/"+strings.Repeat("x", 500), "", ""); len(long) > MaxKeyLen || !strings.Contains(long, ":#") {
		t.Errorf("a long request's key %q should be hashed", long)
	}
}

func FuzzParseCacheControl(f *testing.F) {
	for _, s := range []string{"no-store", `private="a, b", max-age=5`, "s-maxage=99999999999999999999", `no-cache="\"`, ",,=,", "max-age=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		cc := parseCacheControl(v)
		for _, age := range []int64{cc.maxAge, cc.sMaxAge} {
			if age < -1 || age > maxDeltaSeconds {
				t.Fatalf("age %d out of range for %q", age, v)
			}
		}
		// A directive appended after the value is always seen, unless the
		// value leaves a quoted string open.
		if strings.Count(v, `"`)%2 == 0 && !strings.Contains(v, `\`) {
			if !parseCacheControl(v + ", no-store").noStore {
				t.Fatalf("no-store after %q was not seen", v)
			}
		}
	})
}

func FuzzETagMatches(f *testing.F) {
	for _, s := range []string{`"a"`, `W/"a", "b"`, `*`, `"a`, `,,`, `W/`} {
		f.Add(s, `"a"`)
	}
	f.Fuzz(func(t *testing.T, inm, tag string) {
		got := etagMatches(inm, tag)
		if tag == "" && got {
			t.Fatal("an empty ETag matched")
		}
		if strings.TrimSpace(inm) == "*" && tag != "" && !got {
			t.Fatal("* did not match")
		}
		if !strings.ContainsAny(tag, `",`) && tag != "" {
			q := `"` + tag + `"`
			if !etagMatches(q, q) || !etagMatches("W/"+q, q) || !etagMatches(`"other", `+q, q) {
				t.Fatalf("%s did not match itself", q)
			}
		}
	})
}

// FuzzRequestKey checks that keys are valid for every backend and that two
// requests share a key only when they are the same request after
// normalisation (host case, query order).
func FuzzRequestKey(f *testing.F) {
	f.Add("example.com", "/a", "b=1&a=2", "en", "example.com", "/a", "a=2&b=1", "en")
	f.Add("h", "/a|3:abc", "", "", "h", "/a", "", "|3:abc")
	f.Add("h", "/x", "q=%zz", "", "H", "/x", "q=%zz", "")
	h := testEngine(f, WithVaryBy("Accept-Language"))
	key := func(host, path, query, lang string) string {
		return requestKey(h, &Request{Method: "GET", Host: host, Path: path, RawQuery: query, Header: fakeHeader{"Accept-Language": lang}})
	}
	norm := func(host, path, query, lang string) string {
		return strings.ToLower(host) + "\x00" + path + "\x00" + string(appendSortedQuery(nil, query)) + "\x00" + lang
	}
	f.Fuzz(func(t *testing.T, h1, p1, q1, l1, h2, p2, q2, l2 string) {
		k1, k2 := key(h1, p1, q1, l1), key(h2, p2, q2, l2)
		for _, k := range []string{k1, k2} {
			if len(k) > MaxKeyLen || !printable(k) {
				t.Fatalf("invalid key %q", k)
			}
		}
		if k1 == k2 && norm(h1, p1, q1, l1) != norm(h2, p2, q2, l2) {
			t.Fatalf("different requests share key %q:\n%q %q %q %q\n%q %q %q %q", k1, h1, p1, q1, l1, h2, p2, q2, l2)
		}
	})
}
