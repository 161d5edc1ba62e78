package hoard

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zeebo/xxh3"
)

// Prepare is called for ActionBypass and ActionRun before the handler runs.
// It sets hoard's status headers and remembers which headers were already
// set (by middleware outside hoard), so that only the handler's own headers
// are stored.
func (x *Exchange) Prepare(h ResponseHeader) {
	if x.store {
		if x.preset == nil {
			x.preset = make(map[string][]string)
		}
		h.Range(func(name, value string) {
			x.preset[name] = append(x.preset[name], value)
		})
	}
	x.writeStatusHeaders(h)
}

// Capturing reports whether the handler's response may still be stored:
// the adapter only needs to pass body bytes to Capture while it is true.
func (x *Exchange) Capturing() bool { return x.store }

// Commit is called once, when the handler sends its status, before any of
// the response reaches the client. It decides whether the response may be
// stored, records its headers, and adds Cache-Control: max-age when the
// response will be stored and the handler set none.
func (x *Exchange) Commit(status int, h ResponseHeader) {
	if x.committed {
		return
	}
	x.committed = true
	x.code = status
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil {
			x.DeclareLength(n)
		}
	}
	if !x.store {
		return
	}
	ttl, ok := x.h.storable(status, h, x.preset)
	if !ok {
		x.dropStore()
		return
	}
	x.ttl = ttl
	x.etag = h.Get("Etag")
	x.headers = x.h.headerBlock(h, x.preset, x.headers[:0], x.fieldBuf[:0])
	if x.h.cfg.clientCacheControl && h.Get("Cache-Control") == "" {
		if secs := int64(x.h.cache.ttlFor(ttl) / time.Second); secs > 0 {
			h.Set("Cache-Control", "max-age="+strconv.FormatInt(secs, 10))
		}
	}
}

// Capture keeps a bounded copy of body bytes the handler wrote (the
// adapter sends them to the client itself). Past the size limit the copy
// is dropped and the response will not be stored.
func (x *Exchange) Capture(p []byte) {
	if !x.store {
		return
	}
	if len(x.body)+len(p) > x.h.cfg.maxBody {
		x.dropStore()
		return
	}
	x.body = append(x.body, p...)
}

// DeclareLength tells the engine, before Commit, that the body will be n
// bytes (n < 0: unknown). A body known to exceed the size limit is not
// stored, and Commit then sends no max-age for it. Commit also reads a
// Content-Length the handler set, so adapters only call this for lengths
// their framework knows some other way (a buffered body, a sized stream).
func (x *Exchange) DeclareLength(n int64) {
	if n > int64(x.h.cfg.maxBody) {
		x.dropStore()
	}
}

// NotStorable marks the response as never to be stored: an SSE stream, a
// hijacked connection. The adapter keeps passing bytes through.
func (x *Exchange) NotStorable() { x.dropStore() }

func (x *Exchange) dropStore() {
	x.store = false
	x.body = nil
	if x.leader != nil {
		// Release the waiters now rather than when the handler ends: this
		// response may stream for a long time.
		x.h.flights.resolve(x.leader, nil)
		x.h.flights.forget(x.key, x.leader)
		x.leader = nil
	}
}

// Abort is called when the handler failed (panicked or returned an error):
// nothing is stored.
func (x *Exchange) Abort() { x.dropStore() }

// Finish is called after the handler returned successfully. It stores the
// response when it is storable and complete, and hands it to the requests
// that waited for it. status is the framework's implicit status (200) for
// a handler that wrote nothing.
func (x *Exchange) Finish(ctx context.Context, status int, h ResponseHeader) {
	if !x.committed {
		x.Commit(status, h)
	}
	if !x.store {
		return
	}
	c := x.h.cache
	etag := x.etag
	if etag == "" {
		etag = bodyETag(x.body)
	}
	e := entry{kind: kindHTTP, status: x.code, etag: []byte(etag), header: x.headers, body: x.body}
	buf, ttl := c.encode(x.key, &e, x.ttl)
	x.body, x.headers = nil, nil
	f := x.leader
	x.leader = nil
	if f != nil {
		x.h.flights.resolve(f, buf)
	}
	// The write happens before the adapter completes the response, so the
	// next request from this client finds the entry: writing after the
	// response would let a refresh (no-cache) be followed by the response
	// it replaced, a HEAD miss what its GET just stored, and a Clear be
	// outrun by a write still in flight. Requests that arrive meanwhile are
	// served from the flight. A dead backend costs at most the operation
	// timeout, until the breaker opens.
	_ = c.put(context.WithoutCancel(ctx), x.key, buf, ttl) // even if the client left
	if f != nil {
		x.h.flights.forget(x.key, f)
	}
}

