package hoardfiber

import (
	"slices"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/hoard-go/hoard/core/httpcache"
)

// ranged lists a header as the engine sees it.
func ranged(h *fasthttp.ResponseHeader) [][2]string {
	var got [][2]string
	(*responseHeader)(h).Range(func(name, value string) { got = append(got, [2]string{name, value}) })
	return got
}

// TestResponseHeaderRange: the engine must see every field, fasthttp's
// special ones (the default Content-Type, each Set-Cookie) included, in
// whatever spelling the app set it.
func TestResponseHeaderRange(t *testing.T) {
	tests := []struct {
		name string
		raw  bool // DisableNormalizing: names kept as set
		set  [][2]string
		want [][2]string
	}{
		{name: "default content type", want: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}}},
		{name: "cookies", set: [][2]string{{"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}},
			want: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}}},
		{name: "repeated", set: [][2]string{{"Link", "</a>"}, {"Link", "</b>"}},
			want: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"Link", "</a>"}, {"Link", "</b>"}}},
		{name: "raw lower case", raw: true, set: [][2]string{{"cache-control", "no-store"}},
			want: [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"cache-control", "no-store"}}},
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
			if got := ranged(&h); !slices.Equal(got, tc.want) {
				t.Fatalf("Range = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestResponseHeaderSetDel(t *testing.T) {
	var h fasthttp.ResponseHeader
	h.DisableNormalizing()
	h.Set("x-cache", "old")
	h.Set("X-CACHE", "older")
	v := (*responseHeader)(&h)
	v.Set("X-Cache", "MISS")
	if got := ranged(&h); !slices.Equal(got, [][2]string{{"Content-Type", "text/plain; charset=utf-8"}, {"X-Cache", "MISS"}}) {
		t.Fatalf("after Set: %q", got)
	}
	v.Del("X-Cache")
	if got := ranged(&h); len(got) != 1 {
		t.Fatalf("after Del: %q", got)
	}
	v.Set("Content-Length", "7")
	if h.ContentLength() != 7 {
		t.Errorf("Content-Length = %d, want 7 (a special field in fasthttp)", h.ContentLength())
	}
}

// TestWriteFields: a hit's fields replace what the response had under
// their names, a repeated name keeps every value in order, and
// Content-Length is left to fasthttp when there is a body.
func TestWriteFields(t *testing.T) {
	var fields []httpcache.Field
	for _, f := range [][2]string{
		{"Content-Type", "application/json"}, {"Link", "</a>"}, {"Link", "</b>"}, {"Etag", `"v1"`},
		{"Age", "3"}, {"Content-Length", "7"}, {"X-Cache", "HIT"}, {"Cache-Status", "hoard; hit"},
	} {
		fields = append(fields, httpcache.Field{Name: f[0], Value: f[1]})
	}
	for _, hasBody := range []bool{true, false} {
		var h fasthttp.ResponseHeader
		h.Set("X-Cache", "MISS") // set before, by middleware outside the cache
		h.Set("X-Request-Id", "r1")
		writeFields(&h, fields, hasBody)
		want := [][2]string{{"Content-Type", "application/json"}, {"X-Cache", "HIT"}, {"X-Request-Id", "r1"},
			{"Link", "</a>"}, {"Link", "</b>"}, {"Etag", `"v1"`}, {"Age", "3"}, {"Cache-Status", "hoard; hit"}}
		if !hasBody {
			want = append([][2]string{{"Content-Length", "7"}}, want...)
		}
		got := ranged(&h)
		slices.SortStableFunc(got, func(a, b [2]string) int { return cmpName(a[0], b[0]) })
		slices.SortStableFunc(want, func(a, b [2]string) int { return cmpName(a[0], b[0]) })
		if !slices.Equal(got, want) {
			t.Errorf("hasBody=%v: fields %q, want %q", hasBody, got, want)
		}
	}
}

func cmpName(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
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
