package hoard

import (
	"fmt"
	"log/slog"
	"time"
)

// Defaults used by [New] for options that are not given.
const (
	DefaultPrefix           = "hoard"
	DefaultTTL              = 5 * time.Minute
	DefaultTimeout          = 250 * time.Millisecond
	DefaultBreakerFailures  = 5
	DefaultBreakerCooldown  = 5 * time.Second
	defaultNamespace        = ""
	breakerMinimumFailures  = 1
	maximumOperationTimeout = time.Hour
)

// NoExpiry as a TTL stores an entry without expiry.
const NoExpiry time.Duration = -1

// checkTTL rejects a per-call TTL that is negative but not NoExpiry, so a
// computed TTL that went negative is an error, not an entry kept forever.
func checkTTL(ttl time.Duration) error {
	if ttl < 0 && ttl != NoExpiry {
		return fmt.Errorf("%w: TTL %v is negative (use NoExpiry)", ErrInvalidOption, ttl)
	}
	return nil
}

// Option configures a [Cache] (see [New]).
type Option interface {
	applyCache(*config)
}

// SharedOption is an option for a Cache and for a single call alike
// ([WithCodec]).
type SharedOption interface {
	Option
	CallOption
}

type cacheOption func(*config)

func (f cacheOption) applyCache(c *config) { f(c) }

type config struct {
	prefix          string
	namespace       string
	ttl             time.Duration
	codec           Codec
	timeout         time.Duration
	observer        Observer
	logger          *slog.Logger
	now             func() time.Time
	nowNano         func() int64 // now in Unix nanoseconds, set by New
	ownClock        bool         // now came from WithClock
	breakerFailures int
	breakerCooldown time.Duration
	refreshes       int
}

// WithPrefix sets the first part of every key ("prefix:namespace:id"), so
// several applications can share a backend. Default "hoard".
func WithPrefix(prefix string) Option { return cacheOption(func(c *config) { c.prefix = prefix }) }

// WithNamespace sets the namespace used by this Cache's direct API and
// function cache. Default "" (the empty namespace). See [Cache.Namespace].
func WithNamespace(ns string) Option { return cacheOption(func(c *config) { c.namespace = ns }) }

// WithDefaultTTL sets the TTL used when a call passes 0. Default 5 minutes.
// [NoExpiry] stores without expiry.
func WithDefaultTTL(d time.Duration) Option { return cacheOption(func(c *config) { c.ttl = d }) }

// WithCodec sets the codec for typed values and function results: given to
// [New], for every call; given to one call ([Remember], [Wrap],
// [GetValue], [SetValue]), for that call. Default [JSON].
func WithCodec(codec Codec) SharedOption { return codecOption{codec} }

type codecOption struct{ codec Codec }

func (o codecOption) applyCache(c *config)    { c.codec = o.codec }
func (o codecOption) applyCall(c *callConfig) { c.codec = o.codec }

// WithTimeout bounds every backend operation. A backend slower than this is
// a miss (the loader runs) and counts towards the circuit breaker. Default
// 250ms; the in-process memory backend is never given a timeout.
func WithTimeout(d time.Duration) Option { return cacheOption(func(c *config) { c.timeout = d }) }

// WithObserver receives every cache event. Default none.
func WithObserver(o Observer) Option { return cacheOption(func(c *config) { c.observer = o }) }

// WithLogger sets where backend failures and breaker changes are logged.
// Default [slog.Default].
func WithLogger(l *slog.Logger) Option { return cacheOption(func(c *config) { c.logger = l }) }

// WithClock sets the time source used for entry creation and expiry. For
// tests; default: the wall clock (as [time.Now], read more cheaply).
func WithClock(now func() time.Time) Option {
	return cacheOption(func(c *config) { c.now, c.ownClock = now, true })
}

// WithCircuitBreaker opens the breaker after failures consecutive backend
// failures; while open, operations skip the backend (a miss) until cooldown
// has passed, then one call probes it. failures 0 disables the breaker.
// Default 5 failures, 5s cool-down.
func WithCircuitBreaker(failures int, cooldown time.Duration) Option {
	return cacheOption(func(c *config) { c.breakerFailures, c.breakerCooldown = failures, cooldown })
}

// WithBackgroundRefreshes bounds how many background refreshes
// (stale-while-revalidate, of HTTP responses and function results) the
// Cache runs at once; past it a stale entry is still served and refreshed
// by a later request. Default [DefaultBackgroundRefreshes].
func WithBackgroundRefreshes(n int) Option {
	return cacheOption(func(c *config) { c.refreshes = n })
}

func (c *config) validate() error {
	if err := ValidateName(c.prefix); err != nil {
		return fmt.Errorf("%w: prefix: %w", ErrInvalidOption, err)
	}
	if len(c.prefix) > maxPrefixLen {
		return fmt.Errorf("%w: prefix %q is longer than %d bytes", ErrInvalidOption, c.prefix, maxPrefixLen)
	}
	if err := ValidateName(c.namespace); err != nil {
		return fmt.Errorf("%w: namespace: %w", ErrInvalidOption, err)
	}
	if c.ttl < 0 && c.ttl != NoExpiry {
		return fmt.Errorf("%w: default TTL %v is negative (use NoExpiry)", ErrInvalidOption, c.ttl)
	}
	if c.timeout < 0 || c.timeout > maximumOperationTimeout {
		return fmt.Errorf("%w: timeout %v must be between 0 and %v", ErrInvalidOption, c.timeout, maximumOperationTimeout)
	}
	if c.codec == nil {
		return fmt.Errorf("%w: codec is nil", ErrInvalidOption)
	}
	if c.now == nil {
		return fmt.Errorf("%w: clock is nil", ErrInvalidOption)
	}
	if c.refreshes < 1 {
		return fmt.Errorf("%w: background refreshes %d must be at least 1", ErrInvalidOption, c.refreshes)
	}
	if c.breakerFailures < 0 {
		return fmt.Errorf("%w: breaker failures %d is negative", ErrInvalidOption, c.breakerFailures)
	}
	if c.breakerFailures >= breakerMinimumFailures && c.breakerCooldown <= 0 {
		return fmt.Errorf("%w: breaker cool-down %v must be positive", ErrInvalidOption, c.breakerCooldown)
	}
	return nil
}
