package httpcache

import (
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// parseAll reads a Cache-Control field given as several values, as a
// response with the field repeated has it.
func parseAll(values []string) cacheControl {
	cc := parseCacheControl("")
	for _, v := range values {
		cc.add(v)
	}
	return cc
}

func TestParseCacheControl(t *testing.T) {
	none := newCacheControl()
	with := func(f func(*cacheControl)) cacheControl {
		cc := none
		f(&cc)
		return cc
	}
	tests := []struct {
		in   []string
		want cacheControl
	}{
		{nil, none},
		{[]string{""}, none},
		{[]string{"no-store"}, with(func(c *cacheControl) { c.noStore = true })},
		{[]string{"No-Cache, PRIVATE"}, with(func(c *cacheControl) { c.noCache, c.private = true, true })},
		{[]string{"public, max-age=60, s-maxage=300"}, with(func(c *cacheControl) { c.public, c.maxAge, c.sMaxAge = true, 60, 300 })},
		{[]string{"MAX-AGE=60"}, with(func(c *cacheControl) { c.maxAge = 60 })},
		{[]string{`max-age="30"`}, with(func(c *cacheControl) { c.maxAge = 30 })},
		{[]string{"max-age=99999999999999999999"}, with(func(c *cacheControl) { c.maxAge = maxDeltaSeconds })},
		{[]string{"max-age=2147483648"}, with(func(c *cacheControl) { c.maxAge = maxDeltaSeconds })},
		// A field list limits private and no-cache to those fields.
		{[]string{`private="Set-Cookie, X-Foo", max-age=5`}, with(func(c *cacheControl) { c.privateFields, c.maxAge = "Set-Cookie, X-Foo", 5 })},
		{[]string{`no-cache="a\"b,c"`, "s-maxage=7"}, with(func(c *cacheControl) { c.noCacheFields, c.sMaxAge = `a\"b,c`, 7 })},
		{[]string{`no-cache="a"`, "no-cache"}, with(func(c *cacheControl) { c.noCache = true })},
		{[]string{"must-revalidate, proxy-revalidate, immutable"}, with(func(c *cacheControl) { c.mustRevalidate, c.proxyRevalidate, c.immutable = true, true, true })},
		{[]string{"max-stale, min-fresh=5, only-if-cached"}, with(func(c *cacheControl) { c.maxStaleAny, c.minFresh, c.onlyIfCached = true, 5, true })},
		{[]string{"max-stale=30, stale-while-revalidate=10, stale-if-error=60"}, with(func(c *cacheControl) { c.maxStale, c.staleWhileRevalidate, c.staleIfError = 30, 10, 60 })},
		{[]string{" , ,max-age=1,,"}, with(func(c *cacheControl) { c.maxAge = 1 })},
		{[]string{"max-age-x=5, x-max-age=6"}, none},
		// An invalid delta-seconds is 0: stale (RFC 9111 sections 1.2.2, 4.2.1).
		{[]string{"max-age=-1"}, with(func(c *cacheControl) { c.maxAge = 0 })},
		{[]string{"max-age=abc, s-maxage="}, with(func(c *cacheControl) { c.maxAge, c.sMaxAge = 0, 0 })},
		{[]string{"max-age"}, with(func(c *cacheControl) { c.maxAge = 0 })},
		{[]string{"max-age=1.5"}, with(func(c *cacheControl) { c.maxAge = 0 })},
		{[]string{`max-age=""`}, with(func(c *cacheControl) { c.maxAge = 0 })},
		// A duplicated age counts the first time only, in one value or across values.
		{[]string{"max-age=5, max-age=10"}, with(func(c *cacheControl) { c.maxAge = 5 })},
		{[]string{"max-age=5", "max-age=10"}, with(func(c *cacheControl) { c.maxAge = 5 })},
		{[]string{"max-age=abc, max-age=10"}, with(func(c *cacheControl) { c.maxAge = 0 })},
		{[]string{"s-maxage=1, S-MAXAGE=2", "s-maxage=3"}, with(func(c *cacheControl) { c.sMaxAge = 1 })},
		{[]string{"public", "max-age=9", "no-store"}, with(func(c *cacheControl) { c.public, c.noStore, c.maxAge = true, true, 9 })},
	}
	for _, tc := range tests {
		got := parseAll(tc.in)
		if got != tc.want {
			t.Errorf("parse(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// TestStorableCacheControl: the response's Cache-Control decides what is
// stored and for how long, with duplicates and invalid ages read as
// TestParseCacheControl says.
func TestStorableCacheControl(t *testing.T) {
	e := newEngine(t, nopBackend{}, nil, WithTTL(time.Minute))
	tests := []struct {
		cc     []string
		ttl    time.Duration
		stored bool
	}{
		{nil, time.Minute, true},
		{[]string{"public"}, time.Minute, true},
		{[]string{"s-maxage=30"}, 30 * time.Second, true},
		{[]string{"s-maxage=30, s-maxage=0"}, 30 * time.Second, true},
		{[]string{"s-maxage=30", "s-maxage=0"}, 30 * time.Second, true},
		{[]string{"s-maxage=0, s-maxage=30"}, 0, false},
		{[]string{"s-maxage=-5"}, 0, false},
		{[]string{"s-maxage=soon"}, 0, false},
		{[]string{"max-age=0"}, 0, false},
		{[]string{"max-age=x"}, 0, false},
		{[]string{"max-age=0", "s-maxage=30"}, 30 * time.Second, true}, // s-maxage wins in a shared cache
		{[]string{"no-store"}, 0, false},
		{[]string{"max-age=60", "private"}, 0, false},
		{[]string{"no-cache"}, 0, false},
	}
	for _, tc := range tests {
		var fields []Field
		for _, v := range tc.cc {
			fields = append(fields, Field{"Cache-Control", v})
		}
		p, ok := e.policy(200, fields, false, 0, 0)
		if ok != tc.stored || ok && p.lifetime != tc.ttl {
			t.Errorf("Cache-Control %q: storable %v for %v, want %v for %v", tc.cc, ok, p.lifetime, tc.stored, tc.ttl)
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
		{` , "a" ,`, `"a"`, true},
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
		{f(lm), "garbage", false},
		{f(lm), "", false},
		{"", f(lm), false},
		{lm.Format(time.RFC850), f(lm), true}, // obsolete formats are accepted
	}
	for _, tc := range tests {
		if got := notModifiedSince(tc.ims, tc.lm); got != tc.want {
			t.Errorf("notModifiedSince(%q, %q) = %v, want %v", tc.ims, tc.lm, got, tc.want)
		}
	}
}

func FuzzParseCacheControl(f *testing.F) {
	for _, s := range []string{"no-store", `private="a, b", max-age=5`, "s-maxage=99999999999999999999", `no-cache="\"`, ",,=,", "max-age=0", "max-age=-1, max-age=5"} {
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
		// An age in a later value counts only when none came before.
		more := cc
		more.add("max-age=7, s-maxage=8")
		for _, c := range []struct{ before, after, added int64 }{{cc.maxAge, more.maxAge, 7}, {cc.sMaxAge, more.sMaxAge, 8}} {
			want := c.before
			if c.before == -1 {
				want = c.added
			}
			if c.after != want {
				t.Fatalf("%q then an age of %d: %d, want %d", v, c.added, c.after, want)
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

// TestMergeFields: a 304's fields replace the stored ones of the same
// name, except those that describe the stored bytes, which the 304 cannot
// have changed (RFC 9111 section 3.2).
func TestMergeFields(t *testing.T) {
	block := func(kv ...string) []byte {
		var b []byte
		for i := 0; i+1 < len(kv); i += 2 {
			b = envelope.AppendField(b, kv[i], kv[i+1])
		}
		return b
	}
	stored := block("Cache-Control", "max-age=1", "Content-Encoding", "gzip", "Content-Length", "5",
		"Content-Md5", "a", "Content-Range", "bytes 0-4/5", "X-Kept", "k", "X-Old", "1")
	update := block("Cache-Control", "max-age=60", "Content-Encoding", "br", "Content-Length", "9",
		"Content-Md5", "b", "Content-Range", "bytes 0-8/9", "Etag", `"other"`, "X-Old", "2", "Connection", "close")
	got := map[string]string{}
	for n, v, rest := envelope.NextField(mergeFields(stored, update)); n != nil; n, v, rest = envelope.NextField(rest) {
		got[string(n)] += string(v)
	}
	want := map[string]string{
		"Cache-Control": "max-age=60", "Content-Encoding": "gzip", "Content-Length": "5",
		"Content-Md5": "a", "Content-Range": "bytes 0-4/5", "X-Kept": "k", "X-Old": "2",
	}
	if !maps.Equal(got, want) {
		t.Errorf("merged %v\nwant   %v", got, want)
	}
}

// TestConnectionListedNotStored: the fields a response's Connection names
// are hop-by-hop and never stored (RFC 9111 section 3.1), nor the
// Connection field itself.
func TestConnectionListedNotStored(t *testing.T) {
	e := newEngine(t, nopBackend{}, nil, WithTTL(time.Minute))
	fields := []Field{{"Cache-Control", "max-age=60"}, {"Connection", "x-hop, Keep-Alive"}, {"Connection", "X-Other"},
		{"X-Hop", "1"}, {"X-Other", "2"}, {"X-Kept", "3"}}
	p, ok := e.policy(200, fields, false, 0, 0)
	if !ok {
		t.Fatal("not storable")
	}
	var stored []string
	block := e.headerBlock(fields, nil, p.strip, nil)
	for n, _, rest := envelope.NextField(block); n != nil; n, _, rest = envelope.NextField(rest) {
		stored = append(stored, string(n))
	}
	if strings.Join(stored, " ") != "Cache-Control X-Kept" {
		t.Errorf("stored %q, want Cache-Control X-Kept", stored)
	}
}
