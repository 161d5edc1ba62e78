package hoardfiber

import (
	"bytes"
	"iter"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// The engine's header views are named pointer types over fasthttp's own
// headers: converting one to an interface costs no allocation, which keeps
// the hit path allocation-free on the adapter's side.

// requestHeader reads request fields through fasthttp's normalized lookup.
// The strings it returns view fasthttp's buffers: the engine reads them only
// while it looks the request up.
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

// Set and Del let the engine revalidate a stale entry by a conditional
// request to the handler (If-None-Match, If-Modified-Since), for the
// length of the handler's run.
func (h *requestHeader) Set(name, value string) { (*fasthttp.RequestHeader)(h).Set(name, value) }
func (h *requestHeader) Del(name string)        { (*fasthttp.RequestHeader)(h).Del(name) }

// exactRequestHeader serves apps with DisableHeaderNormalizing, where
// fasthttp keeps each name as the client sent it and Peek matches exactly:
// a lowercase "authorization" or "cache-control" must still be seen.
type exactRequestHeader fasthttp.RequestHeader

func (h *exactRequestHeader) Get(name string) string {
	for k, v := range (*fasthttp.RequestHeader)(h).All() {
		if equalFold(k, name) {
			return b2s(v)
		}
	}
	return ""
}

// VisitAll reads every field in one pass; the engine matches names in any
// case.
func (h *exactRequestHeader) VisitAll(fn func(name, value string)) {
	visitRequestHeader((*fasthttp.RequestHeader)(h), fn)
}

// Set and Del work on every spelling of the name, as the client may have
// sent any.
func (h *exactRequestHeader) Set(name, value string) {
	h.Del(name)
	(*fasthttp.RequestHeader)(h).Set(name, value)
}

func (h *exactRequestHeader) Del(name string) { headerDel((*fasthttp.RequestHeader)(h), name) }

// responseHeader is the engine's view of a response header that has not
// been sent. Range lists fasthttp's special fields too (Content-Type with
// its default, each Set-Cookie), with strings that view fasthttp's
// buffers; the engine copies what it keeps.
type responseHeader fasthttp.ResponseHeader

func (h *responseHeader) Range(fn func(name, value string)) {
	for k, v := range (*fasthttp.ResponseHeader)(h).All() {
		fn(b2s(k), b2s(v))
	}
}

// Set replaces every spelling of name (canonical) by one field.
func (h *responseHeader) Set(name, value string) {
	fh := (*fasthttp.ResponseHeader)(h)
	headerDel(fh, name)
	fh.SetCanonical(s2b(name), s2b(value))
}

func (h *responseHeader) Del(name string) { headerDel((*fasthttp.ResponseHeader)(h), name) }

// fastHeader is a fasthttp request or response header.
type fastHeader interface {
	All() iter.Seq2[[]byte, []byte]
	Del(key string)
}

// headerDel removes every spelling of name: name itself, then each other
// spelling h lists.
func headerDel(h fastHeader, name string) {
	var spellings []string
	for k := range h.All() {
		if equalFold(k, name) && string(k) != name {
			spellings = append(spellings, string(k))
		}
	}
	h.Del(name)
	for _, k := range spellings {
		h.Del(k)
	}
}

func equalFold(k []byte, name string) bool {
	return len(k) == len(name) && bytes.EqualFold(k, s2b(name))
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
