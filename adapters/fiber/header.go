package hoardfiber

import (
	"bytes"
	"net/textproto"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// The engine's header views are named pointer types over fasthttp's own
// headers: converting one to an interface costs no allocation, which keeps
// the hit path allocation-free on the adapter's side.

// requestHeader reads request fields through fasthttp's normalized lookup.
// The strings it returns view fasthttp's buffers: the engine reads them only
// during Begin.
type requestHeader fasthttp.RequestHeader

func (h *requestHeader) Get(name string) string {
	return b2s((*fasthttp.RequestHeader)(h).Peek(name))
}

// VisitAll lets the engine read every field it needs in one pass: Peek
// copies and normalises the name on each call, which cost a hit five times
// more than this walk.
func (h *requestHeader) VisitAll(fn func(name, value string)) {
	visitRequestHeader((*fasthttp.RequestHeader)(h), fn)
}

func visitRequestHeader(h *fasthttp.RequestHeader, fn func(name, value string)) {
	for k, v := range h.All() {
		fn(b2s(k), b2s(v))
	}
}

// exactRequestHeader serves apps with DisableHeaderNormalizing, where
// fasthttp keeps each name as the client sent it and Peek matches exactly:
// a lowercase "authorization" or "cache-control" must still be seen.
type exactRequestHeader fasthttp.RequestHeader

func (h *exactRequestHeader) Get(name string) string {
	v := ""
	found := false
	(*fasthttp.RequestHeader)(h).VisitAll(func(k, val []byte) {
		if !found && equalFold(k, name) {
			v, found = b2s(val), true
		}
	})
	return v
}

// VisitAll reads every field in one pass; the engine matches names in any
// case.
func (h *exactRequestHeader) VisitAll(fn func(name, value string)) {
	visitRequestHeader((*fasthttp.RequestHeader)(h), fn)
}

// responseHeader is the engine's view of a response header that has not
// been sent. Get, Values and Range return strings that view fasthttp's
// buffers: valid while the header is not changed, which is all the engine
// needs at Commit time (it encodes what it keeps at once). Names are matched
// case-insensitively, so handlers of an app with DisableHeaderNormalizing
// are read correctly too.
type responseHeader fasthttp.ResponseHeader

func (h *responseHeader) Get(name string) string {
	return headerGet((*fasthttp.ResponseHeader)(h), name, false)
}

func (h *responseHeader) Values(name string) []string {
	return headerValues((*fasthttp.ResponseHeader)(h), name, false)
}

func (h *responseHeader) Range(fn func(name, value string)) {
	headerRange((*fasthttp.ResponseHeader)(h), fn, false)
}

// Set replaces name's values. The engine passes canonical names, so the
// normalizing step of fasthttp's Set is skipped.
func (h *responseHeader) Set(name, value string) {
	(*fasthttp.ResponseHeader)(h).SetCanonical(s2b(name), s2b(value))
}

func (h *responseHeader) Add(name, value string) {
	(*fasthttp.ResponseHeader)(h).Add(name, value)
}

func (h *responseHeader) Del(name string) { headerDel((*fasthttp.ResponseHeader)(h), name) }

// keptHeader is responseHeader for calls whose results the engine keeps
// while the handler goes on changing the header (Prepare records the
// headers set before the handler ran; a streamed response is committed long
// before it finishes): every string it returns is a copy.
type keptHeader fasthttp.ResponseHeader

func (h *keptHeader) Get(name string) string {
	return headerGet((*fasthttp.ResponseHeader)(h), name, true)
}

func (h *keptHeader) Values(name string) []string {
	return headerValues((*fasthttp.ResponseHeader)(h), name, true)
}

func (h *keptHeader) Range(fn func(name, value string)) {
	headerRange((*fasthttp.ResponseHeader)(h), fn, true)
}

func (h *keptHeader) Set(name, value string) { (*responseHeader)(h).Set(name, value) }
func (h *keptHeader) Add(name, value string) { (*responseHeader)(h).Add(name, value) }
func (h *keptHeader) Del(name string)        { headerDel((*fasthttp.ResponseHeader)(h), name) }

// headerGet returns the first value of name. VisitAll includes fasthttp's
// special fields (Content-Type, with its default; each Set-Cookie), which
// Peek would render differently.
func headerGet(h *fasthttp.ResponseHeader, name string, keep bool) string {
	v := ""
	found := false
	h.VisitAll(func(k, val []byte) {
		if !found && equalFold(k, name) {
			v, found = str(val, keep), true
		}
	})
	return v
}

func headerValues(h *fasthttp.ResponseHeader, name string, keep bool) []string {
	var vals []string
	h.VisitAll(func(k, val []byte) {
		if equalFold(k, name) {
			vals = append(vals, str(val, keep))
		}
	})
	return vals
}

func headerRange(h *fasthttp.ResponseHeader, fn func(name, value string), keep bool) {
	h.VisitAll(func(k, val []byte) {
		fn(canonicalName(k, keep), str(val, keep))
	})
}

// headerDel removes every spelling of name.
func headerDel(h *fasthttp.ResponseHeader, name string) {
	var spellings []string
	h.VisitAll(func(k, _ []byte) {
		if equalFold(k, name) && string(k) != name {
			spellings = append(spellings, string(k))
		}
	})
	h.Del(name)
	for _, k := range spellings {
		h.Del(k)
	}
}

// canonicalName returns a header name in net/http's canonical form, which
// the engine expects. fasthttp already normalizes names that way unless the
// app disabled it, so the common case is a view (or, with keep, a copy) of
// the name as it is.
func canonicalName(k []byte, keep bool) string {
	if isCanonical(k) {
		return str(k, keep)
	}
	return textproto.CanonicalMIMEHeaderKey(string(k))
}

// isCanonical reports whether textproto.CanonicalMIMEHeaderKey would return
// k unchanged: an upper-case letter first and after each hyphen, lower case
// elsewhere. (A name it refuses to canonicalize is returned unchanged by it
// too, so such a name only costs the slow path.)
func isCanonical(k []byte) bool {
	upper := true
	for _, c := range k {
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return false
		}
		upper = c == '-'
	}
	return true
}

func equalFold(k []byte, name string) bool {
	return len(k) == len(name) && bytes.EqualFold(k, s2b(name))
}

func str(b []byte, keep bool) string {
	if keep {
		return string(b)
	}
	return b2s(b)
}

// b2s views b as a string without copying; the caller guarantees that b is
// not changed while the string is in use.
func b2s(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// s2b views s as bytes for fasthttp calls that only read (and copy) them.
func s2b(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
