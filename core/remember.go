package hoard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// CallOption changes one [Remember], [Wrap], [GetValue] or [SetValue]
// call.
type CallOption interface {
	applyCall(*callConfig)
}

type callOption func(*callConfig)

func (f callOption) applyCall(c *callConfig) { f(c) }

type callConfig struct {
	skipEmpty bool
	codec     Codec
	keyFunc   any // func(A) string, checked by Wrap
	tags      []string
	// Serving stale results (stale.go).
	staleWhileRevalidate, staleIfError, earlyRefresh, maxWait time.Duration
	err                                                       error // a bad option
}

// SkipEmpty leaves zero and empty results uncached (nil, "", 0, empty
// slices and maps, zero structs), so a transient "nothing yet" is loaded
// again next time.
func SkipEmpty() CallOption { return callOption(func(c *callConfig) { c.skipEmpty = true }) }

// KeyFunc makes [Wrap] derive each call's key from key(arg) instead of from
// the encoded argument. Its A must be the wrapped function's argument type.
func KeyFunc[A any](key func(A) string) CallOption {
	return callOption(func(c *callConfig) { c.keyFunc = key })
}

func (c *Cache) callConfig(opts []CallOption) callConfig {
	if len(opts) == 0 {
		// The common call: no options, and no config that escapes to them.
		return callConfig{codec: c.cfg.codec}
	}
	cc := callConfig{codec: c.cfg.codec}
	for _, o := range opts {
		if o != nil {
			o.applyCall(&cc)
		}
	}
	if cc.codec == nil {
		cc.codec = c.cfg.codec
	}
	for _, d := range [...]time.Duration{cc.staleWhileRevalidate, cc.staleIfError, cc.earlyRefresh, cc.maxWait} {
		if d < 0 && cc.err == nil {
			cc.err = fmt.Errorf("%w: negative duration %v in a call option", ErrInvalidOption, d)
		}
	}
	return cc
}

// GetValue decodes the value stored under key with the cache's codec. A miss
// returns an error wrapping [ErrNotFound].
func GetValue[T any](ctx context.Context, c *Cache, key string, opts ...CallOption) (T, error) {
	var v T
	if c.nsErr != nil {
		return v, c.nsErr
	}
	return getValue[T](ctx, c, c.Key(key), c.callConfig(opts).codec)
}

// getValue looks key up and decodes its value with codec. The lookup is a
// hit only once the value decodes: an undecodable value is a miss (an
// error wrapping ErrNotFound), not a hit and a miss.
func getValue[T any](ctx context.Context, c *Cache, key string, codec Codec) (T, error) {
	v, st, err := lookupValue[T](ctx, c, key, codec, c.cfg.nowNano())
	if err == nil && st.stale {
		// Kept past its TTL for callers that accept it stale (stale.go):
		// a miss to everyone else.
		c.observe(ctx, Event{Kind: EventMiss, Op: "get", Key: key, Duration: st.took})
		var zero T
		return zero, fmt.Errorf("%w: %q is past its TTL", ErrNotFound, key)
	}
	if err == nil {
		c.observe(ctx, Event{Kind: EventHit, Op: hitOp(st.local), Key: key, Duration: st.took})
	}
	return v, err
}

// lookupValue looks key up and decodes its value with codec, fresh or
// stale (st says which); a miss or an undecodable value is reported, a
// hit is not: the caller decides what the value is to it.
func lookupValue[T any](ctx context.Context, c *Cache, key string, codec Codec, now int64) (T, valueState, error) {
	var e envelope.Entry
	var st valueState
	_, took, local, err := c.lookupUndecided(ctx, key, envelope.KindValue, &e, now)
	st.took, st.local = took, local
	if err != nil {
		var zero T
		return zero, st, err
	}
	v, err := decodeValue[T](c, key, e.Body, codec)
	if err != nil {
		return v, st, c.corruptMiss(ctx, key, fmt.Errorf("hoard: decode %q: %w", key, err))
	}
	st.stored = e.Created
	if e.FreshUntil != 0 {
		if now >= e.FreshUntil {
			st.stale, st.staleFor = true, time.Duration(now-e.FreshUntil)
		} else {
			st.left = time.Duration(e.FreshUntil - now)
		}
	}
	return v, st, nil
}

