package tiered

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/memo"
	"github.com/hoard-go/hoard/core/internal/multiget"
	"github.com/hoard-go/hoard/core/memory"
)

// DefaultMaxAge bounds how long a local copy lives unless Options.MaxAge
// says otherwise: the worst staleness when invalidations are missed.
const DefaultMaxAge = 5 * time.Second

// Options configures a Store.
type Options struct {
	// Remote is the shared backend. Required.
	Remote hoard.Backend
	// Bus carries invalidations between the processes sharing Remote
	// (hoardredis.NewBus). Without one, local copies live MaxAge at most.
	Bus Bus
	// MaxAge bounds how long a local copy lives. Default DefaultMaxAge.
	MaxAge time.Duration
	// MaxBytes bounds the local tier (keys, values, per-entry overhead).
	// Default 64 MiB (memory.Options).
	MaxBytes int64
	// Now is the clock, for tests. Default time.Now.
	Now func() time.Time
}

// Bus carries invalidations between processes. Publish sends one to the
// others; Run delivers theirs until ctx ends and reports the channel's
// state: up(false) when it is lost (messages may be missed from then on),
// up(true) once it is (again) receiving. Run must call up(true) before
// delivering anything.
type Bus interface {
	Publish(ctx context.Context, m Message) error
	Run(ctx context.Context, deliver func(Message), up func(bool))
}

// Message is an invalidation: keys whose values changed, namespaces
// cleared. Origin names the process that sent it (its own messages come
// back to it and are ignored).
type Message struct {
	Origin     string
	Keys       []string
	Namespaces []string
}

// Stats are a Store's counters.
type Stats struct {
	LocalHits     uint64 // reads answered by the local tier
	RemoteReads   uint64 // reads that went to the remote backend
	Invalidations uint64 // messages from other processes applied
	Flushes       uint64 // times the local tier was emptied for a lost bus
	BusUp         bool   // invalidations are being received (true without a bus)
}

