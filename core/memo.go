package hoard

import (
	"context"
	"sync/atomic"
	"unsafe"
)

// Memo is a slot an in-process backend keeps beside each stored value, in
// which the Cache keeps what it derived from the value's bytes: the decoded
// envelope and, for HTTP entries, a hit's ready header fields. A hit then
// decodes and checksums an entry once per stored value instead of once per
// read.
//
// A backend that implements [MemoGetter] gives every value it stores a new
// Memo (the zero Memo is empty and ready), returns it with that value, and
// never reads, copies or reuses it. The Cache only trusts a memo for the
// exact bytes it was made from.
type Memo struct {
	p atomic.Pointer[decoded]
}

// MemoGetter is implemented by in-process backends ([InProcess]) that keep
// a [Memo] with each value. GetMemo is Get that also returns the value's
// memo, except that it need not check the value's TTL: it may return a
// value whose TTL has passed until the backend drops it, since the Cache
// checks the expiry it wrote into the value, at the instant the TTL was
// taken from. (This saves a clock read per hit.)
type MemoGetter interface {
	GetMemo(ctx context.Context, key string) ([]byte, *Memo, error)
}

// MemoDropper is a [MemoGetter] that also tells the Cache when a value
// leaves it, which lets an HTTP engine answer a repeated request straight
// from the memo it found last time, without building the key or asking the
// backend: about half of a hit's cost on the memory backend.
//
// Implementing it is a promise: whenever a value leaves the backend
// (replaced, deleted, evicted, expired, cleared, closed), the backend calls
// [Memo.Drop] on the value's memo before the change is visible to readers.
// A memo must not keep the value alive (allocate the Memo on its own), so
// that a dropped one holds nothing.
type MemoDropper interface {
	MemoGetter
	// Touch records a read of key for the backend's eviction policy without
	// returning anything: the Cache calls it for a sample of the hits it
	// served from memos, which the backend did not see. key is valid only
	// during the call.
	Touch(key string)
}

// Drop marks the memo's value as gone from the backend: the Cache no longer
// serves it from the memo, and the memo lets go of what it held. It is for
// backends implementing [MemoDropper].
func (m *Memo) Drop() { m.p.Store(droppedMemo) }

// Dropped reports whether Drop was called: a backend may read it instead
// of keeping the same fact beside the memo.
func (m *Memo) Dropped() bool { return m.p.Load() == droppedMemo }

// droppedMemo is the content of a dropped memo: it matches no value.
var droppedMemo = new(decoded)

// MemoSize is the most memory a Cache attaches to a value through its
// [Memo]: a backend that bounds its size adds it to the value's weight.
// Only HTTP entries get a memo; for anything else it is 0.
func MemoSize(value []byte) int {
	if len(value) < fixedHeaderLen || value[0] != envelopeMagic || entryKind(value[2]) != kindHTTP {
		return 0
	}
	var e entry
	if parseEntry(value, &e, false) != nil {
		return 0 // never memoized
	}
	stored := 0
	headerFields(e.header, func(_, _ []byte) { stored++ })
	return int(unsafe.Sizeof(decoded{})+unsafe.Sizeof(hitPlan{})) + (stored+ownHitFields)*int(unsafe.Sizeof(HeaderField{}))
}

// decoded is a memo's content.
type decoded struct {
	raw  []byte // the bytes e views: the memo is trusted only for them
	e    entry
	plan atomic.Pointer[hitPlan] // the last HTTP engine's hit fields
	memo *Memo                   // the memo holding this
}

// load returns the memo made from exactly raw, or nil.
func (m *Memo) load(raw []byte) *decoded {
	d := m.p.Load()
	if d == nil || len(d.raw) != len(raw) || unsafe.SliceData(d.raw) != unsafe.SliceData(raw) {
		return nil
	}
	return d
}

// keep records e, decoded from raw, and returns the memo's new content. A
// dropped memo stays dropped: a reader that got the value just before it
// left must not bring its memo back.
func (m *Memo) keep(raw []byte, e *entry) *decoded {
	d := &decoded{raw: raw, e: *e, memo: m}
	for {
		cur := m.p.Load()
		if cur == droppedMemo {
			return d
		}
		if m.p.CompareAndSwap(cur, d) {
			return d
		}
	}
}

// live returns the memo's content if its value is still in the backend
// (for a [MemoDropper]), or nil.
func (m *Memo) live() *decoded {
	if d := m.p.Load(); d != droppedMemo {
		return d
	}
	return nil
}
