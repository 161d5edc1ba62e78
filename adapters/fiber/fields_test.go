package hoardfiber

import (
	"bytes"
	"net/textproto"
	"slices"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"

	hoard "github.com/hoard-go/hoard/core"
)

// TestFieldListLayout guards setFields' direct path: if a fasthttp release
// changes the header's field list, hits still get the right header (through
// the public API) but lose the speed, and this says so.
func TestFieldListLayout(t *testing.T) {
	if !fieldListOK {
		t.Fatal("fasthttp.ResponseHeader has no h []argsKV field list: hits set their fields through SetCanonical")
	}
	var h fasthttp.ResponseHeader
	setFields(&h, []hoard.HeaderField{{Name: "X-One", Value: "1"}, {Name: "Link", Value: "</a>"}, {Name: "Link", Value: "</b>"}}, true)
	if got := string(h.Peek("X-One")); got != "1" {
		t.Errorf("Peek(X-One) = %q after setFields", got)
	}
	var links []string
	for _, v := range h.PeekAll("Link") {
		links = append(links, string(v))
	}
	if strings.Join(links, ",") != "</a>,</b>" {
		t.Errorf("PeekAll(Link) = %q", links)
	}
}

// reference writes fields the plain way: each ordinary name the hit sends
// is removed first (fasthttp replaces a special one itself), then every
// value added; Content-Length only without a body.
func reference(h *fasthttp.ResponseHeader, fields []hoard.HeaderField, hasBody bool) {
	for _, f := range fields {
		if !isSpecialField(f.Name) {
			headerDel(h, f.Name)
		}
	}
	for _, f := range fields {
		if hasBody && f.Name == fasthttp.HeaderContentLength {
			continue
		}
		if isSpecialField(f.Name) {
			h.SetCanonical([]byte(f.Name), []byte(f.Value))
		} else {
			h.AddBytesKV([]byte(f.Name), []byte(f.Value))
		}
	}
}

// wire is h as fasthttp sends it, without the Date line (which changes
// every second), its fields sorted by name: fasthttp's Del moves fields
// around, and only the order of one name's values means anything.
func wire(h *fasthttp.ResponseHeader) string {
	lines := strings.Split(strings.TrimSuffix(h.String(), "\r\n\r\n"), "\r\n")
	fields := slices.DeleteFunc(lines[1:], func(l string) bool { return strings.HasPrefix(l, "Date: ") })
	slices.SortStableFunc(fields, func(a, b string) int {
		return strings.Compare(strings.ToLower(a[:strings.IndexByte(a, ':')]), strings.ToLower(b[:strings.IndexByte(b, ':')]))
	})
	return lines[0] + "\n" + strings.Join(fields, "\n")
}

var hitFields = []hoard.HeaderField{
	{Name: "Content-Type", Value: "application/json"},
	{Name: "Link", Value: "</a>; rel=preload"},
	{Name: "X-Custom", Value: "one"},
	{Name: "Link", Value: "</b>; rel=preload"},
	{Name: "Etag", Value: `"dac96504a1d376f6"`},
	{Name: "Age", Value: "3"},
	{Name: "Content-Length", Value: "7"},
	{Name: "Cache-Control", Value: "max-age=300"},
	{Name: "X-Cache", Value: "HIT"},
	{Name: "Cache-Status", Value: "hoard; hit"},
}

func TestSetFields(t *testing.T) {
	tests := []struct {
		name    string
		raw     bool        // DisableNormalizing
		preset  [][2]string // set before the hit (outer middleware)
		fields  []hoard.HeaderField
		hasBody bool
		sends   []string // in the header as sent, sorted by name
		drops   []string // not in it
	}{
		{name: "hit", fields: hitFields, hasBody: true},
		{name: "head", fields: hitFields},
		{name: "special fields", fields: []hoard.HeaderField{
			{Name: "Content-Encoding", Value: "gzip"}, {Name: "Server", Value: "app"},
			{Name: "X-After", Value: "1"}, {Name: "Content-Length", Value: "12"},
		}},
		{name: "outer fields kept", preset: [][2]string{{"X-Frame-Options", "DENY"}, {"Access-Control-Allow-Origin", "*"}}, fields: hitFields, hasBody: true},
		{
			name: "outer fields of the same name replaced", preset: [][2]string{{"X-Cache", "outer"}, {"Link", "</old>"}, {"Link", "</older>"}, {"X-Keep", "1"}}, fields: hitFields, hasBody: true,
			sends: []string{"X-Keep: 1", "X-Cache: HIT", "Link: </a>; rel=preload\nLink: </b>; rel=preload"}, drops: []string{"outer", "old"},
		},
		{name: "outer content type replaced", preset: [][2]string{{"Content-Type", "text/html"}}, fields: hitFields, hasBody: true},
		{name: "raw names", raw: true, preset: [][2]string{{"x-cache", "outer"}}, fields: hitFields, hasBody: true},
		{name: "raw names, nothing before", raw: true, fields: hitFields, hasBody: true},
		{name: "no fields", preset: [][2]string{{"X-Keep", "1"}}},
	}
	// setFieldsPublic is what every hit uses should fasthttp's field list
	// change: it must send the same.
	impls := map[string]func(*fasthttp.ResponseHeader, []hoard.HeaderField, bool){
		"setFields": setFields, "setFieldsPublic": setFieldsPublic,
	}
	for _, tc := range tests {
		for name, set := range impls {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				var got, want fasthttp.ResponseHeader
				for _, h := range []*fasthttp.ResponseHeader{&got, &want} {
					if tc.raw {
						h.DisableNormalizing()
					}
					for _, kv := range tc.preset {
						h.Add(kv[0], kv[1])
					}
				}
				set(&got, tc.fields, tc.hasBody)
				reference(&want, tc.fields, tc.hasBody)
				g := wire(&got)
				if w := wire(&want); g != w {
					t.Errorf("sends\n%s\nwant\n%s", g, w)
				}
				for _, s := range tc.sends {
					if !strings.Contains(g, s) {
						t.Errorf("sends\n%s\nwithout %q", g, s)
					}
				}
				for _, s := range tc.drops {
					if strings.Contains(g, s) {
						t.Errorf("sends\n%s\nwith %q", g, s)
					}
				}
			})
		}
	}
}

