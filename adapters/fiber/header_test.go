package hoardfiber

import (
	"net/textproto"
	"slices"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestResponseHeaderView(t *testing.T) {
	tests := []struct {
		name   string
		raw    bool // DisableNormalizing: names kept as set
		set    [][2]string
		get    string
		want   string
		values []string
	}{
		{name: "default content type", get: "Content-Type", want: "text/plain; charset=utf-8", values: []string{"text/plain; charset=utf-8"}},
		{name: "content type", set: [][2]string{{"Content-Type", "application/json"}}, get: "Content-Type", want: "application/json", values: []string{"application/json"}},
		{name: "absent", get: "Cache-Control", want: "", values: nil},
		{name: "etag normalized", set: [][2]string{{"ETag", `"v1"`}}, get: "Etag", want: `"v1"`, values: []string{`"v1"`}},
		{name: "each cookie", set: [][2]string{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}, get: "Set-Cookie", want: "a=1", values: []string{"a=1", "b=2"}},
		{name: "repeated", set: [][2]string{{"Link", "</a>"}, {"Link", "</b>"}}, get: "Link", want: "</a>", values: []string{"</a>", "</b>"}},
		{name: "raw lower case", raw: true, set: [][2]string{{"cache-control", "no-store"}}, get: "Cache-Control", want: "no-store", values: []string{"no-store"}},
		{name: "raw mixed spellings", raw: true, set: [][2]string{{"vary", "a"}, {"VARY", "b"}}, get: "Vary", want: "a", values: []string{"a", "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h fasthttp.ResponseHeader
			if tc.raw {
				h.DisableNormalizing()
			}
			for _, kv := range tc.set {
				h.Add(kv[0], kv[1])
			}
			for _, v := range []interface {
				Get(string) string
				Values(string) []string
			}{(*responseHeader)(&h), (*keptHeader)(&h)} {
				if got := v.Get(tc.get); got != tc.want {
					t.Errorf("%T.Get(%q) = %q, want %q", v, tc.get, got, tc.want)
				}
				if got := v.Values(tc.get); !slices.Equal(got, tc.values) {
					t.Errorf("%T.Values(%q) = %q, want %q", v, tc.get, got, tc.values)
				}
			}
		})
	}
}

func TestResponseHeaderRangeCanonical(t *testing.T) {
	var h fasthttp.ResponseHeader
	h.DisableNormalizing()
	h.Set("x-custom", "1")
	h.Set("X-Other", "2")
	h.Set("cache-control", "max-age=5")
	got := map[string]string{}
	(*responseHeader)(&h).Range(func(name, value string) { got[name] = value })
	want := map[string]string{"X-Custom": "1", "X-Other": "2", "Cache-Control": "max-age=5", "Content-Type": "text/plain; charset=utf-8"}
	if len(got) != len(want) {
		t.Fatalf("Range gave %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Range: %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// TestKeptHeaderCopies: what Prepare records must survive the handler
// overwriting the same field in place, which a view would not.
func TestKeptHeaderCopies(t *testing.T) {
	var h fasthttp.ResponseHeader
	h.Set("X-Mode", "outer")
	kept := (*keptHeader)(&h).Get("X-Mode")
	view := (*responseHeader)(&h).Get("X-Mode")
	var ranged []string
	(*keptHeader)(&h).Range(func(name, value string) { ranged = append(ranged, name, value) })
	h.Set("X-Mode", "inner") // same length: fasthttp reuses the bytes
	if kept != "outer" {
		t.Errorf("kept Get = %q after the header changed, want outer", kept)
	}
	if !slices.Contains(ranged, "outer") || !slices.Contains(ranged, "X-Mode") {
		t.Errorf("kept Range = %q after the header changed", ranged)
	}
	if view != "inner" {
		// Not a requirement, but it documents why keptHeader exists.
		t.Logf("view Get = %q: fasthttp did not reuse the value's bytes", view)
	}
}

func TestResponseHeaderSetAddDel(t *testing.T) {
	var h fasthttp.ResponseHeader
	h.DisableNormalizing()
	h.Set("x-cache", "old")
	v := (*responseHeader)(&h)
	v.Del("X-Cache")
	if got := v.Values("X-Cache"); got != nil {
		t.Fatalf("after Del: %q", got)
	}
	v.Set("Age", "1")
	v.Set("Age", "2")
	v.Add("Link", "</a>")
	v.Add("Link", "</b>")
	v.Set("Content-Length", "7")
	if got := v.Values("Age"); !slices.Equal(got, []string{"2"}) {
		t.Errorf("Age = %q, want [2]", got)
	}
	if got := v.Values("Link"); !slices.Equal(got, []string{"</a>", "</b>"}) {
		t.Errorf("Link = %q", got)
	}
	if h.ContentLength() != 7 {
		t.Errorf("Content-Length = %d, want 7 (a special field in fasthttp)", h.ContentLength())
	}
}

func TestRequestHeaderViews(t *testing.T) {
	var norm, raw fasthttp.RequestHeader
	raw.DisableNormalizing()
	for _, h := range []*fasthttp.RequestHeader{&norm, &raw} {
		h.Set("authorization", "Bearer x")
		h.Set("cache-control", "no-cache")
	}
	if got := (*requestHeader)(&norm).Get("Authorization"); got != "Bearer x" {
		t.Errorf("normalized Get = %q", got)
	}
	if got := (*exactRequestHeader)(&raw).Get("Authorization"); got != "Bearer x" {
		t.Errorf("exact Get(Authorization) on a lower-case name = %q", got)
	}
	if got := (*exactRequestHeader)(&raw).Get("Cache-Control"); got != "no-cache" {
		t.Errorf("exact Get(Cache-Control) = %q", got)
	}
	if got := (*exactRequestHeader)(&raw).Get("Pragma"); got != "" {
		t.Errorf("exact Get(Pragma) = %q", got)
	}
}

func TestCanonicalName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Content-Type", "Content-Type"},
		{"content-type", "Content-Type"},
		{"ETAG", "Etag"},
		{"x-a-b", "X-A-B"},
		{"X-", "X-"},
		{"", ""},
		{"bad header", "bad header"}, // textproto leaves invalid names alone
		{"Www-Authenticate", "Www-Authenticate"},
	} {
		if got := canonicalName([]byte(tc.in), true); got != tc.want {
			t.Errorf("canonicalName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzCanonicalName checks the fast path: whatever isCanonical accepts,
// textproto.CanonicalMIMEHeaderKey returns unchanged.
func FuzzCanonicalName(f *testing.F) {
	for _, s := range []string{"Content-Type", "content-type", "X-Forwarded-For", "-a", "a--b", "Ä-x", "bad name", "1x-y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := textproto.CanonicalMIMEHeaderKey(s)
		if got := canonicalName([]byte(s), false); got != want {
			t.Fatalf("canonicalName(%q) = %q, want %q", s, got, want)
		}
	})
}
