package hoardredis

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync/atomic"
	"time"
	"unsafe"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"
)

// Client is the part of a go-redis client the Store uses. Every
// [redis.UniversalClient] satisfies it: *redis.Client (standalone or
// Sentinel), *redis.ClusterClient and *redis.Ring.
type Client interface {
	Process(ctx context.Context, cmd redis.Cmder) error
	EvalSha(ctx context.Context, sha1 string, keys []string, args ...any) *redis.Cmd
	Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd
	Unlink(ctx context.Context, keys ...string) *redis.IntCmd
	Pipeline() redis.Pipeliner
}

// maxValueLen is the largest value a Redis string holds (512 MiB) less the
// generation header.
const maxValueLen = 512<<20 - genLen

// Store is a [hoard.Backend] on Redis. It is safe for concurrent use.
type Store struct {
	client Client
	owned  io.Closer // the client, when New created it
	layout keyLayout
	closed atomic.Bool
}

// The cache bounds each call with a context deadline, which go-redis
// honours (see ContextTimeoutEnabled). go-redis's own timeouts each bound
// one step, not a command: the wait for a pooled connection, a dial and its
// handshake round trips, a write, a read (relaxed during server
// maintenance), and again on a retry. Their sum is seconds with the
// defaults, and is not a bound go-redis promises.
var (
	_ hoard.Backend          = (*Store)(nil)
	_ hoard.NamespaceClearer = (*Store)(nil)
	_ io.Closer              = (*Store)(nil)
)

// New connects to Redis as opts describe and checks, within ctx, that the
// server answers and holds the store's script. The Store owns the client:
// Close closes it.
func New(ctx context.Context, opts Options) (*Store, error) {
	cfg, err := opts.storeConfig()
	if err != nil {
		return nil, err
	}
	client, err := opts.newClient()
	if err != nil {
		return nil, err
	}
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("hoardredis: ping: %w", err)
	}
	// Loading the script up front (on every Cluster master) keeps even the
	// first store a single round trip, and reports a server that refuses
	// scripts now rather than on every store.
	if err := client.ScriptLoad(ctx, setScriptSrc).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("hoardredis: load script: %w", err)
	}
	s := newStore(client, cfg)
	s.owned = client
	return s, nil
}

// NewFromClient returns a Store on a client the caller already has; it does
// no I/O. Only opts.KeyPrefix and opts.NamespaceShards are used; the
// connection fields are ignored. Close does not close the client.
//
// Set ContextTimeoutEnabled in the client's options: without it go-redis
// bounds socket reads by ReadTimeout only, not by the context's deadline.
func NewFromClient(client Client, opts Options) (*Store, error) {
	if client == nil {
		return nil, invalidOption("nil client")
	}
	cfg, err := opts.storeConfig()
	if err != nil {
		return nil, err
	}
	return newStore(client, cfg), nil
}

func newStore(client Client, cfg storeConfig) *Store {
	return &Store{client: client, layout: keyLayout{prefix: cfg.keyPrefix, shards: cfg.shards}}
}

// Get returns the value stored under key, or [hoard.ErrNotFound]. A hit
// or a miss is one MGET of the entry and its namespace generation. The
// returned slice must not be modified.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.usable(ctx); err != nil {
		return nil, fmt.Errorf("hoardredis: get: %w", err)
	}
	entry, gen, err := s.layout.keys(key)
	if err != nil {
		return nil, err
	}
	cmd := newMGet(ctx, entry, gen)
	if err := s.client.Process(ctx, cmd); err != nil {
		return nil, translate(ctx, "get", err)
	}
	return current(cmd.Val())
}

// newMGet returns "MGET entry gen" read as a []string reply: go-redis then
// keeps each value as a plain string, where the []any reply of go-redis's
// MGet boxes each one again (and MGet takes its keys as a slice of their own).
// A missing key reads as "", which [current] treats as a miss.
func newMGet(ctx context.Context, entry, gen string) *redis.StringSliceCmd {
	return redis.NewStringSliceCmd(ctx, "mget", entry, gen)
}

// current returns the value of an MGET [entry, generation] reply when the
// entry was written under the current generation, else [hoard.ErrNotFound].
// A missing key is "" in the reply. A cleared entry stays until its TTL
// ends or the next Set overwrites it.
func current(vals []string) ([]byte, error) {
	if len(vals) != 2 {
		return nil, fmt.Errorf("hoardredis: MGET returned %d values, want 2", len(vals))
	}
	if v, ok := underGeneration(vals[0], vals[1]); ok {
		return v, nil
	}
	return nil, hoard.ErrNotFound
}

