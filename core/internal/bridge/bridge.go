// Package bridge is how the HTTP engine (package httpcache) reaches the
// parts of a hoard.Cache that are not part of hoard's public API: its
// lookups with memos, its writes, its clock and its event counters.
// Package hoard implements [Cache] and sets [Of]; nothing outside the core
// module can import this package.
package bridge

import (
	"context"
	"time"

	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/memo"
)

// Kind is an event kind, numbered as hoard.EventKind.
type Kind uint8

// The event kinds the engine reports.
const (
	Hit Kind = iota + 1
	Miss
	Store
	Error
	Bypass
	// Stale is hoard.EventStale (hoard.EventBreakerOpen and Close, 6 and
	// 7, are the Cache's own).
	Stale   Kind = 8
	Refresh Kind = 9
)

// Cache is a hoard.Cache as the HTTP engine uses it.
type Cache interface {
	// Prefix is the key prefix; Namespace the namespace of the Cache (or
	// view) the engine was built from, and NamespaceErr what was wrong
	// with it, if anything.
	Prefix() string
	Namespace() string
	NamespaceErr() error

	// Now is the Cache's clock in Unix nanoseconds; OwnClock reports a
	// clock given with hoard.WithClock (a request's own time is then not
	// used).
	Now() int64
	OwnClock() bool
	// Lifetime resolves a TTL as the Cache's calls do: 0 is the default
	// TTL, hoard.NoExpiry (any negative) is 0, no expiry.
	Lifetime(ttl time.Duration) time.Duration

	// InProcess reports an in-process backend; Dropper returns it as a
	// memo.Dropper when it is one, else nil.
	InProcess() bool
	Dropper() memo.Dropper
	// Observed reports whether an Observer was given: without one, a key
	// never leaves the engine.
	Observed() bool

	// Lookup reads key (an HTTP entry, or a vary record) as of now,
	// reporting the hit or
	// miss. With a memo.Getter it returns the value's memo content and
	// leaves e alone; otherwise it decodes into e and returns nil. Misses
	// wrap hoard.ErrNotFound; other errors are backend failures.
	Lookup(ctx context.Context, key string, now int64, e *envelope.Entry) (*memo.Decoded, error)
	// Recheck is Lookup for a request whose miss was already reported; it
	// reports a hit only. raw is the envelope found, or nil.
	Recheck(ctx context.Context, key string, now int64, e *envelope.Entry) (raw []byte, d *memo.Decoded)
	// Put writes an encoded envelope under key for ttl (0: no expiry),
	// reporting the store or the failure.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key, reporting a failure.
	Delete(ctx context.Context, key string) error

	// Observe reports an event; CountHit counts a hit without an Observer
	// call, on the counter stripe r picks.
	Observe(ctx context.Context, kind Kind, op, key string, err error)
	CountHit(r uint32)
	// EnsureTags makes sure the states of the tags in block exist, before
	// an entry carrying them is stored under key.
	EnsureTags(ctx context.Context, key string, block []byte) error
	// InvalidateTags is hoard.Cache.InvalidateTags for every namespace.
	InvalidateTags(ctx context.Context, tags []string) error
	// StartRefresh reports whether a background refresh of key, whose
	// stale entry was stored at storedAt (Unix nanoseconds), may begin
	// (none runs for it or has begun since storedAt, and the Cache's bound
	// allows one more), records it and returns when it began. EndRefresh
	// frees key, at once or, when the refresh failed, after about the
	// entry's freshness lifetime. ReleaseRefresh ends the refresh that
	// began at began if nothing else ended it: its replay never reached
	// the engine's refresh path.
	StartRefresh(key string, storedAt int64) (began int64, ok bool)
	EndRefresh(key string, failed bool, lifetime time.Duration)
	ReleaseRefresh(key string, began int64)
	// Trace starts the observer's span for op (hoard.Tracer), and returns
	// the context to run op with and the function that ends the span;
	// ctx and nil without a tracer.
	Trace(ctx context.Context, op, key string) (context.Context, func(error))
}

// Of returns the bridge of a *hoard.Cache. Package hoard sets it.
var Of func(cache any) Cache
