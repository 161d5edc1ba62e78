package httpcache

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/hoard-go/hoard/core/internal/memo"
)

// The hot table lets an engine answer a request it answered before straight
// from the memo it found then, when the backend drops memos as their values
// leave it (memo.Dropper): no key to build, no backend call (see hit.go). It maps the
// request's parts that make its key (host, path, query, the values of the
// Vary names) to the memo; a memo that was dropped, or whose entry has
// expired, sends the request down the usual path, which puts the current
// one in its place.
//
// It is a fixed array of slots, one entry each: its memory is bounded and
// it needs no clean-up. Two request shapes in one slot take turns.

const (
	// hotSlots is how many request shapes an engine remembers.
	hotSlots = 1024
	// hotMaxLen is the longest host+path+query remembered: the table holds
	// a copy of each, and a long URL is rarely the hot one.
	hotMaxLen = 512
	// hotTouchSample: one hit in this many from the table is reported to
	// the backend's eviction policy (it sees none of them otherwise). Keys
	// served from the table are the hottest: a sparser sample still keeps
	// them recent and frequent in the policy's eyes.
	hotTouchSample = 64
)

type hotTable struct {
	seed  uint64
	slots [hotSlots]atomic.Pointer[hotEntry]
}

// hotEntry is one remembered request shape and the memo it was answered
// from.
type hotEntry struct {
	hash              uint64
	host, path, query string // as sent: Example.com and example.com are two shapes of one key
	vary              []string
	memo              *memo.Memo
}

func newHotTable() *hotTable { return &hotTable{seed: rand.Uint64() | 1} }

// eligible reports whether r may use the table: a request with a
// credential never does (its key holds a hash of it, the table would hold
// it in the clear), nor a long one.
func (t *hotTable) eligible(r *Request, f *requestFields) bool {
	return f.authorization == "" && len(r.Host)+len(r.Path)+len(r.RawQuery) <= hotMaxLen
}

// hash picks r's slot. It only spreads shapes over the slots (a shape is
// recognised by comparing its parts), so a quick multiply-and-fold over
// eight bytes at a time does; the seed keeps the slots of a URL different
// in each process.
func (t *hotTable) hash(r *Request) uint64 {
	h := mixString(t.seed, r.Host)
	h = mixString(h, r.Path)
	h = mixString(h, r.RawQuery)
	return h ^ h>>31
}

func mixString(h uint64, s string) uint64 {
	const k = 0x9e3779b97f4a7c15
	n := len(s)
	p := unsafe.StringData(s)
	load64 := func(i int) uint64 {
		return binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(p), i)), 8))
	}
	load32 := func(i int) uint64 {
		return uint64(binary.LittleEndian.Uint32(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(p), i)), 4)))
	}
	// The last word is read overlapping the one before it, and a short
	// string as two overlapping halves: no loop over single bytes.
	var tail uint64
	switch {
	case n >= 8:
		for i := 0; i+8 < n; i += 8 {
			h = (h ^ load64(i)) * k
			h ^= h >> 32
		}
		tail = load64(n - 8)
	case n >= 4:
		tail = load32(0)<<32 | load32(n-4)
	case n > 0:
		tail = uint64(s[0])<<16 | uint64(s[n/2])<<8 | uint64(s[n-1])
	}
	h = (h ^ tail ^ uint64(n)<<56) * k // the length tells "ab"+"c" from "a"+"bc"
	return h ^ h>>32
}

// find returns the live memo content remembered for r, or nil.
func (t *hotTable) find(hash uint64, r *Request, vary []string) *memo.Decoded {
	e := t.slots[hash%hotSlots].Load()
	if e == nil || e.hash != hash || e.path != r.Path || e.query != r.RawQuery || e.host != r.Host || !slices.Equal(e.vary, vary) {
		return nil
	}
	if e.memo.Expired() {
		return nil // a local tier's copy past its deadline, not dropped yet
	}
	return e.memo.Live()
}

// remember records that r was answered from m. A slot held by another
// live shape changes hands only now and then, so that two shapes sharing
// it do not allocate on every request.
func (t *hotTable) remember(hash uint64, r *Request, vary []string, m *memo.Memo) {
	slot := &t.slots[hash%hotSlots]
	if cur := slot.Load(); cur != nil && cur.memo.Live() != nil {
		if cur.hash == hash && cur.memo == m || cur.hash != hash && rand.Uint32()%8 != 0 {
			return // already there, or another shape's turn
		}
	}
	// One copy for the three strings, which may be views of the
	// framework's reused buffers. (A concatenation may return an operand
	// itself when the others are empty.)
	b := make([]byte, 0, len(r.Host)+len(r.Path)+len(r.RawQuery))
	b = append(append(append(b, r.Host...), r.Path...), r.RawQuery...)
	s := unsafeString(b)
	e := &hotEntry{
		hash:  hash,
		host:  s[:len(r.Host)],
		path:  s[len(r.Host) : len(r.Host)+len(r.Path)],
		query: s[len(r.Host)+len(r.Path):],
		memo:  m,
	}
	if len(vary) > 0 {
		e.vary = make([]string, len(vary))
		for i, v := range vary {
			e.vary[i] = strings.Clone(v)
		}
	}
	slot.Store(e)
}