// Store is a hoard.Backend: a local memory tier over Options.Remote.
type Store struct {
	local  *memory.Store
	remote hoard.Backend
	bus    Bus
	maxAge time.Duration
	now    func() time.Time
	origin string

	up     atomic.Bool   // the local tier may be used
	invals atomic.Uint64 // invalidations applied: a read that saw one begin keeps nothing

	localHits, remoteReads, invalidations, flushes atomic.Uint64

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

var (
	_ hoard.Backend          = (*Store)(nil)
	_ hoard.NamespaceClearer = (*Store)(nil)
	_ hoard.MultiGetter      = (*Store)(nil)
	_ memo.Dropper           = (*Store)(nil)
	_ memo.Local             = (*Store)(nil)
)

// New returns a Store. With a Bus it starts receiving invalidations in
// the background (stopped by Close); until the bus is up, reads go to the
// remote backend. ctx bounds nothing after New returns.
func New(ctx context.Context, opts Options) (*Store, error) {
	if opts.Remote == nil {
		return nil, fmt.Errorf("%w: tiered: Remote is required", hoard.ErrInvalidOption)
	}
	if opts.MaxAge < 0 {
		return nil, fmt.Errorf("%w: tiered: MaxAge %v is negative", hoard.ErrInvalidOption, opts.MaxAge)
	}
	if opts.MaxAge == 0 {
		opts.MaxAge = DefaultMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	local, err := memory.New(memory.Options{MaxBytes: opts.MaxBytes, Now: opts.Now})
	if err != nil {
		return nil, fmt.Errorf("tiered: %w", err)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	s := &Store{local: local, remote: opts.Remote, bus: opts.Bus, maxAge: opts.MaxAge, now: opts.Now,
		origin: hex.EncodeToString(id[:]), done: make(chan struct{})}
	if s.bus == nil {
		s.up.Store(true)
		close(s.done)
		return s, nil
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	go func() {
		defer close(s.done)
		s.bus.Run(rctx, s.deliver, s.setUp)
	}()
	return s, nil
}

// deliver applies another process's invalidation.
func (s *Store) deliver(m Message) {
	if m.Origin == s.origin {
		return
	}
	s.invals.Add(1)
	ctx := context.Background()
	for _, k := range m.Keys {
		_ = s.local.Delete(ctx, k)
	}
	for _, ns := range m.Namespaces {
		_ = s.local.ClearNamespace(ctx, ns)
	}
	s.invalidations.Add(1)
}

// setUp follows the bus: lost, the local tier is emptied and bypassed;
// back, emptied again (what it missed is unknown) and used.
func (s *Store) setUp(up bool) {
	if up == s.up.Load() {
		return
	}
	if !up {
		s.up.Store(false)
	}
	s.invals.Add(1)
	_ = s.local.Clear(context.Background())
	s.flushes.Add(1)
	if up {
		s.up.Store(true)
	}
}

// GetLocal reads the local tier only (memo.Local).
func (s *Store) GetLocal(key string) ([]byte, *memo.Memo, bool) {
	if !s.up.Load() {
		return nil, nil, false
	}
	v, m, ok := s.local.GetFresh(key)
	if ok {
		s.localHits.Add(1)
	}
	return v, m, ok
}

// Get reads key, locally if it can.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if v, _, ok := s.GetLocal(key); ok {
		return v, nil
	}
	return s.getRemote(ctx, key)
}

// GetRemote is Get past the local tier, for a read the local tier missed
// (memo.Local): it reads the remote backend and keeps a local copy.
func (s *Store) GetRemote(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.getRemote(ctx, key)
}

// GetMemo is Get with the local copy's memo (memo.Getter); a value read
// from the remote backend has none yet.
func (s *Store) GetMemo(ctx context.Context, key string) ([]byte, *memo.Memo, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if v, m, ok := s.GetLocal(key); ok {
		return v, m, nil
	}
	v, err := s.getRemote(ctx, key)
	return v, nil, err
}

// Touch is the local tier's (memo.Dropper): its memos are dropped as its
// values leave it, invalidations included.
func (s *Store) Touch(key string) { s.local.Touch(key) }

// getRemote reads key from the remote backend and keeps a local copy.
func (s *Store) getRemote(ctx context.Context, key string) ([]byte, error) {
	gen := s.invals.Load()
	s.remoteReads.Add(1)
	v, err := s.remote.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	s.keep(ctx, key, v, gen)
	return v, nil
}

// keep stores a local copy of a value read remotely, unless an
// invalidation arrived since the read began (it may be older than what
// the invalidation announced) or the bus is down: for at most MaxAge and
// the value's own remaining lifetime.
func (s *Store) keep(ctx context.Context, key string, v []byte, gen uint64) {
	if !s.up.Load() || s.invals.Load() != gen {
		return
	}
	ttl := s.maxAge
	if exp := envelope.Expiry(v); exp != 0 {
		ttl = min(ttl, time.Duration(exp-s.now().UnixNano()))
	}
	if ttl > 0 {
		_ = s.local.Set(ctx, key, v, ttl)
	}
}

// GetMulti reads keys, those the local tier lacks from the remote backend
// in one batch where it can.
func (s *Store) GetMulti(ctx context.Context, keys []string) ([][]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	var missing []int
	for i, k := range keys {
		if v, _, ok := s.GetLocal(k); ok {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	gen := s.invals.Load()
	s.remoteReads.Add(1)
	rk := make([]string, len(missing))
	for j, i := range missing {
		rk[j] = keys[i]
	}
	vals, err := multiget.Get(ctx, s.remote, rk, hoard.ErrNotFound)
	if err != nil {
		return nil, err
	}
	for j, i := range missing {
		out[i] = vals[j]
		if vals[j] != nil {
			s.keep(ctx, keys[i], vals[j], gen)
		}
	}
	return out, nil
}

// Set writes to the remote backend, keeps the value locally and tells the
// other processes.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.remote.Set(ctx, key, value, ttl); err != nil {
		_ = s.local.Delete(ctx, key)
		return err
	}
	if s.up.Load() {
		local := s.maxAge
		if ttl > 0 {
			local = min(local, ttl)
		}
		_ = s.local.Set(ctx, key, value, local)
	}
	return s.publish(ctx, Message{Keys: []string{key}})
}

// Delete deletes from both tiers and tells the other processes.
func (s *Store) Delete(ctx context.Context, key string) error {
	_ = s.local.Delete(ctx, key)
	if err := s.remote.Delete(ctx, key); err != nil {
		return err
	}
	return s.publish(ctx, Message{Keys: []string{key}})
}

// ClearNamespace clears ns in both tiers and tells the other processes.
// The remote backend must implement hoard.NamespaceClearer.
func (s *Store) ClearNamespace(ctx context.Context, ns string) error {
	nc, ok := s.remote.(hoard.NamespaceClearer)
	if !ok {
		return fmt.Errorf("tiered: remote backend %T cannot clear namespaces: %w", s.remote, errors.ErrUnsupported)
	}
	_ = s.local.ClearNamespace(ctx, ns)
	if err := nc.ClearNamespace(ctx, ns); err != nil {
		return err
	}
	return s.publish(ctx, Message{Namespaces: []string{ns}})
}

// publish sends m, as this process's. A failure leaves the others'
// copies to expire (MaxAge), and is returned.
func (s *Store) publish(ctx context.Context, m Message) error {
	if s.bus == nil {
		return nil
	}
	m.Origin = s.origin
	if err := s.bus.Publish(ctx, m); err != nil {
		return fmt.Errorf("tiered: publish invalidation: %w", err)
	}
	return nil
}

// Stats returns the Store's counters.
func (s *Store) Stats() Stats {
	return Stats{LocalHits: s.localHits.Load(), RemoteReads: s.remoteReads.Load(),
		Invalidations: s.invalidations.Load(), Flushes: s.flushes.Load(), BusUp: s.up.Load()}
}

// Close stops the bus and closes both tiers.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		<-s.done
		err = errors.Join(s.local.Close(), closeBackend(s.remote))
	})
	return err
}

func closeBackend(b hoard.Backend) error {
	if c, ok := b.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}
