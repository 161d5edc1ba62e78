package hoard

import (
	"context"
	"net/http"
	"slices"
	"testing"
)

// listHeader is a ResponseHeader that lists its fields in the order they
// were set, as fasthttp does (http.Header groups them by name).
type listHeader struct{ fields []HeaderField }

func (h *listHeader) Get(name string) string {
	for _, f := range h.fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func (h *listHeader) Values(name string) []string {
	var vals []string
	for _, f := range h.fields {
		if f.Name == name {
			vals = append(vals, f.Value)
		}
	}
	return vals
}

func (h *listHeader) Set(name, value string) {
	h.Del(name)
	h.Add(name, value)
}

func (h *listHeader) Add(name, value string) {
	h.fields = append(h.fields, HeaderField{name, value})
}

func (h *listHeader) Del(name string) {
	h.fields = slices.DeleteFunc(h.fields, func(f HeaderField) bool { return f.Name == name })
}

func (h *listHeader) Range(fn func(name, value string)) {
	for _, f := range h.fields {
		fn(f.Name, f.Value)
	}
}

// TestStoredFieldsGroupedByName: a header whose framework lists a name's
// values apart (Link, then another field, then Link again) is replayed
// with every value, because the entry keeps each name's values together
// and a hit sets the first and adds the rest.
func TestStoredFieldsGroupedByName(t *testing.T) {
	h := newEngine(t, newDropStore(), nil)
	req := Request{Method: "GET", Host: "example.com", Path: "/grouped"}

	x := h.Begin(context.Background(), &req)
	if x.Action() != ActionRun {
		t.Fatalf("first request: action %v", x.Action())
	}
	hdr := &listHeader{}
	x.Prepare(hdr)
	hdr.Add("Link", "</a>; rel=preload")
	hdr.Add("Content-Type", "text/plain")
	hdr.Add("Link", "</b>; rel=preload")
	hdr.Add("X-Note", "1")
	hdr.Add("Link", "</c>; rel=preload")
	x.Commit(200, hdr)
	x.Capture([]byte("body"))
	x.Finish(context.Background(), 200, hdr)
	x.Release()

	x = h.Begin(context.Background(), &req)
	defer x.Release()
	if x.Action() != ActionServe {
		t.Fatalf("second request: action %v", x.Action())
	}
	var names []string
	for _, f := range x.ResponseHeaders() {
		names = append(names, f.Name)
	}
	names = slices.Compact(names)
	for i, n := range names {
		if slices.Contains(names[:i], n) {
			t.Errorf("%s listed apart from its other values: %v", n, names)
		}
	}
	out := http.Header{}
	x.WriteHeaders(Header(out))
	want := []string{"</a>; rel=preload", "</b>; rel=preload", "</c>; rel=preload"}
	if got := out.Values("Link"); !slices.Equal(got, want) {
		t.Errorf("Link on a hit = %q, want %q", got, want)
	}
	if got := out.Get("X-Note"); got != "1" {
		t.Errorf("X-Note on a hit = %q", got)
	}
}

// TestOuterMiddlewareFields: fields an outer middleware set before the
// handler ran are its own when the handler left them alone (it sets them
// again on every request), and part of the response when the handler
// changed them: a hit must send Vary: Origin (CORS, outer) together with
// the handler's added Vary: Accept-Encoding, and the outer middleware's
// fresh request id rather than the first one. (The route keys on both:
// a response that varies on a header the key ignores is not stored.)
func TestOuterMiddlewareFields(t *testing.T) {
	h := newEngine(t, newDropStore(), nil, WithVaryBy("Accept-Encoding", "Origin"))
	req := Request{Method: "GET", Host: "example.com", Path: "/outer", Header: fakeHeader{"Accept-Encoding": "gzip", "Origin": "https://a.example"}}
	outer := func(id string) http.Header {
		return http.Header{"Vary": {"Origin"}, "X-Request-Id": {id}, "X-Frame-Options": {"DENY"}}
	}

	x := h.Begin(context.Background(), &req)
	if x.Action() != ActionRun {
		t.Fatalf("first request: action %v", x.Action())
	}
	first := outer("1")
	x.Prepare(Header(first))
	first.Add("Vary", "Accept-Encoding")
	first.Set("X-Frame-Options", "SAMEORIGIN")
	x.Commit(200, Header(first))
	x.Capture([]byte("body"))
	x.Finish(context.Background(), 200, Header(first))
	x.Release()

	x = h.Begin(context.Background(), &req)
	defer x.Release()
	if x.Action() != ActionServe {
		t.Fatalf("second request: action %v", x.Action())
	}
	second := outer("2")
	x.WriteHeaders(Header(second))
	if got, want := second.Values("Vary"), []string{"Origin", "Accept-Encoding"}; !slices.Equal(got, want) {
		t.Errorf("hit Vary = %q, want %q", got, want)
	}
	if got := second.Values("X-Request-Id"); !slices.Equal(got, []string{"2"}) {
		t.Errorf("hit X-Request-Id = %q, want the outer middleware's fresh [2]", got)
	}
	if got := second.Values("X-Frame-Options"); !slices.Equal(got, []string{"SAMEORIGIN"}) {
		t.Errorf("hit X-Frame-Options = %q, want the handler's [SAMEORIGIN]", got)
	}
}
