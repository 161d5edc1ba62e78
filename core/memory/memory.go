// Package memory is hoard's embedded backend: an in-process store bounded by
// total bytes, with per-entry TTL and active expiry, on
// github.com/maypok86/otter/v2.
//
// Expired entries are removed by otter's periodic clean-up, not only when
// read, and the byte bound evicts the least valuable entries (W-TinyLFU), so
// the store never grows past its limit with dead entries. Reads find their
// item through a lock-free index in front of otter, which otter's deletion
// handler keeps exact; one read in eight is also reported to otter's
// eviction policy.
//
// hoard keeps each HTTP entry decoded beside the store's copy (a memo), and
// the store drops that memo the moment the value leaves, so hoard can
// answer a repeated request from the memo alone (see core/httpcache/hit.go).
// A value kept for less than the lifetime written in it (a local tier's
// copy, package tiered) may expire before otter drops it: its memo carries
// the store's deadline instead (memo.Expiring).
//
// MaxBytes bounds the store's live data, not the process: with Go's default
// GC (GOGC=100) the heap grows to about twice the live heap before a
// collection. Measured with bench/cmd/membound (distinct 4 KiB responses,
// ten times the bound written): a full 64 MiB store kept 64.7 MiB live, and
// the process peaked at 169 MiB of RSS (2.6 x MaxBytes; 2.3 x for a
// 256 MiB store). Where memory matters, set a soft limit (GOMEMLIMIT, or
// debug.SetMemoryLimit) of about 1.3 x MaxBytes plus what the rest of the
// application needs: the GC then works harder instead of growing the heap
// (1.7 x MaxBytes in the same run).
package memory

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/memo"
)

// DefaultMaxBytes is the byte bound used when Options.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// entryOverhead approximates the bytes otter and Go spend per entry beyond
// its key and value (otter's node, the item and its memo slot: 144; the
// read index's entry: 124, measured), so many tiny entries still respect
// the bound. hoard's memo of an HTTP entry is added per entry
// (hoard.MemoSize).
const entryOverhead = 144 + 128

// noExpiry is otter's "never": an excessively long period.
const noExpiry = time.Duration(math.MaxInt64)

// Options configures a [Store].
type Options struct {
	// MaxBytes bounds the total size of keys and values (plus a small
	// per-entry overhead). Default 64 MiB. A single value larger than
	// MaxBytes/8 is refused with hoard.ErrTooLarge.
	MaxBytes int64
	// Now is the clock for expiry. Default time.Now; tests inject a fake.
	Now func() time.Time
}

// Store is an in-memory [hoard.Backend].
type Store struct {
	cache *otter.Cache[string, *item]
	// index maps each key read since it was stored to its item: a read
	// finds it there, in about a quarter of the time otter's own lookup
	// takes. otter stays the store of record (bound, policy, expiry): an
	// item leaves the index when otter drops it, and an item otter dropped
	// is never served from the index, even in the moment before it leaves.
	index    sync.Map // string -> *item
	maxValue int64
	maxBytes int64
	now      func() int64 // the expiry clock, in nanoseconds
	wallNow  func() int64 // the clock of the times hoard writes in values
	closed   atomic.Bool
	// sweeping and lastSweep keep stale-first eviction to one sweep at a
	// time, at most every sweepEvery (see sweepStale).
	sweeping  atomic.Bool
	lastSweep atomic.Int64
	staleable atomic.Int64 // items with a staleAt
}

type item struct {
	value    []byte
	ttl      time.Duration // 0 = no expiry
	deadline int64         // on Store.now's scale; 0 = no expiry
	// staleAt is when hoard's value turns stale (Unix nanoseconds, 0:
	// never): kept past it only to be served stale, it is evicted first.
	staleAt int64
	// memo is what hoard derived from value, made on first read. It is
	// allocated apart so that a dropped memo keeps nothing of the item.
	memo *memo.Memo
}

var (
	_ hoard.Backend          = (*Store)(nil)
	_ hoard.NamespaceClearer = (*Store)(nil)
	_ memo.InProcess         = (*Store)(nil)
	_ memo.Dropper           = (*Store)(nil)
)