// TestSetFieldsReusesBuffers: fasthttp keeps a connection's header between
// requests and reuses its buffers; a hit after a longer response must not
// leave any of that response's fields behind.
func TestSetFieldsReusesBuffers(t *testing.T) {
	var resp fasthttp.Response
	many := append([]hoard.HeaderField{{Name: "X-Extra", Value: strings.Repeat("x", 100)}}, hitFields...)
	setFields(&resp.Header, many, true)
	resp.Reset()
	setFields(&resp.Header, hitFields[:3], true)
	if got := resp.Header.Peek("X-Extra"); got != nil {
		t.Errorf("X-Extra %q survived Reset", got)
	}
	var want fasthttp.ResponseHeader
	reference(&want, hitFields[:3], true)
	if g, w := wire(&resp.Header), wire(&want); g != w {
		t.Errorf("after reuse setFields sends\n%s\nwant\n%s", g, w)
	}
}

// TestIsSpecialField checks the list against fasthttp itself: a field is
// special exactly when SetCanonical does not put it in the field list
// (Connection only with the value "close", which the test sets).
func TestIsSpecialField(t *testing.T) {
	names := []string{
		"Content-Type", "content-type", "CONTENT-LENGTH", "Content-Length", "Content-Encoding", "Connection",
		"Server", "Set-Cookie", "set-cookie", "Transfer-Encoding", "Trailer", "Date", "date",
		"Etag", "Age", "Vary", "Link", "Cache-Control", "Cache-Status", "X-Cache", "Expires",
		"Last-Modified", "Content-Language", "Content-Location", "Content-Disposition", "Server-Timing",
		"Strict-Transport-Security", "Set-Cookie2", "Dates", "Connectionx", "Trailers", "Keep-Alive",
	}
	for _, name := range names {
		var h fasthttp.ResponseHeader
		h.SetCanonical([]byte(name), []byte("close"))
		list := *fieldList(&h)
		inList := len(list) == 1 && bytes.Equal(list[0].key, []byte(name))
		if got := isSpecialField(name); got == inList {
			t.Errorf("isSpecialField(%q) = %v, but fasthttp's field list after SetCanonical is %d long", name, got, len(list))
		}
	}
}

// FuzzSetFields compares setFields with the plain way for any fields
// (valid names in canonical form, as the engine gives them), after a field
// an outer middleware set (none when its name is empty).
func FuzzSetFields(f *testing.F) {
	f.Add("", "", "Link", "</a>", "X-Cache", "HIT", "Link", "</b>", false)
	f.Add("", "", "Content-Type", "text/plain", "Content-Length", "3", "Age", "0", true)
	f.Add("", "", "Set-Cookie", "a=1", "Date", "x", "Server", "s", false)
	f.Add("X-Cache", "outer", "Link", "</a>", "X-Cache", "HIT", "Link", "</b>", true)
	f.Add("x-frame-options", "DENY", "Etag", `"e"`, "Age", "1", "Vary", "Accept", true)
	f.Fuzz(func(t *testing.T, pn, pv, n1, v1, n2, v2, n3, v3 string, hasBody bool) {
		if pn != "" && (!validName(pn) || !validValue(pv)) {
			return
		}
		var fields []hoard.HeaderField
		for _, kv := range [][2]string{{n1, v1}, {n2, v2}, {n3, v3}} {
			name := textproto.CanonicalMIMEHeaderKey(kv[0])
			if !validName(name) || !validValue(kv[1]) {
				return
			}
			fields = append(fields, hoard.HeaderField{Name: name, Value: kv[1]})
		}
		var got, want fasthttp.ResponseHeader
		if pn != "" {
			got.Add(pn, pv)
			want.Add(pn, pv)
		}
		setFields(&got, fields, hasBody)
		reference(&want, fields, hasBody)
		if g, w := wire(&got), wire(&want); g != w {
			t.Errorf("fields %q: setFields sends\n%s\nwant\n%s", fields, g, w)
		}
	})
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validValue(s string) bool {
	return !strings.ContainsAny(s, "\r\n\x00")
}
