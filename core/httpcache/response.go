package httpcache

import (
	"io"
	"net/http"
	"strings"
)

// Field is one response header field.
type Field struct {
	Name, Value string
}

// ResponseHeader is the engine's view of a response header before it is
// sent, for adapters that call [Engine.Serve].
//
// Range must list every field, whoever set it and whatever the case of its
// name: the engine reads what it decides by (Set-Cookie, Cache-Control,
// Vary, ...) case-insensitively from it. Set and Del get canonical names
// and must replace or remove the field in any case it was set in. The
// strings Range passes may view the framework's buffers: the engine copies
// what it keeps.
type ResponseHeader interface {
	Range(fn func(name, value string))
	Set(name, value string)
	Del(name string)
}

// Response is a framework's response as the engine sees it, for frameworks
// that hand the whole response over once the handler has returned (fasthttp
// and Fiber), through [Engine.Serve].
type Response interface {
	// Header is the response header, before it is sent.
	Header() ResponseHeader
	// WriteHit sends a stored response: each field replaces whatever the
	// response had under its name (a name listed more than once keeps
	// every value, in order), then the status and the body (nil for HEAD
	// and 304: then Content-Length is among the fields). The fields'
	// strings and the body are read-only and outlive the response: they
	// need no copy. The slice itself is valid only during the call.
	WriteHit(status int, fields []Field, body []byte)
	// Status is the status the handler set; 0 for none.
	Status() int
	// Body is the body the handler set, when it is not a stream.
	Body() []byte
	// BodyStream is the body stream the handler set, or nil: a body the
	// framework reads after Serve has returned.
	BodyStream() io.Reader
	// ReplaceBodyStream puts r in front of the body stream: r reads the
	// stream BodyStream returned, and closes it when it is closed. It
	// reports false, changing nothing, when the framework cannot do that
	// without losing the stream: the response is then not stored.
	ReplaceBodyStream(r io.Reader) bool
	// Hijacked reports whether the handler took over the connection.
	Hijacked() bool
}

// netResponseHeader is a net/http response's header. Handlers may write
// names into the map in any case (w.Header()["set-cookie"] = ...), so Range
// passes them as they are and the engine canonicalises them.
type netResponseHeader http.Header

func (h netResponseHeader) Range(fn func(name, value string)) {
	for name, vals := range h {
		for _, v := range vals {
			fn(name, v)
		}
	}
}

func (h netResponseHeader) Set(name, value string) {
	h.Del(name)
	h[name] = []string{value}
}

// Del removes name in every spelling: besides the canonical one, any a
// handler wrote straight into the map, which only a scan finds.
func (h netResponseHeader) Del(name string) {
	delete(h, name)
	for k := range h {
		if len(k) == len(name) && k != name && strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

// setFields sets a hit's header fields. Their names are canonical and
// their strings immutable, so they go into the map as they are, all values
// sharing one backing array: one allocation for the whole header.
func (h netResponseHeader) setFields(fields []Field) {
	vals := make([]string, len(fields))
	prev := ""
	for i, f := range fields {
		if f.Name == prev {
			h[f.Name] = append(h[f.Name], f.Value)
			continue
		}
		vals[i] = f.Value
		h[f.Name] = vals[i : i+1 : i+1]
		prev = f.Name
	}
}
