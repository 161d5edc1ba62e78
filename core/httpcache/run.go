package httpcache

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"slices"
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
	store        bool // the response may still be stored
	backendDown  bool // the lookup failed: don't wait on the backend to store
	validated    bool // the handler answered a revalidation with 304
	leader       *flight
	committed    bool
	code         int
	declared     int64 // Content-Length the response announced; -1 if none
	responseTime int64 // Unix nanoseconds, at commit
	policy       storePolicy
	etag         string
	ownETag      bool   // etag is the engine's, made from the body
	headers      []byte // the encoded fields to store (a 304's, when validated)
	varyBlock    []byte // the request's values of policy.vary
	tags         []byte // the tags block (tags.go)
	body         []byte
}

// prepare is called before the handler runs, for bypass and run. It
// copies the fields already set (by middleware outside hoard) and sets
// hoard's status headers.
func (x *exchange) prepare(h ResponseHeader) {
	x.ran = true
	if x.run.store || x.onFailure != failoverNone {
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
	x.snap = append(x.snap, Field{http.CanonicalHeaderKey(name), value})
}

// commit is called once, when the status is sent (or, for a buffered
// framework, once the handler has returned), before any of the response
// reaches the client. bodyLen is the body's length when the framework
// knows it (-1 otherwise). It decides whether the response may be stored
// (policy), records its fields, and sets what a stored response carries
// that the handler left out: Date, and Cache-Control: max-age where the
// handler said nothing of freshness. A revalidation's 304 is recorded and
// not stored as such (finish freshens the stored entry with it).
func (x *exchange) commit(status int, h ResponseHeader, bodyLen int64) {
	if x.run.committed {
		return
	}
	r := &x.run
	r.committed = true
	r.code = status
	x.noteOutcome(failureStatus(status))
	r.declared = -1
	if t := x.e.cfg.targeted; t != "" && t != "Cdn-Cache-Control" {
		defer h.Del(t) // hoard's alone: read below, never sent
	}
	if t := x.e.cfg.tagHeader; t != "" && !x.e.cfg.sendTagHeader {
		defer h.Del(t) // read below, sent only when asked
	}
	if !r.store && !x.validate {
		return
	}
	x.snap = x.snap[:0]
	h.Range(x.addField)
	defer func() { clear(x.snap) }() // views of the response's header
	r.responseTime = x.e.cache.Now()
	if x.validate && status == 304 {
		r.validated = true
		// Stored as a full response's are: outer middleware's and hoard's
		// own fields are not the 304's.
		r.headers = x.e.headerBlock(x.snap, x.preset, "", r.headers[:0])
		if fieldValue(x.snap, "Date") == "" {
			// The 304 is the new response's date (RFC 9110 section 6.6.1):
			// without it the stored Date would age the freshened entry.
			r.headers = envelope.AppendField(r.headers, "Date", httpDate(r.responseTime))
		}
		return
	}
	if !r.store {
		return
	}
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
	p, ok := x.e.policy(status, x.snap, x.authorized, x.requestTime, r.responseTime)
	if !ok {
		x.dropStore()
		return
	}
	r.policy = p
	r.etag = strings.Clone(fieldValue(x.snap, "Etag"))
	r.headers = x.e.headerBlock(x.snap, x.preset, p.strip, r.headers[:0])
	if len(p.vary) == 0 && x.vary.gen != 0 {
		// The URL's responses vary (a vary record is under its key), this
		// one does not say so: a compressor that adds Vary only to what it
		// compresses. It is kept as one more variant, under the record's
		// names, rather than served to every request.
		r.policy.vary = x.vary.names
	}
	if x.background && x.vary.gen != 0 {
		// A replayed refresh may not have passed the middleware that
		// made the stored response vary (net/http replays the handler
		// alone): it is stored at least as finely as what it replaces.
		r.policy.vary = unionSorted(r.policy.vary, x.vary.names)
	}
	if len(r.policy.vary) > 0 {
		r.varyBlock = varyBlock(r.policy.vary, x.hdr) // the request is not ours later
	}
	r.tags = x.tagsBlock()
	if fieldValue(x.snap, "Date") == "" {
		date := httpDate(r.responseTime)
		h.Set("Date", date)
		r.headers = envelope.AppendField(r.headers, "Date", date)
	}
	if p.addMaxAge {
		var buf [32]byte
		h.Set("Cache-Control", string(appendMaxAge(buf[:0], p.lifetime)))
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

// httpDate formats a Unix-nanosecond time as a Date field.
func httpDate(ns int64) string { return time.Unix(0, ns).UTC().Format(http.TimeFormat) }

// runsHandler reports whether the handler runs through the engine: its
// response is to be stored, or validates a stored one, or may have to be
// answered in its place.
func (x *exchange) runsHandler() bool {
	return x.run.store || x.validate || x.onFailure != failoverNone
}

// announceStore gives a response about to be stored what its hits will
// carry: the body's ETag when the handler set none, and when it replaces
// a stale entry, the Cache-Status that says so.
func (x *exchange) announceStore(h ResponseHeader) {
	r := &x.run
	if !r.store {
		return
	}
	if r.etag == "" {
		r.etag, r.ownETag = bodyETag(r.body), true
		h.Set("Etag", r.etag)
	}
	if x.prev != nil {
		h.Set("Cache-Status", x.status+"; fwd-status="+strconv.Itoa(r.code)+"; stored")
	}
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
// sent (or is about to be, for a body the engine held: see nethttp.go).
// It stores the response when it is storable and complete, and hands it to
// the requests that waited for it. A request whose context ended (the
// client left) stores nothing: the handler may have cut its work short.
// A revalidation answered 304 freshens the stored entry instead, and x
// becomes a hit on it.
func (x *exchange) finish(ctx context.Context) {
	r := &x.run
	if r.validated {
		x.freshen(ctx)
		return
	}
	if !r.store {
		return
	}
	if r.declared >= 0 && int64(len(r.body)) != r.declared || ctx.Err() != nil {
		x.dropStore()
		return
	}
	etag, flags := r.etag, r.policy.flags
	if etag == "" {
		etag, r.ownETag = bodyETag(r.body), true
	}
	if r.ownETag {
		flags |= envelope.FlagOwnETag
	}
	ent := envelope.Entry{Kind: envelope.KindHTTP, Status: r.code, ETag: []byte(etag), Header: r.headers, Body: r.body, Flags: flags, Tags: r.tags}
	x.store(ctx, &ent, &r.policy, r.responseTime, r.varyBlock)
	r.body, r.headers = nil, nil
}

// store encodes ent (its body, header and flags set) with the freshness of
// p, as received at responseTime, under x's key (or as a variant of it),
// hands it to the requests waiting on x's flight and writes it to the
// backend, before the response completes: so the next request from this
// client finds it, a refresh is never followed by the response it
// replaced, and a Clear is never outrun by a write still in flight.
// Requests that arrive meanwhile are served from the flight. A backend that
// just failed the lookup is not waited on again. It returns the envelope.
func (x *exchange) store(ctx context.Context, ent *envelope.Entry, p *storePolicy, responseTime int64, values []byte) []byte {
	ent.Created = responseTime
	ent.InitialAge = p.initialAge
	ent.StaleWhileRevalidate, ent.StaleIfError = p.swr, p.sie
	ent.FreshUntil = 0
	if p.lifetime != noExpiry {
		ent.FreshUntil = responseTime + max(0, int64(p.lifetime)-p.initialAge*int64(time.Second))
	}
	ttl := p.storageTTL()
	ent.Expires = 0
	if ttl > 0 {
		ent.Expires = responseTime + int64(ttl)
	}
	key := x.key
	var record []byte
	switch {
	case len(ent.Key) > 0:
		key = string(ent.Key) // a variant freshened in place
	case len(p.vary) > 0:
		gen := x.vary.gen
		if gen == 0 || !slices.Equal(x.vary.names, p.vary) {
			gen = newGeneration()
		}
		rec := envelope.Entry{Kind: envelope.KindVary, Key: []byte(x.key), Vary: varyBlock(p.vary, nil),
			Body: binary.LittleEndian.AppendUint64(nil, gen), Created: ent.Created, Expires: ent.Expires}
		record = envelope.Append(nil, &rec)
		key = x.e.variantKey(x.key, gen, values)
		ent.Vary = values
	}
	ent.Key = []byte(key)
	buf := envelope.Append(make([]byte, 0, ent.EncodedLen()), ent)
	f := x.run.leader
	x.run.leader = nil
	if f != nil {
		x.e.flights.resolve(f, buf)
	}
	if !x.run.backendDown {
		x.put(context.WithoutCancel(ctx), key, record, buf, ttl, ent.Tags) // even if the client left
	}
	if f != nil {
		x.e.flights.forget(x.key, f)
	}
	return buf
}

// put writes an entry (and the vary record over it) to the backend. A
// tagged entry is written only once its tags' states exist: without them
// it could not be checked later.
func (x *exchange) put(ctx context.Context, key string, record, buf []byte, ttl time.Duration, tags []byte) {
	if len(tags) > 0 && x.e.cache.EnsureTags(ctx, key, tags) != nil {
		return
	}
	if record != nil {
		_ = x.e.cache.Put(ctx, x.key, record, ttl)
	}
	_ = x.e.cache.Put(ctx, key, buf, ttl)
}

// freshen updates the stored entry a revalidation was answered 304 for
// with the 304's fields (RFC 9111 section 4.3.4), stores it fresh again,
// and makes x a hit on it.
func (x *exchange) freshen(ctx context.Context) {
	r := &x.run
	prev := x.prev
	merged := mergeFields(prev.Header, r.headers)
	etag, flags := prev.ETag, prev.Flags&envelope.FlagOwnETag
	x.snap = x.snap[:0]
	for n, v, rest := envelope.NextField(merged); n != nil; n, v, rest = envelope.NextField(rest) {
		x.snap = append(x.snap, Field{unsafeString(n), unsafeString(v)})
	}
	x.snap = append(x.snap, Field{"Etag", unsafeString(etag)})
	p, ok := x.e.policy(prev.Status, x.snap, x.authorized, x.requestTime, r.responseTime)
	clear(x.snap)
	ent := envelope.Entry{Kind: envelope.KindHTTP, Status: prev.Status, ETag: etag, Header: merged, Body: prev.Body, Vary: prev.Vary, Tags: prev.Tags}
	if ok && (len(p.vary) == 0 || len(prev.Vary) > 0) {
		ent.Flags = p.flags | flags
		p.vary = nil
		if len(prev.Vary) > 0 {
			ent.Key = prev.Key // the variant, under its own key
		}
		x.store(ctx, &ent, &p, r.responseTime, nil)
	} else {
		// The 304 made the response unstorable (or its Vary changed):
		// answer with it once, and store nothing.
		x.dropStore()
		ent.Key, ent.Created = prev.Key, r.responseTime
	}
	x.hit.e = ent // what was stored, without decoding it again
	x.label = "REVALIDATED"
	x.status = x.status + "; fwd-status=304"
	x.serveAs(x.e.cache.Now(), nil, &x.hit.e, true)
}

// contentFields describe the stored bytes themselves: a 304 cannot change
// them, so they are kept from the stored response (RFC 9111 section 3.2
// lets a cache keep the fields its stored content depends on).
var contentFields = map[string]bool{
	"Content-Length": true, "Content-Encoding": true, "Content-Range": true, "Content-Md5": true, "Etag": true,
}

// mergeFields is a stored header block with the fields of a 304's block
// replacing those of the same name (RFC 9111 section 3.2); the content's
// own fields and those a cache never stores are kept from the stored
// block.
func mergeFields(stored, update []byte) []byte {
	var out []byte
	for n, v, rest := envelope.NextField(stored); n != nil; n, v, rest = envelope.NextField(rest) {
		if name := unsafeString(n); contentFields[name] || fieldValueBlock(update, name) == "" {
			out = envelope.AppendField(out, name, unsafeString(v))
		}
	}
	for n, v, rest := envelope.NextField(update); n != nil; n, v, rest = envelope.NextField(rest) {
		if name := unsafeString(n); !contentFields[name] && !unstoredHeaders[name] || name == "Date" {
			out = envelope.AppendField(out, name, unsafeString(v))
		}
	}
	return out
}

// fieldValueBlock returns the first value of name in an encoded block.
func fieldValueBlock(block []byte, name string) string {
	for n, v, rest := envelope.NextField(block); n != nil; n, v, rest = envelope.NextField(rest) {
		if string(n) == name {
			return unsafeString(v)
		}
	}
	return ""
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

// unionSorted returns the sorted union of two sorted name lists.
func unionSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	out = append(out, a...)
	for _, n := range b {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}