// underGeneration returns the value in entry v (as MGET read it) when it
// was written under generation g; a missing key is "". The value is never
// nil, even when empty.
func underGeneration(v, g string) ([]byte, bool) {
	if len(g) != genLen || len(v) < genLen || v[:genLen] != g {
		return nil, false
	}
	// No copy: go-redis allocates every bulk reply afresh, and the Backend
	// contract makes the result read-only.
	return unsafe.Slice(unsafe.StringData(v), len(v))[genLen:len(v):len(v)], true
}

// Set stores value under key for ttl (ttl <= 0: no expiry), behind the
// namespace's current generation: one EVALSHA.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.usable(ctx); err != nil {
		return fmt.Errorf("hoardredis: set: %w", err)
	}
	if len(value) > maxValueLen {
		return fmt.Errorf("hoardredis: set %q: %w: %d bytes, Redis holds at most %d", key, hoard.ErrTooLarge, len(value), maxValueLen)
	}
	entry, gen, err := s.layout.keys(key)
	if err != nil {
		return err
	}
	var ms int64
	if ttl > 0 {
		ms = int64((ttl + time.Millisecond - 1) / time.Millisecond) // round up: never 0
	}
	keys, args := []string{entry, gen}, []any{value, ms, newGeneration()}
	err = s.client.EvalSha(ctx, setScriptSHA, keys, args...).Err()
	if isNoScript(err) {
		// This node lost its script cache (restart, failover): EVAL loads
		// it again.
		err = s.client.Eval(ctx, setScriptSrc, keys, args...).Err()
	}
	if err != nil {
		return translate(ctx, "set", err)
	}
	return nil
}

// Delete removes key; a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.usable(ctx); err != nil {
		return fmt.Errorf("hoardredis: delete: %w", err)
	}
	entry, _, err := s.layout.keys(key)
	if err != nil {
		return err
	}
	if err := s.client.Unlink(ctx, entry).Err(); err != nil {
		return translate(ctx, "delete", err)
	}
	return nil
}

// ClearNamespace makes every key of namespace ns ("prefix:namespace") a
// miss for every process at once, by replacing the namespace's generation:
// one SET per shard, sent as one pipeline. It never scans the keyspace; the
// cleared entries are reclaimed by their TTL, by being overwritten, or when
// a Get finds them stale.
func (s *Store) ClearNamespace(ctx context.Context, ns string) error {
	if err := s.usable(ctx); err != nil {
		return fmt.Errorf("hoardredis: clear: %w", err)
	}
	keys, err := s.layout.generationKeys(ns)
	if err != nil {
		return err
	}
	pipe := s.client.Pipeline()
	for _, k := range keys {
		pipe.Set(ctx, k, newGeneration(), 0)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return translate(ctx, "clear "+ns, err)
	}
	return nil
}

// Close makes every later call return [hoard.ErrClosed] and closes the
// client if New created it. Closing twice is harmless.
func (s *Store) Close() error {
	if s.closed.Swap(true) || s.owned == nil {
		return nil
	}
	if err := s.owned.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("hoardredis: close: %w", err)
	}
	return nil
}

// RedisKeys returns the Redis keys that hold key: the entry, and the
// generation key of its namespace shard. It is meant for debugging and
// tooling (redis-cli); the layout is described in the package
// documentation.
func (s *Store) RedisKeys(key string) (entry, generation string, err error) {
	return s.layout.keys(key)
}

func (s *Store) usable(ctx context.Context) error {
	if s.closed.Load() {
		return hoard.ErrClosed
	}
	return ctx.Err()
}

// newGeneration returns 8 random bytes. They only need to be unique, not
// secret: a repeated generation could revive entries cleared long ago.
func newGeneration() []byte {
	b := make([]byte, genLen)
	binary.LittleEndian.PutUint64(b, rand.Uint64())
	return b
}

// translate maps a go-redis error to hoard's errors at the boundary.
func translate(ctx context.Context, op string, err error) error {
	switch {
	case errors.Is(err, redis.Nil):
		return hoard.ErrNotFound
	case errors.Is(err, redis.ErrClosed):
		return fmt.Errorf("hoardredis: %s: %w", op, hoard.ErrClosed)
	}
	// A deadline hit mid-read surfaces as a net timeout, possibly before the
	// context's own timer fires; keep the context's error visible to
	// errors.Is as well.
	cerr := ctx.Err()
	if dl, ok := ctx.Deadline(); cerr == nil && ok && !time.Now().Before(dl) && isTimeout(err) {
		cerr = context.DeadlineExceeded
	}
	if cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("hoardredis: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("hoardredis: %s: %w", op, err)
}

func isNoScript(err error) bool {
	return errors.Is(err, redis.ErrNoScript) || redis.HasErrorPrefix(err, "NOSCRIPT")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
