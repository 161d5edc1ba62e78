package httpcache

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/keys"
)

func TestSortedQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a=1", "a=1"},
		{"a=1&b=2", "a=1&b=2"},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&b=1&a=1", "a=2&a=1&b=1"}, // a repeated name keeps its values' order
		{"z&&a", "&a&z"},
		{"b&a=", "a=&b"},
		{"a=1&", "&a=1"}, // an empty name sorts first, the last one too
		{"b&a&", "&a&b"},
		// Names compare as decoded: %61 is a, + is a space, an invalid % is itself.
		{"%zz=1&%41=2", "%zz=1&%41=2"}, // '%' < 'A'
		{"%41=2&%zz=1", "%zz=1&%41=2"},
		{"b=1&%61=2", "%61=2&b=1"},
		{"%61=2&a=1", "%61=2&a=1"}, // one name: the handler sees a=[2 1]
		{"a=1&%61=2", "a=1&%61=2"}, // and here a=[1 2]
		{"a+b=1&a%20a=2", "a%20a=2&a+b=1"},
		{"b=1&+=2", "+=2&b=1"},
		{"%7a=1&%5A=2", "%5A=2&%7a=1"},
		{"%4=1&%=2", "%=2&%4=1"},
		{"A=2&%41%=1", "A=2&%41%=1"},
		{"%41%=1&A=2", "A=2&%41%=1"},
		{"%C3%A9=1&z=2", "z=2&%C3%A9=1"}, // é is past z in bytes
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
func testEngine(t testing.TB, opts ...Option) *Engine {
	t.Helper()
	return newEngine(t, nopBackend{}, []hoard.Option{hoard.WithPrefix("p")}, opts...)
}

// requestKey is the key the engine computes for r.
func requestKey(e *Engine, r *Request) string {
	var f requestFields
	f.read(r.Header, e.cfg.varyBy, f.take)
	return string(e.appendKey(nil, r, &f))
}

func validKey(k string) bool { return len(k) <= hoard.MaxKeyLen && keys.Printable(k) }

func TestRequestKeys(t *testing.T) {
	e := testEngine(t, WithVaryBy("Accept-Language"))
	key := func(host, path, query, lang string) string {
		return requestKey(e, &Request{Method: "GET", Host: host, Path: path, RawQuery: query, Header: fakeHeader{"Accept-Language": lang}})
	}
	same := [][2]string{
		{key("Example.COM", "/a", "b=2&a=1", "en"), key("example.com", "/a", "a=1&b=2", "en")},
		{key("example.com", "/a", "%62=2&a=1", "en"), key("example.com", "/a", "a=1&%62=2", "en")},
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
		key("example.com", "/A", "", "en"),
		key("other.com", "/a", "", "en"),
		key("example.com", "/a|3:abc", "", ""),
		key("example.com", "/a", "", "|3:abc"),
		key("example.com", "/a?", "", "en"),
		key("example.com/", "a", "", "en"),
		key("example.com", "/a", "a=1&%61=2", "en"),
		key("example.com", "/a", "%61=2&a=1", "en"),
		key("00", "00", "00000", ""), // from the fuzz corpus: "0","000" must differ
		key("0", "000", "00000", ""),
		key("example.com", "/a b", "", ""), // hashed: a space is not printable
		key("example.com", "/a c", "", ""),
	}
	seen := map[string]int{}
	for i, k := range distinct {
		if j, ok := seen[k]; ok {
			t.Errorf("requests %d and %d share key %q", i, j, k)
		}
		seen[k] = i
		if !validKey(k) || !strings.HasPrefix(k, "p::") {
			t.Errorf("key %q is not a valid backend key with prefix p", k)
		}
	}
	if long := key("example.com", "/"+strings.Repeat("x", 500), "", ""); !validKey(long) || !strings.Contains(long, ":#") {
		t.Errorf("a long request's key %q should be hashed", long)
	}
	if k := key("example.com", "/é", "", ""); !validKey(k) || !strings.Contains(k, ":#") {
		t.Errorf("a non-ASCII request's key %q should be hashed", k)
	}

	t.Run("key function and options", func(t *testing.T) {
		r := &Request{Method: "GET", Host: "example.com", Path: "/a", Header: fakeHeader{"Authorization": "Bearer x"}}
		byID := testEngine(t, WithKeyFunc(func(r Request) string { return "item-" + r.Path[1:] }), WithNamespace("items"))
		if got, want := requestKey(byID, r), "p:items:6:item-a"; got != want {
			t.Errorf("key function: %q, want %q", got, want)
		}
		auth := testEngine(t, WithAuthorization(true))
		k1 := requestKey(auth, r)
		r.Header = fakeHeader{"Authorization": "Bearer y"}
		k2 := requestKey(auth, r)
		if k1 == k2 || strings.Contains(k1, "Bearer") {
			t.Errorf("credential keys %q and %q: want distinct, without the credential", k1, k2)
		}
	})
}

// asciiLower lowers A-Z only, as host names compare.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

