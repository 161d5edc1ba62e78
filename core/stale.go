package hoard

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// Function results past their TTL (RFC 5861's ideas, for Remember and
// Wrap). A call that asks for it with these options gets a result kept
// past its TTL instead of waiting for load:
//
//   - StaleWhileRevalidate(d): up to d past its TTL the stale result is
//     returned at once and one background load (per key, and at most
//     WithBackgroundRefreshes per Cache) replaces it;
//   - StaleIfError(d): up to d past its TTL the stale result is returned
//     when load fails (the error goes to the observer);
//   - EarlyRefresh(d): in the last d of its TTL a call starts a
//     background load with a probability that grows from 0 to 1 as the
//     TTL runs out, so a hot key is replaced before it expires rather
//     than missed by everyone at once.
//
// The backend keeps the result that much longer; other callers (GetValue,
// a Remember without these options) see it as a miss once its TTL is over.

// refreshTimeout bounds a background load.
const refreshTimeout = 30 * time.Second

// StaleWhileRevalidate lets the call return a result up to d past its TTL
// at once while one background load replaces it. load then also runs
// after the call returned, on a context detached from the caller's
// (values kept, cancellation not) and bounded by 30 seconds.
func StaleWhileRevalidate(d time.Duration) CallOption {
	return callOption(func(c *callConfig) { c.staleWhileRevalidate = d })
}

// StaleIfError lets the call return a result up to d past its TTL when
// load fails; the error is reported to the observer, not returned.
func StaleIfError(d time.Duration) CallOption {
	return callOption(func(c *callConfig) { c.staleIfError = d })
}

// EarlyRefresh starts a background load in the last d of a result's TTL,
// with a probability growing from 0 to 1 as the TTL runs out (one load
// per key at a time).
func EarlyRefresh(d time.Duration) CallOption {
	return callOption(func(c *callConfig) { c.earlyRefresh = d })
}

// MaxWait bounds how long the call waits for another call's load of the
// same key (default: as long as that load takes); past it, it runs load
// itself, as fastapi-cache's dogpile_max_wait_time does.
func MaxWait(d time.Duration) CallOption {
	return callOption(func(c *callConfig) { c.maxWait = d })
}

// SetResultTTL, called by a load function with the context it was given,
// stores its result for ttl instead of the call's ([NoExpiry]: no expiry;
// 0: the Cache's default). A negative ttl other than NoExpiry stores
// nothing, as [SkipStore] does. Outside a load it does nothing.
func SetResultTTL(ctx context.Context, ttl time.Duration) {
	if ctl, ok := ctx.Value(loadControlKey{}).(*loadControl); ok {
		if ttl < 0 && ttl != NoExpiry {
			ctl.skip = true
			return
		}
		ctl.ttl, ctl.ttlSet = ttl, true
	}
}

// SkipStore, called by a load function with the context it was given,
// returns its result without storing it (a result that must not be
// cached, go-redis/cache's TTL -1). Outside a load it does nothing.
func SkipStore(ctx context.Context) {
	if ctl, ok := ctx.Value(loadControlKey{}).(*loadControl); ok {
		ctl.skip = true
	}
}

type loadControlKey struct{}

// loadControl is what a load function decided about its own result.
type loadControl struct {
	ttl          time.Duration
	ttlSet, skip bool
}

// valueState is where a looked-up result stands.
type valueState struct {
	took     time.Duration // the lookup's
	local    bool          // answered by a local tier
	stale    bool
	staleFor time.Duration // when stale: how long past its TTL
	left     time.Duration // when fresh with a TTL: how long it has left
	stored   int64         // when it was stored, Unix nanoseconds
}

// servesStale reports whether the call asked for anything of this file.
func (cc callConfig) servesStale() bool {
	return cc.staleWhileRevalidate > 0 || cc.staleIfError > 0 || cc.earlyRefresh > 0
}

// keepStale is how long a result is kept past its TTL for this call.
func (cc callConfig) keepStale() time.Duration {
	return max(cc.staleWhileRevalidate, cc.staleIfError)
}

// refreshEarly decides whether a call with left of its TTL in the last
// window of it starts a background load.
func refreshEarly(left, window time.Duration) bool {
	return rand.Float64() >= float64(left)/float64(window)
}

// refreshValue starts the background load of key, unless one runs or the
// Cache runs as many as it may.
func refreshValue[T any](ctx context.Context, c *Cache, key string, storedAt int64, ttl time.Duration, cc callConfig, load func(context.Context) (T, error)) {
	if !c.refreshes.start(key, c.cfg.nowNano(), storedAt) {
		return
	}
	c.observe(ctx, Event{Kind: EventRefresh, Op: "load", Key: key})
	go func() {
		failed := true
		defer func() { c.endRefresh(key, failed, c.ttlFor(ttl)) }()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		defer func() {
			if v := recover(); v != nil {
				c.observe(rctx, Event{Kind: EventError, Op: "load", Key: key, Err: fmt.Errorf("hoard: load panicked in a background refresh: %v", v)})
			}
		}()
		// In the key's flight, so calls that miss meanwhile share it.
		_, err, _ := c.flights.Do(flightKey[T](key), func() (any, error) { return loadAndStore(rctx, c, key, ttl, cc, load) })
		failed = err != nil
	}()
}

// storeValue stores an encoded result under key for ttl, kept keep past
// it (then stale: see lookupValue), with tags (as of since).
func (c *Cache) storeValue(ctx context.Context, key string, body []byte, ttl, keep time.Duration, tags []string, since int64) error {
	e := &envelope.Entry{Kind: envelope.KindValue, Body: body, Tags: envelope.AppendTags(nil, since, tags)}
	if len(e.Tags) > 0 {
		if err := c.ensureTagStates(ctx, key, e.Tags); err != nil {
			return fmt.Errorf("hoard: store %q: tag states: %w", key, err)
		}
	}
	fresh := c.ttlFor(ttl)
	if keep <= 0 || fresh == 0 {
		return c.store(ctx, key, e, ttl)
	}
	buf, storage := c.encode(key, e, fresh+keep, fresh)
	return c.put(ctx, key, buf, storage)
}
