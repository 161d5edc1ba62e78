package httpcache

import (
	"net/http"
	"strings"
)

// etagMatches reports whether an If-None-Match field value matches etag,
// with the weak comparison RFC 9110 section 13.1.2 requires: "*" matches
// any stored response, and W/ prefixes are ignored on both sides.
func etagMatches(ifNoneMatch, etag string) bool {
	if etag == "" {
		return false
	}
	etag = strings.TrimPrefix(etag, "W/")
	for v := ifNoneMatch; v != ""; {
		var tag string
		tag, v = nextETag(v)
		if tag == "*" {
			return true
		}
		if strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// nextETag splits the first entity tag off a comma-separated list. Commas
// inside a quoted tag do not split it.
func nextETag(s string) (tag, rest string) {
	s = strings.TrimLeft(s, " \t,")
	i := 0
	if strings.HasPrefix(s, "W/") {
		i = 2
	}
	if i < len(s) && s[i] == '"' {
		if j := strings.IndexByte(s[i+1:], '"'); j >= 0 {
			end := i + 1 + j + 1
			return s[:end], strings.TrimLeft(s[end:], " \t")
		}
		return s, "" // unterminated: take the rest as one malformed tag
	}
	if j := strings.IndexByte(s, ','); j >= 0 {
		return strings.TrimSpace(s[:j]), s[j+1:]
	}
	return strings.TrimSpace(s), ""
}

// notModifiedSince reports whether an If-Modified-Since value is at or
// after the stored Last-Modified: the client's copy is current. Either
// date failing to parse means "modified" (serve the full response).
func notModifiedSince(ifModifiedSince, lastModified string) bool {
	if ifModifiedSince == "" || lastModified == "" {
		return false
	}
	ims, err := http.ParseTime(ifModifiedSince)
	if err != nil {
		return false
	}
	lm, err := http.ParseTime(lastModified)
	if err != nil {
		return false
	}
	return !lm.After(ims)
}
