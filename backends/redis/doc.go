// Package hoardredis is a hoard backend on Redis, built on
// github.com/redis/go-redis/v9. It works with a single server, Sentinel,
// Cluster and Ring clients.
//
//	store, err := hoardredis.New(ctx, hoardredis.Options{Addrs: []string{"127.0.0.1:6379"}})
//	if err != nil { ... }
//	defer store.Close()
//	cache, err := hoard.New(store)
//
// or, with a client the application already has:
//
//	store, err := hoardredis.NewFromClient(rdb, hoardredis.Options{})
//
// # Round trips
//
// A hit or a miss is one MGET, a store one EVALSHA, a delete one UNLINK,
// and a namespace clear one pipeline of SETs (one round trip per Cluster
// node). New loads the store's Lua script; after a server restart the first
// store per node falls back to EVAL once. Hits never run a script.
// [Store.GetMulti], with which hoard reads a tagged entry's tag states, is
// one MGET per namespace shard involved, sent as one pipeline (one round
// trip per node).
//
// # Namespace clear
//
// Each namespace has a generation: 8 random bytes in a generation key.
// Every stored value is prefixed with the generation current when it was
// written (the store script reads it and writes the entry atomically), and
// a Get returns a value only while its prefix is still the current
// generation: one MGET reads both, which a hash tag keeps in one slot, so
// this holds on Cluster. ClearNamespace writes a new generation: O(1) per
// shard, never KEYS or SCAN, atomic and visible to every process at once.
// Cleared entries stay in memory until their TTL ends or a Set overwrites
// them. A generation is never reused, so a lost generation key can only
// turn entries into misses.
//
// A namespace is spread over Options.NamespaceShards hash slots (default
// 16), so one large namespace does not sit on a single Cluster node; a clear
// writes one generation per shard.
//
// # Key layout
//
// A hoard key "prefix:namespace:id" is stored under
// KeyPrefix + "{" + tag + "}" + key, where tag is a hash of
// "prefix:namespace" and the shard; its generation key is
// KeyPrefix + "{" + tag + "}" + "prefix:namespace". [Store.RedisKeys]
// shows both for a key. Keys that are not of the form prefix:namespace:id
// are rejected with [hoard.ErrInvalidKey].
//
// # Errors
//
// A missing, cleared or foreign value is [hoard.ErrNotFound]; use after
// Close, or of a closed client, is [hoard.ErrClosed]; every other Redis or
// network error is returned wrapped, so the cache can fail open and count
// it. Context deadlines bound every call (New sets go-redis's
// ContextTimeoutEnabled).
package hoardredis
