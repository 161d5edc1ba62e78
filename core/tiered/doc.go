// Package tiered puts a bounded in-process memory tier in front of a
// remote hoard backend (Redis, Memcached, DynamoDB), coherent across the
// processes that share the remote one.
//
// A read is answered from the local tier when it holds the key, as fast
// as the memory backend alone (the HTTP engine's memos and hot table work
// on it); otherwise from the remote backend, once, and the value is kept
// locally for at most its own remaining lifetime and Options.MaxAge.
//
// Every write, delete, namespace clear and tag invalidation goes to the
// remote backend, applies to this process's local tier at once, and is
// published on a Bus (hoardredis.NewBus: Redis pub/sub), so the other
// processes drop their local copies within milliseconds. When the bus
// connection is lost the local tier is flushed and bypassed until it is
// back: a process that missed invalidations never answers from copies
// made before. Without a bus (Memcached or DynamoDB users without Redis)
// local copies live MaxAge at most.
//
// What a user can rely on: after a change made anywhere, a process serves
// the old value for at most the bus's delivery delay (milliseconds) while
// the bus is up, and never longer than MaxAge (default 5 seconds) in any
// case: a lost message, a stalled Redis, a partition.
package tiered
