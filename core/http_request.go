package hoard

import "strings"

// RequestHeaderVisitor is an optional interface of a [RequestHeader]:
// VisitAll calls fn for every field of the request. When a view has it,
// the engine reads every field it needs in one pass instead of one Get per
// name, which pays where a lookup is dear (fasthttp copies and normalises
// the name on every Peek). Names may come in any case; where a name
// repeats, the first value counts, as with Get.
type RequestHeaderVisitor interface {
	VisitAll(fn func(name, value string))
}

// requestFields are the request header fields the engine reads, each
// looked up once per request.
type requestFields struct {
	cacheControl, pragma, authorization, ifNoneMatch, ifModifiedSince string
	// vary holds the values of the route's Vary names, in their order.
	vary   []string
	varyBy []string // the names, while a visit runs
}

// read fills f from h.
func (f *requestFields) read(h RequestHeader, varyBy []string, visit func(name, value string)) {
	f.cacheControl, f.pragma, f.authorization, f.ifNoneMatch, f.ifModifiedSince = "", "", "", "", ""
	if cap(f.vary) < len(varyBy) {
		f.vary = make([]string, len(varyBy))
	}
	f.vary = f.vary[:len(varyBy)]
	clear(f.vary)
	if h == nil {
		return
	}
	if v, ok := h.(RequestHeaderVisitor); ok {
		f.varyBy = varyBy
		v.VisitAll(visit)
		f.varyBy = nil
		return
	}
	f.cacheControl = h.Get("Cache-Control")
	if f.cacheControl == "" {
		f.pragma = h.Get("Pragma") // only read without Cache-Control
	}
	f.authorization = h.Get("Authorization")
	f.ifNoneMatch = h.Get("If-None-Match")
	if f.ifNoneMatch == "" {
		f.ifModifiedSince = h.Get("If-Modified-Since") // ignored with If-None-Match
	}
	for i, name := range varyBy {
		f.vary[i] = h.Get(name)
	}
}

// take keeps name's value if the engine needs it and has none yet.
func (f *requestFields) take(name, value string) {
	switch len(name) {
	case len("Pragma"):
		keepFirst(&f.pragma, name, "Pragma", value)
	case len("Cache-Control"): // = len("Authorization") = len("If-None-Match")
		if !keepFirst(&f.cacheControl, name, "Cache-Control", value) &&
			!keepFirst(&f.authorization, name, "Authorization", value) {
			keepFirst(&f.ifNoneMatch, name, "If-None-Match", value)
		}
	case len("If-Modified-Since"):
		keepFirst(&f.ifModifiedSince, name, "If-Modified-Since", value)
	}
	for i, v := range f.varyBy {
		if len(v) == len(name) && f.vary[i] == "" && strings.EqualFold(v, name) {
			f.vary[i] = value
		}
	}
}

// keepFirst stores value in *dst when name is want (in any case) and *dst
// is still empty; it reports whether name was want.
func keepFirst(dst *string, name, want, value string) bool {
	if name != want && !strings.EqualFold(name, want) {
		return false
	}
	if *dst == "" {
		*dst = value
	}
	return true
}
