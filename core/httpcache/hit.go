package httpcache

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

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
	if h.ent == &h.e {
		h.e = envelope.Entry{}
	}
	h.ent = nil
	h.fields = nil
	h.sharedFields = false
	h.notModified = false
}

// serve prepares a hit on the entry in x.hit.e, or in d when the backend
// keeps memos: the conditional request, then the header fields.
func (x *exchange) serve(now int64, d *memo.Decoded) {
	x.outcome = hit
	h := &x.hit
	h.ent = &h.e
	if d != nil {
		h.ent = &d.Entry // the same entry, without copying it
	}
	if inm := x.req.ifNoneMatch; inm != "" {
		h.notModified = etagMatches(inm, unsafeString(h.ent.ETag))
	} else if ims := x.req.ifModifiedSince; ims != "" {
		h.notModified = notModifiedSince(ims, storedHeader(h.ent, "Last-Modified"))
	}
	age := max(0, (now-h.ent.Created)/int64(time.Second))
	if d == nil || h.notModified {
		h.fields, _ = x.e.appendHitFields(h.fieldBuf[:0], h.ent, h.notModified, age)
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
	x.serve(now, d)
	return x
}

// hitStatus is the status of a hit: the stored one, or 304.
func (x *exchange) hitStatus() int {
	if x.hit.notModified {
		return 304
	}
	return x.hit.ent.Status
}

// hitBody is the body of a hit: nil for HEAD and 304. It is read-only.
func (x *exchange) hitBody() []byte {
	if x.head || x.hit.notModified {
		return nil
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

// ownHitFields is how many fields a hit adds to the stored ones at most:
// ETag, Age, Content-Length, Cache-Control, X-Cache and Cache-Status.
const ownHitFields = memo.PlanOwnFields

// appendHitFields lists the header of a hit (or 304) on e: the stored
// fields, ETag, Content-Length, Age, hoard's status headers, and a
// Cache-Control max-age of the entry's lifetime when the handler set none.
// Stored names and values are views of the entry's bytes; the numbers
// share one string. It returns the index of Age.
func (e *Engine) appendHitFields(fields []Field, ent *envelope.Entry, notModified bool, age int64) ([]Field, int) {
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
	var buf [64]byte
	b := strconv.AppendInt(buf[:0], age, 10)
	nAge := len(b)
	nLen := nAge
	if !notModified {
		b = strconv.AppendInt(b, int64(len(ent.Body)), 10)
		nLen = len(b)
	}
	nCC := nLen
	if !hasCC && e.cfg.maxAgeHeader {
		b = appendMaxAge(b, entryLifetime(ent))
		nCC = len(b)
	}
	s := string(b)
	ageAt := len(fields)
	fields = append(fields, Field{"Age", s[:nAge]})
	if nLen > nAge {
		fields = append(fields, Field{"Content-Length", s[nAge:nLen]})
	}
	if nCC > nLen {
		fields = append(fields, Field{"Cache-Control", s[nLen:nCC]})
	}
	if e.cfg.cacheHeader != "" {
		fields = append(fields, Field{e.cfg.cacheHeader, "HIT"})
	}
	return append(fields, Field{"Cache-Status", e.statusHit}), ageAt
}

// entryLifetime is how long ent is fresh in all, noExpiry for an entry
// that never expires.
func entryLifetime(ent *envelope.Entry) time.Duration {
	if ent.Expires == 0 {
		return noExpiry
	}
	return time.Duration(ent.Expires - ent.Created)
}

// storedHeader returns the first stored value of name.
func storedHeader(ent *envelope.Entry, name string) string {
	for n, v, rest := envelope.NextField(ent.Header); n != nil; n, v, rest = envelope.NextField(rest) {
		if string(n) == name {
			return unsafeString(v)
		}
	}
	return ""
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
	fields, ageAt := e.appendHitFields(nil, ent, false, 0)
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