// storable decides whether a committed response may be stored, and for
// how long.
func (h *HTTP) storable(status int, hdr ResponseHeader, preset map[string][]string) (time.Duration, bool) {
	if !h.cfg.cacheableStatus(status) {
		return 0, false
	}
	if ownValues(hdr, preset, "Set-Cookie") != nil {
		return 0, false // a cached cookie is one user's session served to all
	}
	ct := hdr.Get("Content-Type")
	if len(ct) >= len("text/event-stream") && strings.EqualFold(ct[:len("text/event-stream")], "text/event-stream") {
		return 0, false
	}
	for _, v := range ownValues(hdr, preset, "Vary") {
		for v != "" {
			var name string
			name, v = nextDirective(v)
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if name == "*" || !h.cfg.varies(name) {
				return 0, false
			}
		}
	}
	cc := parseCacheControl(hdr.Values("Cache-Control")...)
	if cc.noStore || cc.private || cc.noCache {
		return 0, false
	}
	switch {
	case cc.sMaxAge > 0:
		return time.Duration(cc.sMaxAge) * time.Second, true
	case cc.sMaxAge == 0, cc.maxAge == 0:
		return 0, false // stale on arrival
	}
	ttl := h.cfg.ttl
	return ttl, true
}

// ownValues returns the values of name that the handler set, leaving out
// those that outer middleware had set before it ran.
func ownValues(hdr ResponseHeader, preset map[string][]string, name string) []string {
	vals := hdr.Values(name)
	if len(vals) == 0 || len(preset[name]) == 0 {
		return vals
	}
	if slices.Equal(vals, preset[name]) {
		return nil
	}
	return vals
}

// unstoredHeaders are never replayed: hop-by-hop fields, per-response
// fields hoard or the server recomputes, and hoard's own.
var unstoredHeaders = map[string]bool{
	"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Proxy-Connection": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true,
	"Set-Cookie": true, "Date": true, "Age": true, "Content-Length": true, "Etag": true,
	"Cache-Status": true,
}

// headerBlock encodes the response headers for storage, the values of one
// name together (in the order they were set) whatever order the framework
// lists them in: a hit sets a name's first value and adds the rest, so a
// value listed apart from its name's first would replace it.
//
// A name whose values are just what outer middleware set before the
// handler ran (preset) is that middleware's: it sets them again on every
// request (a request id), so they are not stored. A name the handler
// changed is stored with all its values, the middleware's included: a hit
// replaces the field, and Vary: Origin from a CORS middleware must survive
// the handler's added Vary: Accept-Encoding. scratch is room for the fields
// while they are grouped.
func (h *HTTP) headerBlock(hdr ResponseHeader, preset map[string][]string, block []byte, scratch []HeaderField) []byte {
	fields := scratch[:0]
	hdr.Range(func(name, value string) {
		if unstoredHeaders[name] || name == h.cfg.cacheHeader {
			return
		}
		fields = append(fields, HeaderField{name, value})
	})
	for i, f := range fields {
		if listedBefore(fields[:i], f.Name) {
			continue // written with its name's first value
		}
		if pv := preset[f.Name]; len(pv) > 0 && valuesAre(fields[i:], f.Name, pv) {
			continue // the outer middleware's, untouched
		}
		block = appendHeaderField(block, f.Name, f.Value)
		for _, g := range fields[i+1:] {
			if g.Name == f.Name {
				block = appendHeaderField(block, g.Name, g.Value)
			}
		}
	}
	// The fields view the response's header: keep none of them.
	clear(fields)
	clear(scratch[:cap(scratch)])
	return block
}

// valuesAre reports whether the values of name in fields are want, in
// order.
func valuesAre(fields []HeaderField, name string, want []string) bool {
	k := 0
	for _, f := range fields {
		if f.Name != name {
			continue
		}
		if k == len(want) || f.Value != want[k] {
			return false
		}
		k++
	}
	return k == len(want)
}

// listedBefore reports whether fields holds a field named name.
func listedBefore(fields []HeaderField, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// bodyETag is a strong validator from the body's XXH3 hash: the same in
// every process and on every machine, so a client's If-None-Match works
// against any instance.
func bodyETag(body []byte) string {
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], xxh3.Hash(body))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}
