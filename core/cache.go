package hoard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/memo"
)

// Cache stores values, function results and HTTP responses in a [Backend].
// It is safe for concurrent use. Views made by [Cache.Namespace] share the
// backend, breaker and in-flight loads of the Cache they come from.
type Cache struct {
	*shared
	namespace string
	nsErr     error // a bad namespace given to Namespace, reported on use
}

// shared is what every namespace view of one Cache has in common.
type shared struct {
	backend   Backend
	inProcess bool
	memos     memo.Getter  // a backend that keeps memos, or nil
	local     memo.Local   // a backend with a local tier, or nil
	droppers  memo.Dropper // memos as a memo.Dropper, or nil
	cfg       config
	logger    *slog.Logger
	tracer    Tracer   // the observer, when it is a Tracer
	breaker   *breaker // nil when disabled or for in-process backends
	flights   singleflight.Group
	counters  counters
	values    valueMemos // decoded function results, see decodeValue
	refreshes refreshTable
}

// New returns a Cache over backend. Options are checked here: a bad option
// is an error now, never a failure at request time.
func New(backend Backend, opts ...Option) (*Cache, error) {
	if backend == nil {
		return nil, fmt.Errorf("%w: backend is nil", ErrInvalidOption)
	}
	cfg := config{
		prefix:          DefaultPrefix,
		namespace:       defaultNamespace,
		ttl:             DefaultTTL,
		codec:           JSON,
		timeout:         DefaultTimeout,
		now:             wallNow,
		breakerFailures: DefaultBreakerFailures,
		breakerCooldown: DefaultBreakerCooldown,
		refreshes:       DefaultBackgroundRefreshes,
		logger:          slog.Default(),
	}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		o.applyCache(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.nowNano = wallNowNano
	if cfg.ownClock {
		now := cfg.now
		cfg.nowNano = func() int64 { return now().UnixNano() }
	}
	s := &shared{backend: backend, cfg: cfg, logger: cfg.logger}
	s.refreshes.max = cfg.refreshes
	s.tracer, _ = cfg.observer.(Tracer)
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if ip, ok := backend.(memo.InProcess); ok && ip.InProcess() {
		s.inProcess = true
	}
	// Memos come with the memory store, alone or as the local tier of a
	// remote backend (package tiered), which is read first, outside the
	// operation timeout.
	s.memos, _ = backend.(memo.Getter)
	s.droppers, _ = backend.(memo.Dropper)
	s.local, _ = backend.(memo.Local)
	if cfg.breakerFailures > 0 && !s.inProcess {
		s.breaker = &breaker{threshold: uint32(cfg.breakerFailures), cooldown: cfg.breakerCooldown, now: cfg.now}
	}
	return &Cache{shared: s, namespace: cfg.namespace}, nil
}

// Namespace returns a view of c whose keys live in namespace ns: clearing
// ns with [Cache.Clear] drops them all. An invalid ns (see [ValidateName])
// makes every operation of the view fail with [ErrInvalidKey].
func (c *Cache) Namespace(ns string) *Cache {
	return &Cache{shared: c.shared, namespace: ns, nsErr: ValidateName(ns)}
}

// Backend returns the backend the cache stores in.
func (c *Cache) Backend() Backend { return c.backend }

// BreakerState returns the circuit breaker's state: "closed", "open",
// "half-open", or "disabled".
func (c *Cache) BreakerState() string {
	if c.breaker == nil {
		return "disabled"
	}
	return c.breaker.state()
}

// Key returns the backend key for id in c's namespace.
func (c *Cache) Key(id string) string { return JoinKey(c.cfg.prefix, c.namespace, id) }

// Get returns the bytes stored under key, or an error wrapping ErrNotFound
// for a miss (absent, expired or corrupt). A backend failure is returned as
// an error that is not ErrNotFound; the returned slice is the caller's.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, error) {
	if c.nsErr != nil {
		return nil, c.nsErr
	}
	var e envelope.Entry
	if err := c.lookup(ctx, c.Key(key), envelope.KindValue, &e); err != nil {
		return nil, err
	}
	return bytes.Clone(e.Body), nil
}

