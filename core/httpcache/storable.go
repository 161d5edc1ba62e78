package httpcache

import (
	"strings"
	"time"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// storable decides whether a committed response may be stored, and for
// how long. fields are every field of the response, whoever set them
// (outer middleware included), with canonical names: a Set-Cookie or a
// Vary: Cookie from a session middleware counts as much as the handler's.
func (e *Engine) storable(status int, fields []Field) (time.Duration, bool) {
	if !e.cfg.cacheableStatus(status) {
		return 0, false
	}
	cc := cacheControl{maxAge: -1, sMaxAge: -1}
	for _, f := range fields {
		switch f.Name {
		case "Set-Cookie":
			return 0, false // a cached cookie is one user's session served to all
		case "Content-Type":
			const sse = "text/event-stream"
			if len(f.Value) >= len(sse) && strings.EqualFold(f.Value[:len(sse)], sse) {
				return 0, false
			}
		case "Vary":
			if !e.keysOn(f.Value) {
				return 0, false
			}
		case "Cache-Control":
			cc.add(f.Value)
		}
	}
	if cc.noStore || cc.private || cc.noCache {
		return 0, false
	}
	switch {
	case cc.sMaxAge > 0:
		return time.Duration(cc.sMaxAge) * time.Second, true
	case cc.sMaxAge == 0, cc.maxAge == 0:
		return 0, false // stale on arrival
	}
	return e.cfg.ttl, true
}

// keysOn reports whether the route keys on every field a Vary value names:
// a response that varies on anything else would be served to requests it
// was not made for. "*" varies on what no key can hold.
func (e *Engine) keysOn(vary string) bool {
	for vary != "" {
		var name string
		name, vary = nextDirective(vary)
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if name == "*" || !e.cfg.varies(name) {
			return false
		}
	}
	return true
}

// unstoredHeaders are never replayed: hop-by-hop fields, per-response
// fields hoard or the server recomputes, and hoard's own.
var unstoredHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Set-Cookie": true, "Date": true, "Age": true, "Content-Length": true, "Etag": true,
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
func (e *Engine) headerBlock(fields, preset []Field, block []byte) []byte {
	for i, f := range fields {
		if unstoredHeaders[f.Name] || f.Name == e.cfg.cacheHeader || listedBefore(fields[:i], f.Name) {
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