// New returns a Store. It starts otter's background maintenance; call Close
// to stop it.
func New(opts Options) (*Store, error) {
	if opts.MaxBytes < 0 {
		return nil, fmt.Errorf("memory: MaxBytes %d is negative", opts.MaxBytes)
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxBytes < 1<<10 {
		return nil, fmt.Errorf("memory: MaxBytes %d is below the 1 KiB minimum", opts.MaxBytes)
	}
	o := &otter.Options[string, *item]{
		MaximumWeight: uint64(opts.MaxBytes),
		Weigher: func(k string, v *item) uint32 {
			return uint32(len(k) + len(v.value) + entryOverhead + memo.Size(v.value))
		},
		// Maintenance (draining the read buffer, evicting) runs on the
		// goroutine that triggers it, a little at a time, instead of on a
		// new goroutine every few dozen reads: starting and waking those
		// cost a hit more than the work they did. There are no deletion
		// handlers or refreshes that could block a caller.
		Executor: func(fn func()) { fn() },
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, *item]) time.Duration {
			if e.Value.ttl <= 0 {
				return noExpiry
			}
			return e.Value.ttl
		}),
	}
	s := &Store{maxValue: opts.MaxBytes / 8, maxBytes: opts.MaxBytes, now: monotonicNow,
		wallNow: func() int64 { return time.Now().UnixNano() }}
	if opts.Now != nil {
		o.Clock = clock{now: opts.Now}
		s.now = func() int64 { return opts.Now().UnixNano() }
		s.wallNow = s.now
	}
	// Runs under otter's bucket lock as an item leaves, before the change
	// is visible: from then on no read serves it.
	o.OnAtomicDeletion = func(e otter.DeletionEvent[string, *item]) {
		e.Value.memo.Drop()
		s.index.CompareAndDelete(e.Key, e.Value)
		if e.Value.staleAt != 0 {
			s.staleable.Add(-1)
		}
	}
	c, err := otter.New(o)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	s.cache = c
	return s, nil
}

// clockStart anchors the default expiry clock, which reads only the
// monotonic clock: one clock read per check.
var clockStart = time.Now()

func monotonicNow() int64 { return int64(time.Since(clockStart)) }

// Get returns the stored bytes, which the caller must not modify.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	it := s.get(key)
	if it == nil || it.expired(s.now) {
		return nil, hoard.ErrNotFound
	}
	return it.value, nil
}

// GetMemo is Get, also returning the value's memo, in which hoard keeps the
// value decoded. It does not read the clock: as memo.Getter allows, a
// value whose TTL has passed may be returned until otter drops it, and the
// Cache checks the expiry written in the value (the same instant, taken
// just before the TTL was).
func (s *Store) GetMemo(ctx context.Context, key string) ([]byte, *memo.Memo, error) {
	if err := s.check(ctx); err != nil {
		return nil, nil, err
	}
	it := s.get(key)
	if it == nil {
		return nil, nil, hoard.ErrNotFound
	}
	return it.value, it.memo, nil
}

// GetFresh is GetMemo for a value whose TTL has not passed (one clock
// read), without a context: it never blocks. A tier in front of a remote
// backend (package tiered) reads its local copies with it, since their TTL
// is shorter than the one written in the value.
func (s *Store) GetFresh(key string) ([]byte, *memo.Memo, bool) {
	if s.closed.Load() {
		return nil, nil, false
	}
	it := s.get(key)
	if it == nil || it.expired(s.now) {
		return nil, nil, false
	}
	return it.value, it.memo, true
}

// Clear removes every entry.
func (s *Store) Clear(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.cache.InvalidateAll()
	return nil
}

// Touch records a read of key for the eviction policy: hoard calls it for
// a sample of the hits it answers from memos without reading the store.
func (s *Store) Touch(key string) {
	if !s.closed.Load() {
		s.cache.GetIfPresent(key)
	}
}

// readSample is how many reads there are for each one the eviction policy
// hears of.
const readSample = 8

// get returns key's item, or nil. It may return an item whose deadline
// has passed but that otter has not dropped yet; never a dropped one.
//
// One read in readSample, at random, is recorded for the eviction policy
// (W-TinyLFU counts how often keys are read, and orders its segments by
// recency): recording every read costs a hit more than the lookup itself,
// while a sample still ranks a key read a thousand times far above one
// read once.
func (s *Store) get(key string) *item {
	sampled := rand.Uint32()%readSample == 0
	if v, ok := s.index.Load(key); ok {
		if it := v.(*item); !it.memo.Dropped() {
			if sampled {
				s.cache.GetIfPresent(key)
			}
			return it
		}
	}
	var (
		e  otter.Entry[string, *item]
		ok bool
	)
	if sampled {
		e, ok = s.cache.GetEntry(key)
	} else {
		e, ok = s.cache.GetEntryQuietly(key)
	}
	if !ok {
		return nil
	}
	s.remember(e.Key, e.Value)
	return e.Value
}

