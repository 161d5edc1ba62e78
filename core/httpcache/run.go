package httpcache

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// A miss (outcome run) goes through these steps, each called by the glue
// of net/http (nethttp.go) or of buffered frameworks (buffered.go), never
// by an adapter:
//
//	prepare   before the handler runs: hoard's status headers, and a copy
//	          of the fields outer middleware set (they are not stored)
//	commit    when the status is sent: may the response be stored, for how
//	          long, which of its fields; Cache-Control: max-age added
//	capture   each body write: a bounded copy
//	finish    the handler returned and the response is complete: store it
//	          and hand it to the requests that waited for it
//	abort     anything else (panic, error, hijack, write error, a body
//	          over the limit or shorter than it said): nothing is stored
//	release   always, last

// runState is what a run exchange learns about the handler's response.
type runState struct {
	store       bool // the response may still be stored
	backendDown bool // the lookup failed: don't wait on the backend to store
	leader      *flight
	committed   bool
	code        int
	declared    int64 // Content-Length the response announced; -1 if none
	ttl         time.Duration
	etag        string
	headers     []byte // the encoded fields to store
	body        []byte
}

// prepare is called before the handler runs, for bypass and run. It
// copies the fields already set (by middleware outside hoard) and sets
// hoard's status headers.
func (x *exchange) prepare(h ResponseHeader) {
	if x.run.store {
		x.snap = x.snap[:0]
		h.Range(x.addField)
		for _, f := range x.snap {
			x.preset = append(x.preset, Field{f.Name, strings.Clone(f.Value)})
		}
		clear(x.snap)
	}
	x.writeStatusHeaders(h)
}

// snapshotField adds a field to x.snap, its name canonical: handlers and
// frameworks may write names in any case, and every decision must see
// them.
func (x *exchange) snapshotField(name, value string) {
	x.snap = append(x.snap, Field{canonicalName(name), value})
}

// commit is called once, when the status is sent (or, for a buffered
// framework, once the handler has returned), before any of the response
// reaches the client. bodyLen is the body's length when the framework
// knows it (-1 otherwise). It decides whether the response may be stored,
// records its fields, and adds Cache-Control: max-age when the response
// will be stored and the handler set none.
func (x *exchange) commit(status int, h ResponseHeader, bodyLen int64) {
	if x.run.committed {
		return
	}
	r := &x.run
	r.committed = true
	r.code = status
	r.declared = -1
	if !r.store {
		return
	}
	x.snap = x.snap[:0]
	h.Range(x.addField)
	defer func() { clear(x.snap) }() // views of the response's header
	if cl := fieldValue(x.snap, "Content-Length"); cl != "" {
		n, err := strconv.ParseInt(cl, 10, 64)
		if err != nil || n < 0 {
			x.dropStore() // a length nobody can check
			return
		}
		r.declared = n
	}
	if bodyLen >= 0 {
		if r.declared >= 0 && r.declared != bodyLen {
			x.dropStore()
			return
		}
		r.declared = bodyLen
	}
	if r.declared > int64(x.e.cfg.maxBody) {
		x.dropStore()
		return
	}
	ttl, ok := x.e.storable(status, x.snap)
	if !ok {
		x.dropStore()
		return
	}
	r.ttl = ttl
	r.etag = strings.Clone(fieldValue(x.snap, "Etag"))
	r.headers = x.e.headerBlock(x.snap, x.preset, r.headers[:0])
	if x.e.cfg.maxAgeHeader && fieldValue(x.snap, "Cache-Control") == "" {
		var buf [32]byte
		h.Set("Cache-Control", string(appendMaxAge(buf[:0], x.e.lifetime(ttl))))
	}
}

// lifetime is how long an entry stored for ttl lives (noExpiry: forever).
func (e *Engine) lifetime(ttl time.Duration) time.Duration {
	if d := e.cache.Lifetime(ttl); d > 0 {
		return d
	}
	return noExpiry
}

// capture keeps a bounded copy of body bytes the client was sent. Past the
// size limit the copy is dropped and the response will not be stored.
func (x *exchange) capture(p []byte) {
	if !x.run.store {
		return
	}
	if len(x.run.body)+len(p) > x.e.cfg.maxBody {
		x.dropStore()
		return
	}
	x.run.body = append(x.run.body, p...)
}

// dropStore marks the response as not to be stored.
func (x *exchange) dropStore() {
	x.run.store = false
	x.run.body = nil
	if f := x.run.leader; f != nil {
		// Release the waiters now rather than when the handler ends: this
		// response may stream for a long time.
		x.e.flights.resolve(f, nil)
		x.e.flights.forget(x.key, f)
		x.run.leader = nil
	}
}

// abort is called when the handler failed or the response did not reach
// the client whole: nothing is stored.
func (x *exchange) abort() { x.dropStore() }

// finish is called once the handler returned and the whole response was
// sent. It stores the response when it is storable and complete, and hands
// it to the requests that waited for it. A request whose context ended
// (the client left) stores nothing: the handler may have cut its work
// short.
func (x *exchange) finish(ctx context.Context) {
	r := &x.run
	if !r.store {
		return
	}
	if r.declared >= 0 && int64(len(r.body)) != r.declared || ctx.Err() != nil {
		x.dropStore()
		return
	}
	etag := r.etag
	if etag == "" {
		etag = bodyETag(r.body)
	}
	ent := envelope.Entry{Kind: envelope.KindHTTP, Key: []byte(x.key), Status: r.code, ETag: []byte(etag), Header: r.headers, Body: r.body}
	ttl := x.e.cache.Lifetime(r.ttl)
	ent.Created = x.e.cache.Now()
	if ttl > 0 {
		ent.Expires = ent.Created + int64(ttl)
	}
	buf := envelope.Append(make([]byte, 0, ent.EncodedLen()), &ent)
	r.body, r.headers = nil, nil
	f := r.leader
	r.leader = nil
	if f != nil {
		x.e.flights.resolve(f, buf)
	}
	// The write happens before the adapter completes the response, so the
	// next request from this client finds the entry: writing after the
	// response would let a refresh (no-cache) be followed by the response
	// it replaced, a HEAD miss what its GET just stored, and a Clear be
	// outrun by a write still in flight. Requests that arrive meanwhile are
	// served from the flight. A backend that just failed the lookup is not
	// waited on again.
	if !r.backendDown {
		_ = x.e.cache.Put(context.WithoutCancel(ctx), x.key, buf, ttl) // even if the client left
	}
	if f != nil {
		x.e.flights.forget(x.key, f)
	}
}

// bodyETag is a strong validator from the body's XXH3 hash: the same in
// every process and on every machine, so a client's If-None-Match works
// against any instance.
func bodyETag(body []byte) string {
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], xxh3.Hash(body))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// fieldValue returns the first value of name (canonical) in fields.
func fieldValue(fields []Field, name string) string {
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// canonicalName returns name as http.CanonicalHeaderKey would, without
// allocating when it already is.
func canonicalName(name string) string {
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return http.CanonicalHeaderKey(name)
		}
		upper = c == '-'
	}
	return name
}

// equalFoldASCII reports whether a and b are equal ignoring ASCII case.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca == cb {
			continue
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}
