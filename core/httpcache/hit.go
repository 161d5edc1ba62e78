package httpcache

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/hoard-go/hoard/core/internal/bridge"
	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/memo"
)

// How a hit is served, and what makes it cheap. This file is the one place
// to read (and change) it.
//
// Every hit ends in serve: the entry found (decoded, or a memo's), whether
// the client's conditional makes it a 304, and the header fields to send
// (the stored ones, ETag, Age, Content-Length, Cache-Control when the
// handler set none, X-Cache, Cache-Status). Adapters then write those
// fields, the status and the body in their framework's terms. On a remote
// backend that is the whole story: each hit reads the envelope, verifies
// it (checksum, full key, expiry) and builds the fields.
//
// On the in-process memory backend three things remove most of that work;
// each is kept because a benchmark shows it pays (figures in
// bench/NOTES.md, "hit path"):
//
//  1. Memos (internal/memo). The store keeps, beside each value, the
//     envelope decoded once: a hit neither decodes nor checksums.
//  2. Hit plans (below). Inside the memo, the engine keeps the hit's
//     header fields, built once per entry; only Age changes, once a
//     second, and the fields with a new Age are shared by every hit in
//     that second.
//  3. The hot table (hot.go). A request the engine answered before is
//     matched by its parts (host, path, query, Vary values) to the memo it
//     was answered from: no key to build, no store lookup. It is only used
//     with a store that drops a memo the moment its value leaves
//     (memo.Dropper), so it can never serve a replaced, deleted, evicted
//     or cleared entry.
//
// A change to what a hit sends goes in appendHitFields; everything above
// it reuses what that function builds.

// hitState is what an exchange holds for a hit.
type hitState struct {
	e            envelope.Entry  // the entry, when decoded for this request
	ent          *envelope.Entry // the entry served: &e, or a memo's
	notModified  bool
	part         rangeResult // a Range request's answer
	rng          byteRange
	fields       []Field
	sharedFields bool      // fields are a plan's, not in fieldBuf
	fieldBuf     [16]Field // backs fields when they are this hit's own
}

// reset drops the references to the entry's bytes, so the pool does not
// keep them alive.
func (h *hitState) reset() {
	if !h.sharedFields {
		// A response with more fields than fieldBuf holds grew out of it,
		// after filling it.
		clear(h.fieldBuf[:min(len(h.fields), len(h.fieldBuf))])
	}
	if h.e.Kind != 0 || h.e.Key != nil || h.e.Header != nil || h.e.Body != nil {
		h.e = envelope.Entry{} // only when decoded into: zeroing it costs a hot hit
	}
	h.ent = nil
	h.fields = nil
	h.sharedFields = false
	h.notModified = false
	h.part = rangeWhole
}

// serve prepares a hit on ent (d's entry when the backend keeps memos):
// the conditional request, a Range, then the header fields. stale marks a
// response served past its freshness.
func (x *exchange) serve(now int64, d *memo.Decoded, ent *envelope.Entry, stale bool) {
	x.outcome = hit
	x.label, x.status = "HIT", x.e.statusHit
	if stale {
		x.label, x.status = "STALE", x.e.statusStale
	}
	x.serveAs(now, d, ent, stale)
}

// serveAs is serve with x.label and x.status already set. A hit that is
// not a plain fresh one builds its own fields.
func (x *exchange) serveAs(now int64, d *memo.Decoded, ent *envelope.Entry, own bool) {
	x.outcome = hit
	h := &x.hit
	h.ent = ent
	if inm := x.req.ifNoneMatch; inm != "" {
		h.notModified = etagMatches(inm, unsafeString(ent.ETag))
	} else if ims := x.req.ifModifiedSince; ims != "" {
		h.notModified = notModifiedSince(ims, storedHeader(ent, "Last-Modified"))
	}
	if spec := x.req.rangeSpec; spec != "" && !h.notModified && ent.Status == 200 && !x.head && ifRangeMatches(x.req.ifRange, ent) {
		h.rng, h.part = parseRange(spec, int64(len(ent.Body)))
	}
	age := stateAt(ent, now).age
	if d == nil || h.notModified || own || h.part != rangeWhole {
		h.fields, _ = x.e.appendHitFields(h.fieldBuf[:0], ent, h, age, x.label, x.status)
		return
	}
	p, _ := d.Plan.Load().(*hitPlan)
	if p == nil || p.e != x.e {
		p = x.e.newHitPlan(&d.Entry)
		d.Plan.Store(p)
	}
	h.fields = p.forAge(age)
	h.sharedFields = true
}

// serveHot answers x from d, found in the hot table: a hit like any other
// (counted, observed, and now and then reported to the backend's eviction
// policy), without a backend call. The key is built only when something
// needs it.
func (e *Engine) serveHot(ctx context.Context, x *exchange, r *Request, d *memo.Decoded, now int64) *exchange {
	rnd := x.random()
	touch := rnd%hotTouchSample == 0
	observed := e.observed
	if touch || observed {
		x.keyBuf = e.appendKey(x.keyBuf[:0], r, &x.req)
		x.key, x.keyView = unsafeString(x.keyBuf), true
	}
	if touch {
		e.cache.Dropper().Touch(x.key)
	}
	if observed {
		x.ownKey() // an observer may keep it
		e.cache.Observe(ctx, bridge.Hit, "get", x.key, nil)
	} else {
		e.cache.CountHit(rnd >> 8) // Observe's count, with the number we have
	}
	x.serve(now, d, &d.Entry, false)
	return x
}

