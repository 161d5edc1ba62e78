package hoard

import (
	"slices"
	"strconv"
	"strings"
)

// key returns the backend key of r: JoinKey(prefix, namespace, requestID),
// built with a single allocation when the id can stay verbatim.
func (h *HTTP) key(r *Request) string {
	head := len(h.cache.cfg.prefix) + 1 + len(h.cache.namespace) + 1
	var b strings.Builder
	b.Grow(head + 16 + len(r.Host) + len(r.Path) + len(r.RawQuery))
	b.WriteString(h.cache.cfg.prefix)
	b.WriteByte(':')
	b.WriteString(h.cache.namespace)
	b.WriteByte(':')
	h.writeID(&b, r)
	k := b.String()
	if id := k[head:]; len(k) > MaxKeyLen || id == "" || id[0] == hashedIDMarker || !printable(id) {
		return JoinKey(h.cache.cfg.prefix, h.cache.namespace, id) // hashed
	}
	return k
}

// writeID writes the id part of an HTTP entry's key: the request's
// resource (or the route's key function), then the values of the route's
// Vary headers, then a hash of the credential when the route allows
// Authorization.
//
// Every component is length-prefixed ("12:example.com/|2:en|...") so the id
// is an injective function of its parts: no header value, path or query an
// attacker sends can make their request's key equal another's.
func (h *HTTP) writeID(b *strings.Builder, r *Request) {
	if h.cfg.keyFunc != nil {
		writeComponent(b, h.cfg.keyFunc(*r))
	} else {
		// host + path + normalised query, as one component.
		b.WriteString(strconv.Itoa(len(r.Host) + len(r.Path) + 1 + len(r.RawQuery)))
		b.WriteByte(':')
		writeLower(b, r.Host)
		b.WriteString(r.Path)
		b.WriteByte('?')
		writeSortedQuery(b, r.RawQuery)
	}
	for _, name := range h.cfg.varyBy {
		b.WriteByte('|')
		writeComponent(b, headerValue(r.Header, name))
	}
	if h.cfg.allowAuthorization {
		if cred := headerValue(r.Header, "Authorization"); cred != "" {
			b.WriteString("|a")
			writeComponent(b, HashString(cred))
		}
	}
}

func writeComponent(b *strings.Builder, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

func headerValue(h RequestHeader, name string) string {
	if h == nil {
		return ""
	}
	return h.Get(name)
}

// writeLower writes an ASCII-lowercased host: host names are
// case-insensitive, so Example.COM and example.com share entries.
func writeLower(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
}

// writeSortedQuery writes a raw query with its parameters ordered by name,
// so ?a=1&b=2 and ?b=2&a=1 share an entry. Values of a repeated name keep
// their order (?a=1&a=2 is a list, not a set). Parameters are compared as
// sent (no decoding), so an invalid percent-encoding is kept verbatim
// rather than rejected. The output has the input's length.
func writeSortedQuery(b *strings.Builder, q string) {
	if querySorted(q) {
		b.WriteString(q) // the common case: nothing to allocate
		return
	}
	params := strings.Split(q, "&")
	slices.SortStableFunc(params, func(x, y string) int { return strings.Compare(paramName(x), paramName(y)) })
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p)
	}
}

func paramName(p string) string {
	if i := strings.IndexByte(p, '='); i >= 0 {
		return p[:i]
	}
	return p
}

// querySorted reports whether the parameter names are already in order.
func querySorted(q string) bool {
	prev := ""
	for q != "" {
		var p string
		p, q, _ = strings.Cut(q, "&")
		name := paramName(p)
		if name < prev {
			return false
		}
		prev = name
	}
	return true
}
