package hoard

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
// of repeated fields winning.
func TestRequestFieldsVisitMatchesGet(t *testing.T) {
	varyBy := []string{"Accept-Language", "X-Tenant"}
	tests := []struct {
		name    string
		visited visitedHeader
		get     fakeHeader
	}{
		{"none", nil, fakeHeader{}},
		{"canonical", visitedHeader{{"Cache-Control", "no-cache"}, {"Authorization", "Bearer x"}, {"If-None-Match", `"a"`}, {"Accept-Language", "en"}},
			fakeHeader{"Cache-Control": "no-cache", "Authorization": "Bearer x", "If-None-Match": `"a"`, "Accept-Language": "en"}},
		{"lower case", visitedHeader{{"cache-control", "max-age=0"}, {"authorization", "Basic y"}, {"if-modified-since", "Mon, 02 Jan 2006 15:04:05 GMT"}, {"x-tenant", "t1"}},
			fakeHeader{"Cache-Control": "max-age=0", "Authorization": "Basic y", "If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT", "X-Tenant": "t1"}},
		{"pragma", visitedHeader{{"PRAGMA", "no-cache"}, {"Accept", "text/html"}}, fakeHeader{"Pragma": "no-cache"}},
		{"repeated", visitedHeader{{"Accept-Language", "de"}, {"accept-language", "fr"}, {"If-None-Match", `"b"`}, {"If-None-Match", `"c"`}},
			fakeHeader{"Accept-Language": "de", "If-None-Match": `"b"`}},
		{"look-alikes", visitedHeader{{"Cache-Controls", "no-store"}, {"X-Authorization", "z"}, {"If-None-Matcher", "*"}, {"Accept-Languages", "en"}},
			fakeHeader{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var visited, got requestFields
			visited.read(tt.visited, varyBy, visited.take)
			got.read(tt.get, varyBy, got.take)
			// Get skips Pragma under Cache-Control and If-Modified-Since under
			// If-None-Match (the engine ignores them then); a visit may not.
			if got.cacheControl != "" {
				visited.pragma = ""
			}
			if got.ifNoneMatch != "" {
				visited.ifModifiedSince = ""
			}
			if visited.cacheControl != got.cacheControl || visited.pragma != got.pragma || visited.authorization != got.authorization ||
				visited.ifNoneMatch != got.ifNoneMatch || visited.ifModifiedSince != got.ifModifiedSince ||
				strings.Join(visited.vary, "|") != strings.Join(got.vary, "|") {
				t.Errorf("visit read %+v, Get read %+v", visited, got)
			}
		})
	}
}