// Decoded values. A hit on a remote backend brings the value's bytes anew
// each time, and decoding them is most of the hit's CPU time (JSON: about
// 10us for 1 KiB). So the Cache keeps the value it last decoded for a key,
// with the bytes it came from, and when a hit brings exactly those bytes
// again it hands out a deep copy instead of decoding. The bytes are still
// fetched, their generation and checksum checked, on every hit: the memo
// only ever stands in for the decoder. Callers never share mutable data:
// the memo keeps its own copy and each caller gets a fresh one.
//
// Only the JSON codec's values are kept (other codecs may decode values a
// copy cannot reproduce), only of types a copy reproduces exactly (see
// jsonCopier), and only values up to valueMemoMaxBytes, in valueMemoSlots
// slots picked by a hash of the key: a bounded amount of memory, without
// locks.
const (
	valueMemoSlots    = 256
	valueMemoMaxBytes = 8 << 10
)

// valueMemo is one decoded value. It never changes once published.
type valueMemo struct {
	key  string
	body []byte // the bytes decoded: the backend's, which are read-only
	val  any    // *T, never handed out
	cp   copier
}

type valueMemos [valueMemoSlots]atomic.Pointer[valueMemo]

// decodeValue decodes body, the value stored under key, into a new T, or
// copies the T decoded from the same bytes before.
func decodeValue[T any](c *Cache, key string, body []byte, codec Codec) (T, error) {
	var v T
	if _, ok := codec.(jsonCodec); !ok || len(body) > valueMemoMaxBytes {
		err := codec.Unmarshal(body, &v)
		return v, err
	}
	slot := &c.values[xxh3.HashString(key)%valueMemoSlots]
	if m := slot.Load(); m != nil && m.key == key && bytes.Equal(m.body, body) {
		if p, ok := m.val.(*T); ok && m.cp(reflect.ValueOf(&v).Elem(), reflect.ValueOf(p).Elem()) {
			return v, nil
		}
		var zero T
		v = zero
	}
	if err := codec.Unmarshal(body, &v); err != nil {
		return v, err
	}
	if cp := jsonCopier(reflect.TypeFor[T]()); cp != nil {
		p := new(T)
		if cp(reflect.ValueOf(p).Elem(), reflect.ValueOf(&v).Elem()) {
			slot.Store(&valueMemo{key: key, body: body, val: p, cp: cp})
		}
	}
	return v, nil
}

// SetValue encodes v with the cache's codec and stores it under key for ttl
// (0: the default TTL; [NoExpiry]: no expiry; any other negative ttl is an
// error wrapping [ErrInvalidOption]).
func SetValue[T any](ctx context.Context, c *Cache, key string, v T, ttl time.Duration, opts ...CallOption) error {
	if c.nsErr != nil {
		return c.nsErr
	}
	if err := checkTTL(ttl); err != nil {
		return err
	}
	cc := c.callConfig(opts)
	if cc.err != nil {
		return cc.err
	}
	b, err := cc.codec.Marshal(v)
	if err != nil {
		return fmt.Errorf("hoard: encode %q: %w", key, err)
	}
	return c.storeValue(ctx, c.Key(key), b, ttl, 0, cc.tags, c.cfg.nowNano())
}