// Set stores value under key for ttl (0: the default TTL; [NoExpiry]: no
// expiry; any other negative ttl is an error wrapping [ErrInvalidOption]).
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if c.nsErr != nil {
		return c.nsErr
	}
	if err := checkTTL(ttl); err != nil {
		return err
	}
	return c.store(ctx, c.Key(key), &envelope.Entry{Kind: envelope.KindValue, Body: value}, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if c.nsErr != nil {
		return c.nsErr
	}
	k := c.Key(key)
	_, err := c.call(ctx, "delete", k, func(ctx context.Context) error { return c.backend.Delete(ctx, k) })
	if err != nil {
		return fmt.Errorf("hoard: delete %q: %w", key, err)
	}
	return nil
}

// Clear drops every entry of c's own namespace (a view's, see
// [Cache.Namespace]; the Cache's WithNamespace otherwise), for every
// process sharing the backend. The backend must implement
// [NamespaceClearer].
func (c *Cache) Clear(ctx context.Context) error {
	if c.nsErr != nil {
		return c.nsErr
	}
	return c.ClearNamespace(ctx, c.namespace)
}

// ClearNamespace drops every entry of namespace ns (in c's prefix), whatever
// namespace c itself is a view of, for every process sharing the backend.
// The backend must implement [NamespaceClearer].
func (c *Cache) ClearNamespace(ctx context.Context, ns string) error {
	if err := ValidateName(ns); err != nil {
		return err
	}
	nc, ok := c.backend.(NamespaceClearer)
	if !ok {
		return fmt.Errorf("hoard: backend %T cannot clear namespaces: %w", c.backend, errors.ErrUnsupported)
	}
	full := c.cfg.prefix + ":" + ns
	_, err := c.call(ctx, "clear", full, func(ctx context.Context) error { return nc.ClearNamespace(ctx, full) })
	if err != nil {
		return fmt.Errorf("hoard: clear namespace %q: %w", ns, err)
	}
	return nil
}

// Close closes the backend when it implements [io.Closer].
func (c *Cache) Close() error {
	if cl, ok := c.backend.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// ttlFor resolves a caller's TTL: 0 is the default, NoExpiry is none.
func (c *Cache) ttlFor(ttl time.Duration) time.Duration {
	if ttl == 0 {
		ttl = c.cfg.ttl
	}
	if ttl < 0 {
		return 0
	}
	return ttl
}

// lookup fetches key and decodes it into e; e's slices then alias the
// backend's bytes, which are read-only. Misses, expiry and corrupt
// entries return errors wrapping ErrNotFound; backend failures return other
// errors. Every outcome is reported to the observer.
func (c *Cache) lookup(ctx context.Context, key string, kind envelope.Kind, e *envelope.Entry) error {
	_, err := c.lookupAt(ctx, key, kind, e, c.cfg.nowNano())
	return err
}

// lookupAt is lookup with the current time given, for callers that need
// the same instant again (the HTTP engine computes Age from it). When the
// backend keeps memos it returns the entry's memo, whose entry is the one
// found, and e is left alone.
func (c *Cache) lookupAt(ctx context.Context, key string, kind envelope.Kind, e *envelope.Entry, now int64) (*memo.Decoded, error) {
	d, took, local, err := c.lookupUndecided(ctx, key, kind, e, now)
	if err == nil {
		c.observe(ctx, Event{Kind: EventHit, Op: hitOp(local), Key: key, Duration: took})
	}
	return d, err
}

// hitOp is a hit's Op: "get-local" when a backend's local tier (package
// tiered) answered it.
func hitOp(local bool) string {
	if local {
		return "get-local"
	}
	return "get"
}

// lookupUndecided is lookupAt that reports a miss but leaves a found entry
// unreported: a function value that its codec cannot decode is a miss
// (corruptMiss), and is not a hit as well. The caller reports the hit,
// with the lookup's duration.
func (c *Cache) lookupUndecided(ctx context.Context, key string, kind envelope.Kind, e *envelope.Entry, now int64) (*memo.Decoded, time.Duration, bool, error) {
	_, d, took, local, err := c.fetch(ctx, key, kind, e, now)
	if err != nil {
		var cause error
		if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt) {
			cause = err
		}
		if errors.Is(err, ErrCorrupt) {
			c.observe(ctx, Event{Kind: EventError, Op: "decode", Key: key, Err: err})
		}
		c.observe(ctx, Event{Kind: EventMiss, Op: "get", Key: key, Err: cause, Duration: took})
		return nil, took, false, err
	}
	return d, took, local, nil
}

