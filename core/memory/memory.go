// Package memory is hoard's embedded backend: an in-process store bounded by
// total bytes, with per-entry TTL and active expiry, on
// github.com/maypok86/otter/v2.
//
// Expired entries are removed by otter's periodic clean-up, not only when
// read, and the byte bound evicts the least valuable entries (W-TinyLFU), so
// the store never grows past its limit with dead entries.
//
// MaxBytes bounds the store's live data, not the process: with Go's default
// GC (GOGC=100) the heap may grow to about twice the live heap before a
// collection, so a process holding a full 64 MiB store can reach 150 MiB or
// more of RSS. Where memory matters, set a soft limit (GOMEMLIMIT, or
// debug.SetMemoryLimit) of about 1.3 x MaxBytes plus what the rest of the
// application needs: the GC then works harder instead of growing the heap.
package memory

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"

	hoard "github.com/hoard-go/hoard/core"
)

// DefaultMaxBytes is the byte bound used when Options.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// entryOverhead approximates the bytes otter and Go spend per entry beyond
// its key and value (otter's node, the item and its memo slot), so many tiny
// entries still respect the bound. hoard's memo of an HTTP entry is added
// per entry (hoard.MemoSize).
const entryOverhead = 144

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
	cache    *otter.Cache[string, *item]
	maxValue int64
	closed   atomic.Bool
}

type item struct {
	value []byte
	ttl   time.Duration // 0 = no expiry
	memo  hoard.Memo    // what hoard derived from value, made on first read
}

var (
	_ hoard.Backend          = (*Store)(nil)
	_ hoard.NamespaceClearer = (*Store)(nil)
	_ hoard.MultiGetter      = (*Store)(nil)
	_ hoard.InProcess        = (*Store)(nil)
	_ hoard.MemoGetter       = (*Store)(nil)
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
			return uint32(len(k) + len(v.value) + entryOverhead + hoard.MemoSize(v.value))
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
	if opts.Now != nil {
		o.Clock = clock{now: opts.Now}
	}
	c, err := otter.New(o)
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	return &Store{cache: c, maxValue: opts.MaxBytes / 8}, nil
}

// Get returns the stored bytes, which the caller must not modify.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	it, ok := s.get(key)
	if !ok {
		return nil, hoard.ErrNotFound
	}
	return it.value, nil
}

// readSample is how many reads there are for each one the eviction policy
// hears of.
const readSample = 8

// get returns key's item. One read in readSample, at random, is recorded
// for the eviction policy (W-TinyLFU counts how often keys are read, and
// orders its segments by recency): recording every read costs a hit more
// than the lookup itself, while a sample still ranks a key read a thousand
// times far above one read once. The rest are quiet reads.
func (s *Store) get(key string) (*item, bool) {
	if rand.Uint32()%readSample == 0 {
		return s.cache.GetIfPresent(key)
	}
	e, ok := s.cache.GetEntryQuietly(key)
	return e.Value, ok
}

// GetMemo is Get, also returning the value's memo, in which hoard keeps the
// value decoded.
func (s *Store) GetMemo(ctx context.Context, key string) ([]byte, *hoard.Memo, error) {
	if err := s.check(ctx); err != nil {
		return nil, nil, err
	}
	it, ok := s.get(key)
	if !ok {
		return nil, nil, hoard.ErrNotFound
	}
	return it.value, &it.memo, nil
}

// GetMulti returns the stored values of the keys present.
func (s *Store) GetMulti(ctx context.Context, keys []string) (map[string][]byte, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if it, ok := s.get(k); ok {
			out[k] = it.value
		}
	}
	return out, nil
}

// Set stores a copy of value. ttl <= 0 stores without expiry.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if int64(len(value)) > s.maxValue {
		return fmt.Errorf("memory: %d-byte value over the %d-byte entry limit: %w", len(value), s.maxValue, hoard.ErrTooLarge)
	}
	s.cache.Set(key, &item{value: bytes.Clone(value), ttl: max(ttl, 0)})
	return nil
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
