package hoardmemcache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	hoard "github.com/hoard-go/hoard/core"
)

// Client is the part of *memcache.Client the Store uses. Any
// implementation must report misses, Add conflicts and server replies with
// gomemcache's errors (memcache.ErrCacheMiss, memcache.ErrNotStored, ...).
type Client interface {
	Get(key string) (*memcache.Item, error)
	GetMulti(keys []string) (map[string]*memcache.Item, error)
	Set(item *memcache.Item) error
	Add(item *memcache.Item) error
	Delete(key string) error
	Increment(key string, delta uint64) (uint64, error)
}

// Store is a hoard backend on memcached. It is safe for concurrent use.
type Store struct {
	c           Client
	own         *memcache.Client // built by New, so Close closes it
	maxItemSize int
	now         func() time.Time // for absolute expiry times; tests replace it
	closed      atomic.Bool
}

var (
	_ hoard.Backend          = (*Store)(nil)
	_ hoard.NamespaceClearer = (*Store)(nil)
	_ io.Closer              = (*Store)(nil)
	_ Client                 = (*memcache.Client)(nil)
)

// Misses that are not plain absences; built once so a miss does not
// allocate.
var (
	errClosed    = fmt.Errorf("hoardmemcache: %w", hoard.ErrClosed)
	errCleared   = fmt.Errorf("hoardmemcache: entry predates a namespace clear: %w", hoard.ErrNotFound)
	errCollision = fmt.Errorf("hoardmemcache: entry belongs to another key with the same hash: %w", hoard.ErrNotFound)
)

// New returns a Store on the given servers. It validates opts and does no
// I/O: connections are made by the first calls.
func New(opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	servers, err := newServerList(opts.Servers)
	if err != nil {
		return nil, err
	}
	c := memcache.NewFromSelector(servers)
	c.Timeout = opts.Timeout
	c.MaxIdleConns = opts.MaxIdleConns
	s := newStore(c, opts.MaxItemSize)
	s.own = c
	return s, nil
}

// NewFromClient returns a Store using a client the caller already has
// (usually a *memcache.Client). The caller keeps ownership: Close does not
// close it.
func NewFromClient(c Client, opts ClientOptions) (*Store, error) {
	if c == nil {
		return nil, fmt.Errorf("hoardmemcache: %w: nil client", hoard.ErrInvalidOption)
	}
	size, err := maxItemSize(opts.MaxItemSize)
	if err != nil {
		return nil, err
	}
	return newStore(c, size), nil
}

func newStore(c Client, maxItemSize int) *Store {
	return &Store{c: c, maxItemSize: maxItemSize, now: time.Now}
}

// Get returns the value stored under key, or an error wrapping
// hoard.ErrNotFound. A key in a namespace costs one round trip per server
// involved: the item and the namespace's generation are fetched together.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx, "get"); err != nil {
		return nil, err
	}
	mk, hashed := itemKey(key)
	ns, hasNS := namespaceOf(key)
	if !hasNS {
		raw, err := s.c.Get(mk)
		if err != nil {
			return nil, s.fail(ctx, "get", err)
		}
		return verify(raw, key, hashed, nil)
	}
	gk := genKey(ns)
	items, err := s.c.GetMulti([]string{gk, mk})
	if err != nil {
		return nil, s.fail(ctx, "get", err)
	}
	raw := items[mk]
	if raw == nil {
		return nil, hoard.ErrNotFound
	}
	gen := items[gk]
	if gen == nil {
		// The generation was never set or was evicted: every entry of the
		// namespace counts as cleared.
		return nil, errCleared
	}
	return verify(raw, key, hashed, gen)
}

// verify decodes raw, the item stored for key, and checks it was written
// for key under the namespace generation gen (nil: key has no namespace).
func verify(raw *memcache.Item, key string, hashed bool, gen *memcache.Item) ([]byte, error) {
	it, err := decodeItem(raw.Value)
	if err != nil {
		return nil, corrupt(err)
	}
	if it.hasKey != hashed || it.hasGen != (gen != nil) {
		return nil, corrupt(errors.New("item layout does not match its key"))
	}
	if hashed && string(it.key) != key {
		return nil, errCollision
	}
	if gen != nil {
		g, ok := parseGeneration(gen.Value)
		if !ok || g != it.gen {
			return nil, errCleared
		}
	}
	return it.value, nil
}

// Set stores value under key for ttl (<= 0: no expiry; sub-second TTLs
// round up to a second; over 30 days is sent as an absolute time). A key
// in a namespace costs two round trips: the generation, then the item.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.check(ctx, "set"); err != nil {
		return err
	}
	mk, hashed := itemKey(key)
	ns, hasNS := namespaceOf(key)
	n := itemLen(hasNS, key, hashed, len(value))
	if size := n + len(mk) + itemOverhead; size > s.maxItemSize {
		return fmt.Errorf("hoardmemcache: set: item of %d bytes (value %d) exceeds MaxItemSize %d: %w",
			size, len(value), s.maxItemSize, hoard.ErrTooLarge)
	}
	var gen uint64
	if hasNS {
		var err error
		if gen, err = s.generation(ctx, ns); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil { // the caller gave up during the first round trip
			return fmt.Errorf("hoardmemcache: set: %w", err)
		}
	}
	buf := appendItem(make([]byte, 0, n), gen, hasNS, key, hashed, value)
	err := s.c.Set(&memcache.Item{Key: mk, Value: buf, Expiration: expiration(ttl, s.now())})
	if err != nil {
		return s.fail(ctx, "set", err)
	}
	return nil
}

// Delete removes key. A missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx, "delete"); err != nil {
		return err
	}
	mk, _ := itemKey(key)
	if err := s.c.Delete(mk); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		return s.fail(ctx, "delete", err)
	}
	return nil
}

// Close marks the Store closed; later calls return hoard.ErrClosed. A
// Store built by New also closes its idle connections; a client given to
// NewFromClient is left alone.
func (s *Store) Close() error {
	if s.closed.Swap(true) || s.own == nil {
		return nil
	}
	return s.own.Close()
}

// check runs before any I/O. gomemcache takes no context, so a context
// that is already done is the one thing a call can honour up front; a
// call under way is bounded by the client's Timeout instead.
func (s *Store) check(ctx context.Context, op string) error {
	if s.closed.Load() {
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hoardmemcache: %s: %w", op, err)
	}
	return nil
}

// fail translates a driver error. When ctx ended while the call ran, the
// context's error leads, so callers see why they gave up.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if s.own != nil && connectionLost(err) {
		// A restarted server leaves every idle connection dead, and
		// gomemcache finds out one call (one breaker probe) at a time:
		// drop them all at once. The client stays usable.
		_ = s.own.Close()
	}
	switch {
	case errors.Is(err, memcache.ErrCacheMiss):
		return hoard.ErrNotFound
	case ctx.Err() != nil:
		return fmt.Errorf("hoardmemcache: %s: %w (%w)", op, ctx.Err(), err)
	case isTooLarge(err):
		return fmt.Errorf("hoardmemcache: %s: %w: %w", op, hoard.ErrTooLarge, err)
	}
	return fmt.Errorf("hoardmemcache: %s: %w", op, err)
}

// connectionLost reports errors that mean the server closed or reset the
// connection (it restarted or died).
func connectionLost(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