// recheck is lookupAt for a request whose miss was already reported: a
// second miss is not reported again. It returns the raw envelope (for the
// waiters of a flight), or nil, and the memo as lookupAt does.
func (c *Cache) recheck(ctx context.Context, key string, kind envelope.Kind, e *envelope.Entry, now int64) ([]byte, *memo.Decoded) {
	raw, d, took, local, err := c.fetch(ctx, key, kind, e, now)
	if err != nil {
		return nil, nil
	}
	c.observe(ctx, Event{Kind: EventHit, Op: hitOp(local), Key: key, Duration: took})
	return raw, d
}

// fetch reads key and decodes it into e, reporting nothing. Misses,
// expiry and corrupt entries return errors wrapping ErrNotFound (corrupt
// ones also ErrCorrupt); backend failures return other errors. HTTP
// entries of a backend that keeps memos are decoded once per stored value
// and not copied: the memo is returned, and e is used only to decode a
// value the memo does not hold yet.
func (c *Cache) fetch(ctx context.Context, key string, kind envelope.Kind, e *envelope.Entry, now int64) (raw []byte, d *memo.Decoded, took time.Duration, local bool, err error) {
	var m *memo.Memo
	if c.local != nil {
		raw, m, local = c.local.GetLocal(key)
	}
	if !local {
		took, err = c.call(ctx, "get", key, func(ctx context.Context) error {
			var err error
			switch {
			case c.local != nil:
				raw, err = c.local.GetRemote(ctx, key) // the local tier missed just now
			case c.memos != nil && kind == envelope.KindHTTP:
				raw, m, err = c.memos.GetMemo(ctx, key)
			default:
				raw, err = c.backend.Get(ctx, key)
			}
			return err
		})
		if err != nil {
			return nil, nil, took, false, err
		}
	}
	if kind != envelope.KindHTTP {
		m = nil // values are decoded into e (their memo is decodeValue's)
	}
	if m != nil {
		d = m.Load(raw)
	}
	found := e
	if d != nil {
		found = &d.Entry
	} else if err := envelope.Decode(raw, e); err != nil {
		return nil, nil, took, false, fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	if found.Kind != kind && !(kind == envelope.KindHTTP && found.Kind == envelope.KindVary) || string(found.Key) != key {
		return nil, nil, took, false, errForeignEntry
	}
	if m != nil && d == nil {
		d = m.Keep(raw, e)
	}
	if found.Expires != 0 && now >= found.Expires {
		return nil, nil, took, false, errExpired
	}
	if len(found.Tags) > 0 {
		valid, staleAt := c.checkTags(ctx, key, found.Tags, now)
		if !valid {
			return nil, nil, took, false, errTagInvalidated
		}
		if staleAt > 0 {
			// Softly invalidated: stale from then on. A memo's entry is
			// shared and never changed: the request gets a copy.
			if d != nil {
				*e, d = d.Entry, nil
			}
			if e.FreshUntil == 0 || staleAt < e.FreshUntil {
				e.FreshUntil = staleAt
			}
		}
	}
	return raw, d, took, local, nil
}

var (
	errExpired        = fmt.Errorf("%w: expired", ErrNotFound)
	errTagInvalidated = fmt.Errorf("%w: a tag it carries was invalidated", ErrNotFound)
	errForeignEntry   = fmt.Errorf("%w: %w: entry belongs to another key", ErrNotFound, ErrCorrupt)
)

func nop() {}

// corruptMiss reports an undecodable entry and returns it as a miss. The
// entry is left for the next store to overwrite: deleting it here would
// cost a round trip on a path that is already a miss.
func (c *Cache) corruptMiss(ctx context.Context, key string, err error) error {
	c.observe(ctx, Event{Kind: EventError, Op: "decode", Key: key, Err: err})
	c.observe(ctx, Event{Kind: EventMiss, Op: "get", Key: key, Err: err})
	return fmt.Errorf("%w: %w", ErrNotFound, err)
}

// store encodes e and writes it under key.
func (c *Cache) store(ctx context.Context, key string, e *envelope.Entry, ttl time.Duration) error {
	buf, ttl := c.encode(key, e, ttl, 0)
	return c.put(ctx, key, buf, ttl)
}

// encode stamps e with key, creation and expiry times (and, when fresh is
// positive, the time it turns stale) and returns its envelope and the
// resolved backend TTL (0 = no expiry).
func (c *Cache) encode(key string, e *envelope.Entry, ttl, fresh time.Duration) ([]byte, time.Duration) {
	ttl = c.ttlFor(ttl)
	now := c.cfg.now()
	e.Key = []byte(key)
	e.Created = now.UnixNano()
	e.Expires = 0
	if ttl > 0 {
		e.Expires = now.Add(ttl).UnixNano()
	}
	e.FreshUntil = 0
	if fresh > 0 {
		e.FreshUntil = e.Created + int64(fresh)
	}
	return envelope.Append(make([]byte, 0, e.EncodedLen()), e), ttl
}

// put writes an encoded envelope.
func (c *Cache) put(ctx context.Context, key string, buf []byte, ttl time.Duration) error {
	took, err := c.call(ctx, "set", key, func(ctx context.Context) error { return c.backend.Set(ctx, key, buf, ttl) })
	if err != nil {
		return fmt.Errorf("hoard: store %q: %w", key, err)
	}
	c.observe(ctx, Event{Kind: EventStore, Op: "set", Key: key, Duration: took})
	return nil
}

// call runs one backend operation under the operation timeout and the
// circuit breaker. Failures other than a miss are logged and reported.
// With an observer it also returns how long the operation took (0
// otherwise), and with a Tracer it runs the operation in the tracer's span.
func (c *Cache) call(ctx context.Context, op, key string, fn func(context.Context) error) (time.Duration, error) {
	if c.cfg.observer == nil {
		return 0, c.run(ctx, op, key, fn)
	}
	var end func(error)
	if c.tracer != nil {
		ctx, end = c.tracer.Trace(ctx, op, key)
	}
	start := time.Now()
	err := c.run(ctx, op, key, fn)
	took := time.Since(start)
	if end != nil {
		end(err)
	}
	return took, err
}

// run is call without the timing.
func (c *Cache) run(ctx context.Context, op, key string, fn func(context.Context) error) error {
	if c.inProcess {
		// No timeout or breaker in process, but a failure (a value over the
		// store's limit, a closed store) is still reported like any other.
		err := fn(ctx)
		if err != nil && !errors.Is(err, ErrNotFound) && ctx.Err() == nil {
			if !errors.Is(err, ErrTooLarge) {
				c.logger.LogAttrs(ctx, slog.LevelWarn, "hoard: backend operation failed",
					slog.String("op", op), slog.String("key", key), slog.Any("error", err))
			}
			c.observe(ctx, Event{Kind: EventError, Op: op, Key: key, Err: err})
		}
		return err
	}
	probe := false
	if c.breaker != nil {
		var ok bool
		if ok, probe = c.breaker.allow(); !ok {
			return ErrUnavailable
		}
	}
	opCtx, cancel := c.withTimeout(ctx)
	err := fn(opCtx)
	cancel()
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrTooLarge) {
		if c.breaker != nil && c.breaker.success(probe) {
			c.logger.LogAttrs(ctx, slog.LevelInfo, "hoard: backend recovered, circuit breaker closed")
			c.observe(ctx, Event{Kind: EventBreakerClose, Op: op})
		}
		if errors.Is(err, ErrTooLarge) {
			c.observe(ctx, Event{Kind: EventError, Op: op, Key: key, Err: err})
		}
		return err
	}
	if ctx.Err() != nil {
		// The caller gave up: not the backend's fault.
		if probe {
			c.breaker.probing.Store(false)
		}
		return err
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "hoard: backend operation failed",
		slog.String("op", op), slog.String("key", key), slog.Any("error", err))
	c.observe(ctx, Event{Kind: EventError, Op: op, Key: key, Err: err})
	if c.breaker != nil && c.breaker.failure(probe) {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "hoard: circuit breaker opened: backend skipped until the cool-down ends",
			slog.Duration("cooldown", c.cfg.breakerCooldown))
		c.observe(ctx, Event{Kind: EventBreakerOpen, Op: op})
	}
	return err
}

// withTimeout bounds ctx by the operation timeout, unless ctx already ends
// sooner.
func (c *Cache) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.cfg.timeout <= 0 {
		return ctx, nop
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= c.cfg.timeout {
		return ctx, nop
	}
	return context.WithTimeout(ctx, c.cfg.timeout)
}

func (c *Cache) observe(ctx context.Context, ev Event) {
	c.counters.add(ev.Kind)
	if o := c.cfg.observer; o != nil {
		o.Observe(ctx, ev)
	}
}
