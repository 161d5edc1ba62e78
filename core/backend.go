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