// Remember returns the value cached under key, or runs load, caches its
// result for ttl (0: the default TTL; [NoExpiry]: no expiry) and returns
// it. Any other negative ttl is an error wrapping [ErrInvalidOption], and
// load does not run.
//
// Errors from load are returned and never cached. Concurrent calls that
// miss on the same key run load once and share its result. A failing or
// slow backend is a miss: load runs and its result is returned, and the
// failure goes to the observer and the log, not to the caller.
//
// Every call gets a value of its own, which it may change. With the JSON
// codec, a hit that brings the same bytes as the key's previous hit gets a
// deep copy of the value decoded then instead of decoding again (a few
// hundred recent values of up to 8 KiB are kept); types with their own
// UnmarshalJSON or UnmarshalText, other than time.Time, are always decoded.
func Remember[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, load func(context.Context) (T, error), opts ...CallOption) (T, error) {
	if c.nsErr != nil {
		var zero T
		return zero, c.nsErr
	}
	if err := checkTTL(ttl); err != nil {
		var zero T
		return zero, err
	}
	cc := c.callConfig(opts)
	if cc.err != nil {
		var zero T
		return zero, cc.err
	}
	return remember(ctx, c, c.Key(key), ttl, cc, load)
}

func remember[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, cc callConfig, load func(context.Context) (T, error)) (T, error) {
	var stale *T // a stale result to fall back on when load fails
	if !cc.servesStale() {
		if v, err := getValue[T](ctx, c, key, cc.codec); err == nil {
			return v, nil
		} else if ctx.Err() != nil {
			var zero T
			return zero, ctx.Err()
		}
	} else {
		v, st, err := lookupValue[T](ctx, c, key, cc.codec, c.cfg.nowNano())
		switch {
		case err != nil && ctx.Err() != nil:
			var zero T
			return zero, ctx.Err()
		case err != nil:
		case !st.stale:
			c.observe(ctx, Event{Kind: EventHit, Op: hitOp(st.local), Key: key, Duration: st.took})
			if cc.earlyRefresh > 0 && st.left < cc.earlyRefresh && refreshEarly(st.left, cc.earlyRefresh) {
				refreshValue(ctx, c, key, st.stored, ttl, cc, load)
			}
			return v, nil
		case st.staleFor < cc.staleWhileRevalidate:
			c.observe(ctx, Event{Kind: EventHit, Op: hitOp(st.local), Key: key, Duration: st.took})
			c.observe(ctx, Event{Kind: EventStale, Op: "get", Key: key})
			refreshValue(ctx, c, key, st.stored, ttl, cc, load)
			return v, nil
		case st.staleFor < cc.staleIfError:
			stale = &v
			c.observe(ctx, Event{Kind: EventMiss, Op: "get", Key: key, Duration: st.took})
		default:
			c.observe(ctx, Event{Kind: EventMiss, Op: "get", Key: key, Duration: st.took})
		}
	}

	// Callers of one key share a load only when they want the same type:
	// another type's result cannot be handed to them.
	ch := c.flights.DoChan(flightKey[T](key), func() (any, error) { return loadAndStore(ctx, c, key, ttl, cc, load) })
	var wait <-chan time.Time
	if cc.maxWait > 0 {
		t := time.NewTimer(cc.maxWait)
		defer t.Stop()
		wait = t.C
	}
	select {
	case r := <-ch:
		if r.Err != nil && isContextErr(r.Err) && ctx.Err() == nil && r.Shared {
			// The caller that ran load gave up, not this one: load again,
			// on this caller's context.
			return orStale(ctx, c, key, stale, load)
		}
		v, ok := r.Val.(T)
		if !ok && r.Val != nil {
			// Two types with one name (in two packages) shared the load.
			return orStale(ctx, c, key, stale, load)
		}
		return staleIfError(ctx, c, key, stale, v, r.Err)
	case <-wait:
		// Waited long enough for another caller's load: run our own.
		v, err := loadAndStore(ctx, c, key, ttl, cc, load)
		val, _ := v.(T) // nil for a nil interface result
		return staleIfError(ctx, c, key, stale, val, err)
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// flightKey is the flight of key's loads of a T.
func flightKey[T any](key string) string { return key + "\x00" + reflect.TypeFor[T]().String() }

// orStale runs load for a caller that could not use a shared result, and
// falls back on its stale result if load fails.
func orStale[T any](ctx context.Context, c *Cache, key string, stale *T, load func(context.Context) (T, error)) (T, error) {
	v, err := load(ctx)
	if err != nil && stale != nil {
		// Reported, as loadAndStore reports its load's errors: it is not
		// returned.
		c.observe(ctx, Event{Kind: EventError, Op: "load", Key: key, Err: err})
	}
	return staleIfError(ctx, c, key, stale, v, err)
}

// staleIfError returns v and err, or, when load failed (err) and the call
// has a stale result to fall back on, that result: stale-if-error, the
// error having gone to the observer.
func staleIfError[T any](ctx context.Context, c *Cache, key string, stale *T, v T, err error) (T, error) {
	if err != nil && stale != nil {
		c.observe(ctx, Event{Kind: EventStale, Op: "load", Key: key})
		return *stale, nil
	}
	return v, err
}

// loadAndStore runs load and stores its result for ttl (or what load
// chose with SetResultTTL), kept past it as long as cc's stale windows
// need. It returns the result as an any holding a T.
func loadAndStore[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, cc callConfig, load func(context.Context) (T, error)) (any, error) {
	ctl := &loadControl{}
	since := c.cfg.nowNano() // an invalidation from now on applies to this result
	v, err := load(context.WithValue(ctx, loadControlKey{}, ctl))
	if err != nil {
		c.observe(ctx, Event{Kind: EventError, Op: "load", Key: key, Err: err})
		return v, err
	}
	if ctl.skip || cc.skipEmpty && isEmpty(v) {
		return v, nil
	}
	if ctl.ttlSet {
		ttl = ctl.ttl
	}
	b, err := cc.codec.Marshal(v)
	if err != nil {
		c.observe(ctx, Event{Kind: EventError, Op: "encode", Key: key, Err: err})
		return v, nil
	}
	// The result is stored even if the caller that ran load has gone: the
	// others waiting on it, and the next callers, still want it.
	_ = c.storeValue(context.WithoutCancel(ctx), key, b, ttl, cc.keepStale(), cc.tags, since)
	return v, nil
}

// Wrap returns fn with its results cached for ttl (0: the default TTL).
// Each call's key is name plus the argument encoded with the codec (so
// equal arguments share an entry and pointers are followed, never printed),
// or [KeyFunc]'s result. An argument the codec cannot encode makes that
// call run fn uncached. Wrap fails only for bad options.
func Wrap[A, R any](c *Cache, name string, ttl time.Duration, fn func(context.Context, A) (R, error), opts ...CallOption) (func(context.Context, A) (R, error), error) {
	if c.nsErr != nil {
		return nil, c.nsErr
	}
	if fn == nil {
		return nil, fmt.Errorf("%w: Wrap of a nil function", ErrInvalidOption)
	}
	if err := checkTTL(ttl); err != nil {
		return nil, err
	}
	cc := c.callConfig(opts)
	if cc.err != nil {
		return nil, cc.err
	}
	var keyOf func(A) string
	if cc.keyFunc != nil {
		f, ok := cc.keyFunc.(func(A) string)
		if !ok {
			var a A
			return nil, fmt.Errorf("%w: KeyFunc takes %T, the wrapped function takes %T", ErrInvalidOption, cc.keyFunc, a)
		}
		keyOf = f
	}
	return func(ctx context.Context, arg A) (R, error) {
		var id string
		if keyOf != nil {
			id = name + "|" + keyOf(arg)
		} else {
			b, err := cc.codec.Marshal(arg)
			if err != nil {
				c.observe(ctx, Event{Kind: EventBypass, Op: "encode", Err: err})
				return fn(ctx, arg)
			}
			id = name + "|" + string(b)
		}
		return remember(ctx, c, c.Key(id), ttl, cc, func(ctx context.Context) (R, error) { return fn(ctx, arg) })
	}, nil
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// isEmpty reports zero values and empty slices, maps and strings.
func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.String, reflect.Array:
		return rv.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return rv.IsNil()
	}
	return rv.IsZero()
}
