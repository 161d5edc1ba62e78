package httpcache

import (
	"slices"
	"strconv"
	"strings"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/keys"
)

// appendKey appends the backend key of r, JoinKey(prefix, namespace, id),
// to dst. The id is hashed, as JoinKey would, when it cannot stay verbatim.
func (e *Engine) appendKey(dst []byte, r *Request, f *requestFields) []byte {
	dst = append(dst, e.keyHead...)
	head := len(dst)
	dst = e.appendID(dst, r, f)
	if id := dst[head:]; len(dst) > hoard.MaxKeyLen || len(id) == 0 || id[0] == keys.HashedIDMarker || !keys.Printable(unsafeString(id)) {
		hashed := hoard.HashString(string(id))
		dst = append(dst[:head], keys.HashedIDMarker)
		dst = append(dst, hashed...)
	}
	return dst
}

// appendID appends the id part of an HTTP entry's key: the request's
// resource (or the route's key function), then the values of the route's
// Vary headers, then a hash of the credential when the route allows
// Authorization.
//
// Every component is length-prefixed ("11:example.com1:/0:|2:en|...") so
// the id is an injective function of its parts: no host, path, query or
// header value an attacker sends can make their request's key equal
// another's. (Host, path and query were once one component: a Host of
// "a/" with a path of "x" then had the key of host "a", path "/x".)
func (e *Engine) appendID(b []byte, r *Request, f *requestFields) []byte {
	if e.cfg.keyFunc != nil {
		req := *r
		if req.Header == nil {
			// A request the engine made up (a Location to invalidate, a
			// URL to purge) has no fields; the key function may still
			// read some.
			req.Header = netRequestHeader(nil)
		}
		b = appendComponent(b, e.cfg.keyFunc(req))
	} else {
		// host, path and normalised query, each its own component (the
		// sorted query keeps the raw one's length).
		b = appendLength(b, len(r.Host))
		b = appendLower(b, r.Host)
		b = appendComponent(b, r.Path)
		b = appendLength(b, len(r.RawQuery))
		b = appendSortedQuery(b, r.RawQuery)
	}
	for i, v := range f.vary {
		b = append(b, '|')
		b = appendComponent(b, normaliseValue(e.cfg.varyBy[i], v))
	}
	if e.cfg.authorization {
		if cred := f.authorization; cred != "" {
			b = append(b, "|a"...)
			b = appendComponent(b, hoard.HashString(cred))
		}
	}
	return b
}

func appendComponent(b []byte, s string) []byte {
	return append(appendLength(b, len(s)), s...)
}

// appendLength appends a component's length prefix, "n:". Most are below
// a thousand, written here without strconv's general path.
func appendLength(b []byte, n int) []byte {
	switch {
	case n < 10:
		return append(b, byte('0'+n), ':')
	case n < 100:
		return append(b, byte('0'+n/10), byte('0'+n%10), ':')
	case n < 1000:
		return append(b, byte('0'+n/100), byte('0'+n/10%10), byte('0'+n%10), ':')
	}
	return append(strconv.AppendInt(b, int64(n), 10), ':')
}

// appendLower appends an ASCII-lowercased host: host names are
// case-insensitive, so Example.COM and example.com share entries.
func appendLower(b []byte, s string) []byte {
	start := len(b)
	b = append(b, s...)
	for i := start; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// appendSortedQuery appends a raw query with its parameters ordered by
// name, so ?a=1&b=2 and ?b=2&a=1 share an entry. Names are compared as a
// query decoder reads them (%61 is a, + a space), so parameters a handler
// sees under one name keep their order: ?a=1&%61=2 and ?%61=2&a=1 give
// the handler a=[1 2] and a=[2 1], and must not share an entry. Values of
// a repeated name keep their order too (?a=1&a=2 is a list, not a set).
// The parameters themselves are kept as sent, so an invalid
// percent-encoding stays verbatim rather than rejected. The output has the
// input's length.
func appendSortedQuery(b []byte, q string) []byte {
	if querySorted(q) {
		return append(b, q...) // the common case: nothing to allocate
	}
	params := strings.Split(q, "&")
	slices.SortStableFunc(params, func(x, y string) int { return compareNames(paramName(x), paramName(y)) })
	for i, p := range params {
		if i > 0 {
			b = append(b, '&')
		}
		b = append(b, p...)
	}
	return b
}

func paramName(p string) string {
	if i := strings.IndexByte(p, '='); i >= 0 {
		return p[:i]
	}
	return p
}

// querySorted reports whether the parameter names are already in order.
func querySorted(q string) bool {
	if strings.IndexByte(q, '&') < 0 {
		return true // one parameter, or none
	}
	prev := ""
	for {
		p, rest, more := strings.Cut(q, "&")
		name := paramName(p)
		if compareNames(name, prev) < 0 {
			return false
		}
		if !more {
			return true // an empty name after a last '&' was compared too
		}
		prev, q = name, rest
	}
}

// compareNames compares two raw parameter names as decoded, without
// decoding them: %XX is the byte it encodes, + is a space, and a % that
// starts no valid escape is itself.
func compareNames(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, ni := decodedByte(a, i)
		cb, nj := decodedByte(b, j)
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
		i, j = ni, nj
	}
	switch {
	case i < len(a):
		return 1
	case j < len(b):
		return -1
	}
	return 0
}

// decodedByte returns the byte s[i:] starts with once decoded, and the
// index after its encoding.
func decodedByte(s string, i int) (byte, int) {
	switch c := s[i]; c {
	case '+':
		return ' ', i + 1
	case '%':
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			return unhex(s[i+1])<<4 | unhex(s[i+2]), i + 3
		}
		return c, i + 1
	default:
		return c, i + 1
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
