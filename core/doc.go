// Package hoard caches HTTP responses and function results for Go services.
//
// A [Cache] stores values in a [Backend] (memory, Redis, Memcached,
// DynamoDB, or your own) inside a versioned, checksummed binary envelope
// that carries the full key, so a corrupt or colliding entry is a miss,
// never a wrong value. Backend failures are misses too: every operation has
// a timeout, and a circuit breaker stops waiting on a backend that keeps
// failing.
//
// Function results:
//
//	user, err := hoard.Remember(ctx, c, "user:42", time.Minute, func(ctx context.Context) (User, error) {
//		return db.LoadUser(ctx, 42)
//	})
//
// Concurrent misses of one key run the loader once; errors are never cached.
// HTTP responses are cached by the adapters (hoardhttp, hoardecho,
// hoardfiber), which delegate every decision to this package.
package hoard
