package httpcache

import (
	"strings"
	"testing"
)

// visitedHeader is a request header that only offers VisitAll, with names
// spelled as a client may send them.
type visitedHeader [][2]string

func (h visitedHeader) Get(string) string { panic("the engine should visit, not Get") }

func (h visitedHeader) VisitAll(fn func(name, value string)) {
	for _, f := range h {
		fn(f[0], f[1])
	}
}

// TestRequestFieldsVisitMatchesGet checks that one VisitAll pass reads the
// same fields as a Get per name, whatever the names' case, with the first
// of repeated fields winning, Pragma ignored under Cache-Control and
// If-Modified-Since under If-None-Match.
func TestRequestFieldsVisitMatchesGet(t *testing.T) {
	varyBy := []string{"Accept-Language", "X-Tenant"}
	tests := []struct {
		name    string
		visited visitedHeader
		get     fakeHeader
		want    requestFields
	}{
		{"none", nil, fakeHeader{}, requestFields{}},
		{"canonical", visitedHeader{{"Cache-Control", "no-cache"}, {"Authorization", "Bearer x"}, {"If-None-Match", `"a"`}, {"Accept-Language", "en"}},
			fakeHeader{"Cache-Control": "no-cache", "Authorization": "Bearer x", "If-None-Match": `"a"`, "Accept-Language": "en"},
			requestFields{cacheControl: "no-cache", authorization: "Bearer x", ifNoneMatch: `"a"`, vary: []string{"en", ""}}},
		{"lower case", visitedHeader{{"cache-control", "max-age=0"}, {"authorization", "Basic y"}, {"if-modified-since", "Mon, 02 Jan 2006 15:04:05 GMT"}, {"x-tenant", "t1"}},
			fakeHeader{"Cache-Control": "max-age=0", "Authorization": "Basic y", "If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT", "X-Tenant": "t1"},
			requestFields{cacheControl: "max-age=0", authorization: "Basic y", ifModifiedSince: "Mon, 02 Jan 2006 15:04:05 GMT", vary: []string{"", "t1"}}},
		{"pragma", visitedHeader{{"PRAGMA", "no-cache"}, {"Accept", "text/html"}}, fakeHeader{"Pragma": "no-cache"},
			requestFields{pragma: "no-cache"}},
		{"pragma under cache-control", visitedHeader{{"Pragma", "no-cache"}, {"cache-control", "max-age=5"}},
			fakeHeader{"Pragma": "no-cache", "Cache-Control": "max-age=5"},
			requestFields{cacheControl: "max-age=5"}},
		{"if-modified-since under if-none-match", visitedHeader{{"If-Modified-Since", "Mon, 02 Jan 2006 15:04:05 GMT"}, {"if-none-match", `"a"`}},
			fakeHeader{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT", "If-None-Match": `"a"`},
			requestFields{ifNoneMatch: `"a"`}},
		{"repeated", visitedHeader{{"Accept-Language", "de"}, {"accept-language", "fr"}, {"If-None-Match", `"b"`}, {"If-None-Match", `"c"`}},
			fakeHeader{"Accept-Language": "de", "If-None-Match": `"b"`},
			requestFields{ifNoneMatch: `"b"`, vary: []string{"de", ""}}},
		{"look-alikes", visitedHeader{{"Cache-Controls", "no-store"}, {"X-Authorization", "z"}, {"If-None-Matcher", "*"}, {"Accept-Languages", "en"}, {"Pragmas", "no-cache"}},
			fakeHeader{}, requestFields{}},
	}
	show := func(f *requestFields) string {
		return strings.Join([]string{f.cacheControl, f.pragma, f.authorization, f.ifNoneMatch, f.ifModifiedSince, strings.Join(f.vary, "|")}, " / ")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var visited, got requestFields
			visited.read(tt.visited, varyBy, visited.take)
			got.read(tt.get, varyBy, got.take)
			want := tt.want
			if want.vary == nil {
				want.vary = []string{"", ""}
			}
			if show(&visited) != show(&want) {
				t.Errorf("visit read %s, want %s", show(&visited), show(&want))
			}
			if show(&got) != show(&want) {
				t.Errorf("Get read %s, want %s", show(&got), show(&want))
			}
		})
	}
}

// TestVisitedRequestThroughEngine: an engine given a header with VisitAll
// (as fasthttp's adapter gives) acts on what the visit read.
func TestVisitedRequestThroughEngine(t *testing.T) {
	e := newEngine(t, newDropStore(), nil, WithVaryBy("Accept-Language"))
	en := Request{Host: "example.com", Path: "/v", Header: visitedHeader{{"accept-language", "en"}}}
	serve(t, e, en, nil, varyHandler(e, "v1"))
	if res := serve(t, e, en, nil, nil); !res.hit || res.body != "v1" {
		t.Fatalf("visited request: hit %v, body %q", res.hit, res.body)
	}
	if res := serve(t, e, Request{Host: "example.com", Path: "/v", Header: fakeHeader{"Accept-Language": "en"}}, nil, nil); !res.hit {
		t.Error("the same request read with Get missed the visited one's entry")
	}
	fr := Request{Host: "example.com", Path: "/v", Header: visitedHeader{{"ACCEPT-LANGUAGE", "fr"}}}
	if res := serve(t, e, fr, nil, varyHandler(e, "v2")); res.hit {
		t.Error("another Accept-Language got the first one's entry")
	}
	refresh := Request{Host: "example.com", Path: "/v", Header: visitedHeader{{"CACHE-CONTROL", "no-cache"}, {"accept-language", "en"}}}
	if res := serve(t, e, refresh, nil, varyHandler(e, "v3")); res.hit {
		t.Error("a visited no-cache did not refresh")
	}
	if res := serve(t, e, en, nil, nil); res.body != "v3" {
		t.Errorf("after the refresh: %q, want v3", res.body)
	}
}
