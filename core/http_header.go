package hoard

import "net/http"

// Header adapts an http.Header to the engine's [RequestHeader] and
// [ResponseHeader] views without copying, for adapters built on net/http
// types (net/http itself, Echo, chi, ...).
type Header http.Header

var (
	_ RequestHeader  = Header(nil)
	_ ResponseHeader = Header(nil)
)

// Get returns the first value of name, which must be canonical
// (http.CanonicalHeaderKey): the engine only asks for canonical names, and
// skipping re-canonicalisation matters on a hit, where most fields asked
// for are absent.
func (h Header) Get(name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns every value of name, which must be canonical.
func (h Header) Values(name string) []string { return h[name] }

// Set replaces the values of name.
func (h Header) Set(name, value string) { http.Header(h).Set(name, value) }

// Add appends a value to name.
func (h Header) Add(name, value string) { http.Header(h).Add(name, value) }

// Del removes name.
func (h Header) Del(name string) { http.Header(h).Del(name) }

// Range calls fn for every name and value.
func (h Header) Range(fn func(name, value string)) {
	for name, vals := range h {
		for _, v := range vals {
			fn(name, v)
		}
	}
}

// SetFields sets a hit's header fields ([Exchange.ResponseHeaders]). Their
// names are canonical and their strings immutable, so they go into the map
// as they are, all values sharing one backing array: one allocation for the
// whole header.
func (h Header) SetFields(fields []HeaderField) {
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

// HTTPRequest is the engine's view of r, for adapters built on net/http.
// Host is r.Host (the request's Host header), never X-Forwarded-Host.
func HTTPRequest(r *http.Request) Request {
	return Request{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   Header(r.Header),
	}
}

// WriteHit sends an ActionServe response through w, for adapters built on
// net/http: the header fields, the status, then the body (none for HEAD or
// 304).
func (x *Exchange) WriteHit(w http.ResponseWriter) {
	Header(w.Header()).SetFields(x.ResponseHeaders())
	w.WriteHeader(x.Status())
	if body := x.Body(); len(body) > 0 {
		_, _ = w.Write(body)
	}
}
