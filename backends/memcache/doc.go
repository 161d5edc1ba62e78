// Package hoardmemcache is a hoard backend on memcached, built on
// github.com/bradfitz/gomemcache.
//
//	store, err := hoardmemcache.New(hoardmemcache.Options{
//		Servers: []string{"cache-1:11211", "cache-2:11211"},
//	})
//	if err != nil {
//		return err
//	}
//	cache, err := hoard.New(store)
//
// [New] validates its options and does no I/O; [NewFromClient] wraps a
// *memcache.Client the application already has.
//
// # Keys
//
// Memcached keys are at most 250 bytes without spaces or control
// characters. Keys built by hoard.JoinKey already are, and are stored
// verbatim. Any other key (too long, spaces, control characters, non-ASCII,
// empty, or starting with '~') is stored under "~k" plus its 128-bit XXH3
// hash, and the item carries the original key: a hash collision reads as a
// miss, never as another key's value. [ItemKey] shows the mapping.
//
// # Expiry
//
// A TTL <= 0 stores without expiry. Memcached counts whole seconds, so a
// TTL rounds up to the next second (a sub-second TTL is 1s, never 0, which
// would mean forever). Memcached reads an expiration over 30 days as a Unix
// time, so longer TTLs are sent as one, computed from the client's clock.
//
// # Size
//
// An item larger than Options.MaxItemSize (memcached's -I, default 1 MiB,
// counting key, value and memcached's per-item header) fails with an error
// wrapping hoard.ErrTooLarge before anything is sent; the server's
// "SERVER_ERROR object too large" is translated the same way.
//
// # Namespace clear
//
// Memcached cannot list keys. Each namespace ("prefix:namespace", see
// hoard.KeyNamespace) has a generation counter in memcached, and every item
// records the generation it was written under. A Get fetches the item and
// its namespace's counter in one request (one round trip per server
// involved) and treats a mismatch as a miss, so [Store.ClearNamespace] is a
// single increment, seen by every process at once. A counter memcached has
// evicted makes its namespace's items misses; it is recreated with a random
// value so old items never match again. A Set costs two round trips: the
// counter, then the item. Keys with fewer than two ':' have no namespace
// and no counter.
//
// # Context
//
// gomemcache takes no context. Every call checks ctx first (a cancelled or
// expired context returns its error without I/O), and a call under way is
// bounded by Options.Timeout per network step: set it at or below the
// cache's per-operation timeout (hoard.WithTimeout). A call that fails
// after ctx ended returns an error wrapping ctx's error.
package hoardmemcache