// hitStatus is the status of a hit: the stored one, 304, 206 or 416.
func (x *exchange) hitStatus() int {
	switch {
	case x.hit.notModified:
		return 304
	case x.hit.part == rangePart:
		return 206
	case x.hit.part == rangeUnsatisfiable:
		return 416
	}
	return x.hit.ent.Status
}

// hitBody is the body of a hit: nil for HEAD, 304 and 416, the range for
// 206. It is read-only.
func (x *exchange) hitBody() []byte {
	switch {
	case x.head || x.hit.notModified || x.hit.part == rangeUnsatisfiable:
		return nil
	case x.hit.part == rangePart:
		return x.hit.ent.Body[x.hit.rng.start:x.hit.rng.end]
	}
	return x.hit.ent.Body
}

// notModifiedHeaders are the stored fields a 304 repeats (RFC 9110 section
// 15.4.5), besides ETag and hoard's own.
var notModifiedHeaders = [...]string{"Cache-Control", "Content-Location", "Expires", "Vary", "Last-Modified"}

func isNotModifiedHeader(name string) bool {
	for _, n := range notModifiedHeaders {
		if n == name {
			return true
		}
	}
	return false
}

// appendHitFields lists the header of a hit (or 304, 206, 416) on ent:
// the stored fields, ETag, Content-Length (and Content-Range), Age,
// hoard's status headers, and a Cache-Control max-age of the entry's
// lifetime when the response set none. Stored names and values are views
// of the entry's bytes; the numbers share one string. h is nil for a plain
// 200 (a hit plan's fields). It returns the index of Age.
func (e *Engine) appendHitFields(fields []Field, ent *envelope.Entry, h *hitState, age int64, label, cacheStatus string) ([]Field, int) {
	notModified := h != nil && h.notModified
	hasCC := false
	for name, value, rest := envelope.NextField(ent.Header); name != nil; name, value, rest = envelope.NextField(rest) {
		n := unsafeString(name)
		if n == "Cache-Control" {
			hasCC = true
		}
		if notModified && !isNotModifiedHeader(n) {
			continue
		}
		fields = append(fields, Field{n, unsafeString(value)})
	}
	if len(ent.ETag) > 0 {
		fields = append(fields, Field{"Etag", unsafeString(ent.ETag)})
	}
	var buf [96]byte
	b := strconv.AppendInt(buf[:0], age, 10)
	nAge := len(b)
	nLen := nAge
	if !notModified {
		n := int64(len(ent.Body))
		switch {
		case h != nil && h.part == rangePart:
			n = h.rng.end - h.rng.start
		case h != nil && h.part == rangeUnsatisfiable:
			n = 0
		}
		b = strconv.AppendInt(b, n, 10)
		nLen = len(b)
	}
	nRange := nLen
	if h != nil && h.part != rangeWhole {
		b = append(b, "bytes "...)
		if h.part == rangePart {
			b = strconv.AppendInt(b, h.rng.start, 10)
			b = append(b, '-')
			b = strconv.AppendInt(b, h.rng.end-1, 10)
		} else {
			b = append(b, '*')
		}
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(len(ent.Body)), 10)
		nRange = len(b)
	}
	nCC := nRange
	if !hasCC && e.cfg.maxAgeHeader && e.cfg.mode == ApplicationCache {
		b = appendMaxAge(b, entryLifetime(ent))
		nCC = len(b)
	}
	s := string(b)
	ageAt := len(fields)
	fields = append(fields, Field{"Age", s[:nAge]})
	if nLen > nAge {
		fields = append(fields, Field{"Content-Length", s[nAge:nLen]})
	}
	if nRange > nLen {
		fields = append(fields, Field{"Content-Range", s[nLen:nRange]})
	}
	if nCC > nRange {
		fields = append(fields, Field{"Cache-Control", s[nRange:nCC]})
	}
	if e.cfg.cacheHeader != "" {
		fields = append(fields, Field{e.cfg.cacheHeader, label})
	}
	return append(fields, Field{"Cache-Status", cacheStatus}), ageAt
}

// storedHeader returns the first stored value of name.
func storedHeader(ent *envelope.Entry, name string) string {
	return fieldValueBlock(ent.Header, name)
}

// hitPlan is one engine's header fields for hits on one stored entry, made
// on the entry's first hit and kept in its memo: of all the fields, only
// Age changes from one hit to the next, once a second.
type hitPlan struct {
	e     *Engine
	ageAt int // index of Age in the fields
	cur   atomic.Pointer[agedFields]
}

// agedFields are a plan's fields with one Age filled in.
type agedFields struct {
	sec    int64
	fields []Field
}

func (e *Engine) newHitPlan(ent *envelope.Entry) *hitPlan {
	fields, ageAt := e.appendHitFields(nil, ent, nil, 0, "HIT", e.statusHit)
	p := &hitPlan{e: e, ageAt: ageAt}
	p.cur.Store(&agedFields{sec: 0, fields: slices.Clip(fields)})
	return p
}

// forAge returns the fields of a hit at age sec, read-only. Hits share
// them: the copy with a new Age is made once per second of the entry's
// life that sees a hit, not once per hit.
func (p *hitPlan) forAge(sec int64) []Field {
	a := p.cur.Load()
	if a.sec == sec {
		return a.fields
	}
	f := slices.Clone(a.fields) // only the current copy is kept
	f[p.ageAt].Value = strconv.FormatInt(sec, 10)
	p.cur.Store(&agedFields{sec: sec, fields: f})
	return f
}
