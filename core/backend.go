package hoard

import (
	"context"
	"time"
)

// Backend is the storage a Cache writes to. It sees only opaque bytes under
// printable keys of the form "prefix:namespace:id" (see [JoinKey]); everything
// the cache needs to trust a value (its key, expiry, checksum) is inside the
// bytes, so a backend may be as simple as a map.
//
// Contract:
//   - Get returns [ErrNotFound] (possibly wrapped) for a missing or expired key.
//     The returned slice is read-only for the caller; the backend must not
//     change it afterwards.
//   - Set stores a copy of value: the caller may reuse the slice once Set
//     returns. ttl <= 0 means no expiry. A value the backend cannot hold
//     returns an error wrapping [ErrTooLarge].
//   - Delete of a missing key is not an error.
//   - Every method honours ctx's deadline and cancellation, and returns
//     [ErrClosed] after Close (for backends that implement [io.Closer]).
type Backend interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, key string) error
}

// NamespaceClearer is implemented by backends that can drop a whole
// namespace. ClearNamespace(ctx, ns) makes every key that begins with ns+":"
// a miss, for every process sharing the backend, and leaves all other keys
// alone: clearing "p:a" keeps "p:ab:x" and "p:b:x". ns is the "prefix:namespace"
// part of a key, as returned by [KeyNamespace].
type NamespaceClearer interface {
	ClearNamespace(ctx context.Context, ns string) error
}

// MultiGetter is implemented by backends that fetch several keys in one
// round trip. Missing keys are absent from the result; only a failure of the
// whole call is an error.
type MultiGetter interface {
	GetMulti(ctx context.Context, keys []string) (map[string][]byte, error)
}

// InProcess is implemented by backends that live in the caller's memory and
// never block on I/O (such as the memory backend). The cache skips the
// per-operation timeout and the circuit breaker for them, which keeps a hit
// free of timer and context allocations.
type InProcess interface {
	InProcess() bool
}

// SelfTimed is implemented by backends that bound every operation
// themselves, the way a client with socket deadlines on every exchange does.
//
// OperationBound returns the longest time any one call of the backend
// (Get, Set, Delete and every optional capability such as GetMulti or
// ClearNamespace) can take from the moment it is made until it returns,
// including waiting for a connection, dialling, writing, reading and any
// retry, and whatever ctx holds: a ctx without a deadline must not make a
// call wait longer. A call that runs out of its bound returns an error that
// is not [ErrNotFound] (so the circuit breaker counts it). The bound must not
// change over the backend's life; 0 or less means there is none. Every
// method must still honour ctx's own deadline and cancellation.
//
// When the bound is positive and no longer than the Cache's operation
// timeout ([WithTimeout]), the Cache calls the backend with the caller's
// context as it is, instead of deriving one with a timer per operation:
// the backend already ends the call in time. Otherwise the Cache bounds each
// call itself, as for any backend.
type SelfTimed interface {
	OperationBound() time.Duration
}