// decodedName is a query parameter's name as a query decoder reads it, an
// invalid escape taken literally.
func decodedName(p string) string {
	name, _, _ := strings.Cut(p, "=")
	var b []byte
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(name) && strings.ContainsRune("0123456789abcdefABCDEF", rune(name[i+1])) && strings.ContainsRune("0123456789abcdefABCDEF", rune(name[i+2])):
			var v byte
			for _, h := range name[i+1 : i+3] {
				v <<= 4
				switch {
				case h <= '9':
					v |= byte(h - '0')
				case h <= 'F':
					v |= byte(h - 'A' + 10)
				default:
					v |= byte(h - 'a' + 10)
				}
			}
			b = append(b, v)
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// FuzzRequestKey checks that keys are valid for every backend and that two
// requests share a key only when they are the same request after
// normalisation (host case, query order by decoded name, the Vary value's
// case and spaces), and that the
// sorted query is the same parameters, ordered by decoded name, each name's
// values in their order.
func FuzzRequestKey(f *testing.F) {
	f.Add("example.com", "/a", "b=1&a=2", "en", "example.com", "/a", "a=2&b=1", "en")
	f.Add("h", "/a|3:abc", "", "", "h", "/a", "", "|3:abc")
	f.Add("h", "/x", "q=%zz", "", "H", "/x", "q=%zz", "")
	f.Add("h", "/x", "%61=1&a=2", "", "h", "/x", "a=2&%61=1", "")
	f.Add("h", "/x", "%zz=1&%41=2", "", "h", "/x", "%41=2&%zz=1", "")
	f.Add("0", "0", "0", " ", "0", "0", "0", "") // spaces around a value are not part of it
	e := testEngine(f, WithVaryBy("Accept-Language"))
	key := func(host, path, query, lang string) string {
		return requestKey(e, &Request{Method: "GET", Host: host, Path: path, RawQuery: query, Header: fakeHeader{"Accept-Language": lang}})
	}
	// A Vary value is compared normalised (case, spaces: see vary.go), as
	// the key keeps it.
	norm := func(host, path, query, lang string) string {
		return asciiLower(host) + "\x00" + path + "\x00" + string(appendSortedQuery(nil, query)) + "\x00" + normaliseValue("Accept-Language", lang)
	}
	f.Fuzz(func(t *testing.T, h1, p1, q1, l1, h2, p2, q2, l2 string) {
		k1, k2 := key(h1, p1, q1, l1), key(h2, p2, q2, l2)
		for _, k := range []string{k1, k2} {
			if !validKey(k) {
				t.Fatalf("invalid key %q", k)
			}
		}
		if k1 == k2 && norm(h1, p1, q1, l1) != norm(h2, p2, q2, l2) {
			t.Fatalf("different requests share key %q:\n%q %q %q %q\n%q %q %q %q", k1, h1, p1, q1, l1, h2, p2, q2, l2)
		}
		for _, q := range []string{q1, q2} {
			sorted := string(appendSortedQuery(nil, q))
			in, out := strings.Split(q, "&"), strings.Split(sorted, "&")
			if len(sorted) != len(q) || len(in) != len(out) {
				t.Fatalf("appendSortedQuery(%q) = %q: not the same parameters", q, sorted)
			}
			for i := 1; i < len(out); i++ {
				if decodedName(out[i-1]) > decodedName(out[i]) {
					t.Fatalf("appendSortedQuery(%q) = %q: %q before %q", q, sorted, out[i-1], out[i])
				}
			}
			// A stable sort: the parameters of each decoded name keep their order.
			byName := func(ps []string) map[string][]string {
				m := map[string][]string{}
				for _, p := range ps {
					m[decodedName(p)] = append(m[decodedName(p)], p)
				}
				return m
			}
			want := byName(in)
			for name, ps := range byName(out) {
				if !slices.Equal(ps, want[name]) {
					t.Fatalf("appendSortedQuery(%q) = %q: name %q has %q, want %q", q, sorted, name, ps, want[name])
				}
			}
		}
	})
}

// BenchmarkAppendKey is the key a hit builds for a typical request.
func BenchmarkAppendKey(b *testing.B) {
	e := testEngine(b)
	r := &Request{Method: "GET", Host: "api.example", Path: "/items", RawQuery: "page=1"}
	var f requestFields
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = e.appendKey(buf[:0], r, &f)
	}
}

// TestKeyFuncOnMadeUpRequests: a key function that reads a request field
// also runs, without a panic, on the requests the engine makes up itself:
// a purged URL, and the Location of a POST it invalidates.
func TestKeyFuncOnMadeUpRequests(t *testing.T) {
	byTenant := func(r Request) string { return r.Header.Get("X-Tenant") + r.Path }
	e := newEngine(t, newMemoStore(), nil, WithKeyFunc(byTenant))
	h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Header().Set("Location", "/items/2")
			w.WriteHeader(http.StatusCreated)
			return
		}
		_, _ = w.Write([]byte("item"))
	}))
	serve := func(method, path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w
	}
	serve("GET", "/items/2")
	if w := serve("POST", "/items"); w.Code != http.StatusCreated {
		t.Fatalf("POST: %d", w.Code)
	}
	if w := serve("GET", "/items/2"); w.Header().Get("X-Cache") != "MISS" {
		t.Errorf("the POST's Location: X-Cache %q, want MISS", w.Header().Get("X-Cache"))
	}
	if w := serve("GET", "/items/2"); w.Header().Get("X-Cache") != "HIT" {
		t.Fatalf("X-Cache %q, want HIT", w.Header().Get("X-Cache"))
	}
	if err := e.Purge(context.Background(), "http://example.com/items/2"); err != nil {
		t.Fatal(err)
	}
	if w := serve("GET", "/items/2"); w.Header().Get("X-Cache") != "MISS" {
		t.Errorf("after a purge: X-Cache %q, want MISS", w.Header().Get("X-Cache"))
	}
}
