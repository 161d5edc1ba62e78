package httpcache

import (
	"github.com/hoard-go/hoard/core/internal/envelope"
)

// unstoredHeaders are never replayed: hop-by-hop fields, per-response
// fields hoard or the server recomputes, and hoard's own.
var unstoredHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Set-Cookie": true, "Age": true, "Content-Length": true, "Etag": true,
	"Cache-Status": true,
}

// headerBlock encodes the response's fields for storage, the values of one
// name together (in the order they were set) whatever order the framework
// lists them in: a hit sets a name's first value and adds the rest, so a
// value listed apart from its name's first would replace it.
//
// A name whose values are just what outer middleware set before the
// handler ran (preset) is that middleware's: it sets them again on every
// request (a request id), so they are not stored. A name the handler
// changed is stored with all its values, the middleware's included: a hit
// replaces the field, and Vary: Origin from a CORS middleware must survive
// the handler's added Vary: Accept-Encoding.
func (e *Engine) headerBlock(fields, preset []Field, strip string, block []byte) []byte {
	for i, f := range fields {
		if unstoredHeaders[f.Name] || e.ownField(f.Name) || listedBefore(fields[:i], f.Name) ||
			strip != "" && containsToken(strip, f.Name) {
			continue
		}
		if f.Name != "Cache-Control" && presetOnly(fields[i:], preset, f.Name) {
			// The outer middleware's, untouched. (Cache-Control is stored
			// whoever set it: a hit decides by it whether to add its own.)
			continue
		}
		for _, g := range fields[i:] {
			if g.Name == f.Name {
				block = envelope.AppendField(block, g.Name, g.Value)
			}
		}
	}
	return block
}

// ownField reports whether name is a field of hoard's own that is never
// stored: its cache header, and the tag and targeted fields it reads but
// does not send (CDN-Cache-Control is the CDN's, and passes through).
func (e *Engine) ownField(name string) bool {
	return name == e.cfg.cacheHeader ||
		name == e.cfg.tagHeader && !e.cfg.sendTagHeader ||
		name == e.cfg.targeted && name != "Cdn-Cache-Control"
}

// presetOnly reports whether name has values in preset and its values in
// fields are exactly those, in order.
func presetOnly(fields, preset []Field, name string) bool {
	k, n := 0, 0
	for _, p := range preset {
		if p.Name == name {
			n++
		}
	}
	if n == 0 {
		return false
	}
	for _, f := range fields {
		if f.Name != name {
			continue
		}
		for k < len(preset) && preset[k].Name != name {
			k++
		}
		if k == len(preset) || preset[k].Value != f.Value {
			return false
		}
		k++
		n--
	}
	return n == 0
}

// listedBefore reports whether fields holds a field named name.
func listedBefore(fields []Field, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}
