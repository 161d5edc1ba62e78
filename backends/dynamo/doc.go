// Package hoarddynamo is a hoard backend on Amazon DynamoDB
// (github.com/aws/aws-sdk-go-v2/service/dynamodb).
//
//	cfg, err := config.LoadDefaultConfig(ctx)
//	...
//	store, err := hoarddynamo.New(cfg, hoarddynamo.Options{Table: "hoard-cache"})
//	...
//	cache, err := hoard.New(store)
//
// Create the table once, at deploy or start-up time, with [CreateTable] (or
// any tool: a String partition key "pk", no sort key, TTL on "ttl"). A
// [Store] never creates a table and does no I/O until it is used.
//
// # Items
//
// Every cache entry is one item:
//
//	pk   S  the hoard key, "prefix:namespace:id"
//	v    B  the value
//	ttl  N  expiry in Unix epoch seconds, rounded up; absent without expiry
//	gen  N  the namespace generation it was written in; absent for 0
//
// DynamoDB's TTL deletes expired items only eventually (often within days),
// so Get checks ttl against [Options.Now] and an expired item is a miss.
// An item is at most 400 KB counting attribute names: a larger value is
// refused before it is sent, with an error wrapping [hoard.ErrTooLarge]
// (as is DynamoDB's own ValidationException for size).
//
// # Namespace clear
//
// [Store.ClearNamespace] never scans. Each namespace has a generation item
// "gen <prefix:namespace>" (a space, which no hoard key has) holding a
// counter; ClearNamespace increments it with one UpdateItem ADD. Get reads
// the entry and its namespace's generation item in one BatchGetItem, with
// strongly consistent reads by default, and an entry of another generation
// is a miss: a clear is seen by every process at once, and a hit stays one
// round trip. Set usually needs one PutItem: it tags the entry with the
// generation a Get saw within the last second, else reads it first. A
// missing generation item is generation 0. Cleared entries stay until TTL
// deletes them.
//
// # Errors
//
// Service errors (throttling, a missing table, a network failure) are
// returned wrapped with the "hoarddynamo: " prefix, so errors.As still
// finds the SDK's types; hoard serves them as misses. A cancelled or
// expired context gives an error that matches context.Canceled or
// context.DeadlineExceeded with errors.Is. The SDK retries throttled
// requests by itself with backoff: give the cache's per-operation timeout
// (hoard.WithTimeout) the last word, or lower the client's RetryMaxAttempts.
package hoarddynamo
