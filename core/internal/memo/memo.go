// Package memo is the bargain between hoard's Cache and an in-process
// backend (core/memory): the backend keeps a [Memo] beside each value it
// stores, and the Cache keeps in it what it derived from the value's bytes
// (the decoded envelope and, for HTTP entries, a hit's ready header fields),
// so a hit decodes and checksums an entry once per stored value instead of
// once per read. Remote backends have no part in it.
//
// How the HTTP engine uses memos to serve a hit is explained in one place:
// core/httpcache/hit.go.
package memo

import (
	"context"
	"sync/atomic"
	"unsafe"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// InProcess is implemented by backends that live in the caller's memory and
// never block on I/O. The Cache skips the per-operation timeout and the
// circuit breaker for them, which keeps a hit free of timer and context
// allocations.
type InProcess interface {
	InProcess() bool
}

// Getter is implemented by in-process backends that keep a [Memo] with each
// value. GetMemo is Get that also returns the value's memo, except that it
// need not check the value's TTL: it may return a value whose TTL has passed
// until the backend drops it, since the Cache checks the expiry it wrote
// into the value, at the instant the TTL was taken from. (This saves a clock
// read per hit.)
//
// A backend gives every value it stores a new Memo (the zero Memo is empty
// and ready), returns it with that value, and never reads, copies or reuses
// it. The Cache only trusts a memo for the exact bytes it was made from.
type Getter interface {
	GetMemo(ctx context.Context, key string) ([]byte, *Memo, error)
}

// Local is implemented by a backend with an in-process tier in front of a
// remote one (package tiered): GetLocal reads the in-process tier only,
// never blocks, and reports whether it found a live value. The Cache asks
// it first, outside the operation timeout a remote read gets, and after a
// miss reads with GetRemote, which is Get without the local tier's read
// (a value read remotely has no memo yet).
type Local interface {
	GetLocal(key string) ([]byte, *Memo, bool)
	GetRemote(ctx context.Context, key string) ([]byte, error)
}

// Dropper is a [Getter] that also tells the Cache when a value leaves it,
// which lets the HTTP engine answer a repeated request straight from the
// memo it found last time, without building the key or asking the backend.
//
// Implementing it is a promise: whenever a value leaves the backend
// (replaced, deleted, evicted, expired, cleared, closed), the backend calls
// [Memo.Drop] on the value's memo before the change is visible to readers.
// Expiry is the exception a backend may make when it drops expired values
// lazily: it then gives the memo the value's deadline ([Expiring]), and
// whoever trusts a memo without asking the backend checks
// [Memo.Expired] too. (A value's expiry written in its envelope needs no
// deadline: the Cache checks it. Only a backend that keeps a value for
// less than that, a local tier, must.) A memo must not keep the value
// alive (allocate the Memo on its own), so that a dropped one holds
// nothing.
type Dropper interface {
	Getter
	// Touch records a read of key for the backend's eviction policy without
	// returning anything: the Cache calls it for a sample of the hits it
	// served from memos, which the backend did not see. key is valid only
	// during the call.
	Touch(key string)
}

// Memo is the slot a backend keeps beside one stored value.
type Memo struct {
	p atomic.Pointer[Decoded]
	// until is when the backend's copy of the value expires, on now's
	// scale (0: when its envelope says). Both are set before the memo is
	// shared and never change.
	until int64
	now   func() int64
}

// Expiring returns a new memo for a value the backend keeps until until,
// on the clock now, which is read by [Memo.Expired].
func Expiring(until int64, now func() int64) *Memo {
	return &Memo{until: until, now: now}
}

// Expired reports whether the value has passed the deadline it was given
// with [Expiring] (the backend may not have dropped it yet). It reads the
// clock only for a memo that has one.
func (m *Memo) Expired() bool { return m.until != 0 && m.now() >= m.until }

// Decoded is a memo's content: one value, decoded.
type Decoded struct {
	Raw   []byte // the bytes Entry views: the memo is trusted only for them
	Entry envelope.Entry
	// Plan is the HTTP engine's ready header fields for hits on Entry
	// (an unexported type of package httpcache).
	Plan atomic.Value
	Memo *Memo // the memo holding this
}

// Drop marks the memo's value as gone from the backend: the Cache no longer
// serves it from the memo, and the memo lets go of what it held.
func (m *Memo) Drop() { m.p.Store(dropped) }

// Dropped reports whether Drop was called: a backend may read it instead
// of keeping the same fact beside the memo.
func (m *Memo) Dropped() bool { return m.p.Load() == dropped }

// dropped is the content of a dropped memo: it matches no value.
var dropped = new(Decoded)

// Load returns the memo's content made from exactly raw, or nil.
func (m *Memo) Load(raw []byte) *Decoded {
	d := m.p.Load()
	if d == nil || len(d.Raw) != len(raw) || unsafe.SliceData(d.Raw) != unsafe.SliceData(raw) {
		return nil
	}
	return d
}

// Keep records e, decoded from raw, and returns the memo's new content. A
// dropped memo stays dropped: a reader that got the value just before it
// left must not bring its memo back.
func (m *Memo) Keep(raw []byte, e *envelope.Entry) *Decoded {
	d := &Decoded{Raw: raw, Entry: *e, Memo: m}
	for {
		cur := m.p.Load()
		if cur == dropped {
			return d
		}
		if m.p.CompareAndSwap(cur, d) {
			return d
		}
	}
}

// Live returns the memo's content if its value is still in the backend
// (for a [Dropper]), or nil.
func (m *Memo) Live() *Decoded {
	if d := m.p.Load(); d != dropped {
		return d
	}
	return nil
}

// The most an HTTP engine's plan may take: package httpcache checks its
// types against these in a test.
const (
	// PlanOverhead bounds the plan's fixed part.
	PlanOverhead = 128
	// PlanFieldSize is the size of one header field in a plan.
	PlanFieldSize = 32
	// PlanOwnFields is how many fields a hit adds to the stored ones.
	PlanOwnFields = 6
)

// Size is the most memory a Cache attaches to a value through its [Memo]:
// a backend that bounds its size adds it to the value's weight. Only HTTP
// entries get a memo; for anything else it is 0.
func Size(value []byte) int {
	if !envelope.IsHTTP(value) {
		return 0
	}
	var e envelope.Entry
	if envelope.Parse(value, &e, false) != nil {
		return 0 // never memoized
	}
	stored := 0
	envelope.Fields(e.Header, func(_, _ []byte) { stored++ })
	return int(unsafe.Sizeof(Decoded{})) + PlanOverhead + (stored+PlanOwnFields)*PlanFieldSize
}