// remember puts it in the index under key (otter's own copy of the key:
// the one a reader passes may be a view of a buffer it reuses), unless
// otter has dropped it: the deletion handler drops the item's memo before
// it removes the item from the index, and this stores before it looks at
// the memo, so whichever runs second removes it.
func (s *Store) remember(key string, it *item) {
	s.index.Store(key, it)
	if it.memo.Dropped() {
		s.index.CompareAndDelete(key, it)
	}
}

// expired reports whether it's deadline has passed on clock now.
func (it *item) expired(now func() int64) bool {
	return it.deadline != 0 && now() >= it.deadline
}

// Set stores a copy of value. ttl <= 0 stores without expiry.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if int64(len(value)) > s.maxValue {
		return fmt.Errorf("memory: %d-byte value over the %d-byte entry limit: %w", len(value), s.maxValue, hoard.ErrTooLarge)
	}
	it := &item{value: bytes.Clone(value), ttl: max(ttl, 0), staleAt: envelope.FreshUntil(value)}
	if ttl > 0 {
		it.deadline = s.now() + int64(ttl)
	}
	if exp := envelope.Expiry(value); it.deadline != 0 && envelope.IsHTTP(value) && (exp == 0 || s.wallNow()+int64(ttl) < exp) {
		// Kept for less than the value's own lifetime (a local copy, package
		// tiered): otter drops it some time after its deadline, so the memo
		// carries the deadline for hoard's reads that trust it alone.
		it.memo = memo.Expiring(it.deadline, s.now)
	} else {
		it.memo = new(memo.Memo)
	}
	if it.staleAt != 0 {
		s.staleable.Add(1)
	}
	s.cache.Set(key, it)
	if s.staleable.Load() > 0 && int64(s.cache.WeightedSize()) > s.maxBytes*sweepAbove/100 {
		s.sweepStale()
	}
	return nil
}

// Stale-first eviction. An entry hoard keeps past its freshness only to
// serve it stale (stale-while-revalidate, stale-if-error, grace, or to
// revalidate it) is worth less than a fresh one: when the store is nearly
// full, those are dropped before otter's policy picks among the rest.
const (
	sweepAbove = 90          // percent of MaxBytes that starts a sweep
	sweepEvery = time.Second // a sweep walks every key: at most this often
)

// sweepStale drops the entries whose values are past their freshness,
// one sweep at a time and at most every sweepEvery: it walks the keys.
func (s *Store) sweepStale() {
	now := s.wallNow()
	if last := s.lastSweep.Load(); now-last < int64(sweepEvery) && now >= last || !s.sweeping.CompareAndSwap(false, true) {
		return
	}
	defer s.sweeping.Store(false)
	s.lastSweep.Store(now)
	for k, it := range s.cache.All() {
		if it.staleAt != 0 && now >= it.staleAt {
			s.cache.Invalidate(k)
		}
	}
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	s.cache.Invalidate(key)
	return nil
}

// ClearNamespace removes every key that begins with ns+":". It walks the
// keys once: O(entries), with no lock held across the walk.
func (s *Store) ClearNamespace(ctx context.Context, ns string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	p := ns + ":"
	for k := range s.cache.Keys() {
		if strings.HasPrefix(k, p) {
			s.cache.Invalidate(k)
		}
	}
	return nil
}

// Len returns the number of entries (expired ones may count until the next
// clean-up).
func (s *Store) Len() int { return s.cache.EstimatedSize() }

// Bytes returns the weighted size: keys, values and per-entry overhead.
func (s *Store) Bytes() int64 { return int64(s.cache.WeightedSize()) }

// InProcess tells hoard this backend never blocks on I/O.
func (s *Store) InProcess() bool { return true }

// Close drops every entry and stops background maintenance. Later calls
// return hoard.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cache.InvalidateAll()
	s.cache.StopAllGoroutines()
	return nil
}

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return hoard.ErrClosed
	}
	return ctx.Err()
}

// clock adapts a Now function to otter's clock; ticks stay real so active
// expiry keeps running with a fake time source.
type clock struct{ now func() time.Time }

func (c clock) NowNano() int64 { return c.now().UnixNano() }

func (c clock) Tick(d time.Duration) <-chan time.Time { return time.Tick(d) }
