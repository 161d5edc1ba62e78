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
	var e envelope.Entry
	_, took, err := c.lookupUndecided(ctx, key, envelope.KindValue, &e, c.cfg.nowNano())
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := decodeValue[T](c, key, e.Body, codec)
	if err != nil {
		return v, c.corruptMiss(ctx, key, fmt.Errorf("hoard: decode %q: %w", key, err))
	}
	c.observe(ctx, Event{Kind: EventHit, Op: "get", Key: key, Duration: took})
	return v, nil
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
	b, err := cc.codec.Marshal(v)
	if err != nil {
		return fmt.Errorf("hoard: encode %q: %w", key, err)
	}
	return c.store(ctx, c.Key(key), &envelope.Entry{Kind: envelope.KindValue, Body: b}, ttl)
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
	return remember(ctx, c, c.Key(key), ttl, cc, load)
}

func remember[T any](ctx context.Context, c *Cache, key string, ttl time.Duration, cc callConfig, load func(context.Context) (T, error)) (T, error) {
	if v, err := getValue[T](ctx, c, key, cc.codec); err == nil {
		return v, nil
	} else if ctx.Err() != nil {
		var zero T
		return zero, ctx.Err()
	}

	// Callers of one key share a load only when they want the same type:
	// another type's result cannot be handed to them.
	ch := c.flights.DoChan(key+"\x00"+reflect.TypeFor[T]().String(), func() (any, error) {
		v, err := load(ctx)
		if err != nil {
			c.observe(ctx, Event{Kind: EventError, Op: "load", Key: key, Err: err})
			return v, err
		}
		if cc.skipEmpty && isEmpty(v) {
			return v, nil
		}
		b, err := cc.codec.Marshal(v)
		if err != nil {
			c.observe(ctx, Event{Kind: EventError, Op: "encode", Key: key, Err: err})
			return v, nil
		}
		// The result is stored even if the caller that ran load has gone:
		// the others waiting on it, and the next callers, still want it.
		_ = c.store(context.WithoutCancel(ctx), key, &envelope.Entry{Kind: envelope.KindValue, Body: b}, ttl)
		return v, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil && isContextErr(r.Err) && ctx.Err() == nil && r.Shared {
			// The caller that ran load gave up, not this one: load again,
			// on this caller's context.
			return load(ctx)
		}
		v, ok := r.Val.(T)
		if !ok && r.Val != nil {
			// Two types with one name (in two packages) shared the load.
			return load(ctx)
		}
		return v, r.Err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
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
