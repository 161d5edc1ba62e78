// Package hoard caches function results and HTTP responses for Go services.
//
// A [Cache] stores values in a [Backend] (core/memory, Redis, Memcached,
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
//
// HTTP responses are cached by the engine in package
// github.com/hoard-go/hoard/core/httpcache, which the adapters (hoardhttp
// for net/http, hoardecho, hoardfiber) put in front of a framework's
// handlers; its options (httpcache.WithTTL, httpcache.WithVaryBy, ...)
// configure a route.
//
// A backend implements [Backend] (and [NamespaceClearer] for Cache.Clear)
// and proves it with the conformance suite in core/backendtest.
package hoard
