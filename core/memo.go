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
}

// load returns the memo made from exactly raw, or nil.
func (m *Memo) load(raw []byte) *decoded {
	d := m.p.Load()
	if d == nil || len(d.raw) != len(raw) || unsafe.SliceData(d.raw) != unsafe.SliceData(raw) {
		return nil
	}
	return d
}

// keep records e, decoded from raw, and returns the memo.
func (m *Memo) keep(raw []byte, e *entry) *decoded {
	d := &decoded{raw: raw, e: *e}
	m.p.Store(d)
	return d
}
