package hoardredis_test

import (
	"context"
	"errors"
	"fmt"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// NewFromClient wraps a client the application already has, without any
// I/O. RedisKeys shows where a hoard key lives: the braces are a hash tag,
// so an entry and its namespace generation share a Cluster slot.
func ExampleNewFromClient() {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer rdb.Close()

	store, err := hoardredis.NewFromClient(rdb, hoardredis.Options{KeyPrefix: "svc/", NamespaceShards: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	entry, generation, err := store.RedisKeys(hoard.JoinKey("app", "users", "42"))
	fmt.Println(entry)
	fmt.Println(generation)
	fmt.Println(err)
	// Output:
	// svc/{4eee25c1}app:users:42
	// svc/{4eee25c1}app:users
	// <nil>
}

// New checks its options before it connects.
func ExampleNew_invalidOptions() {
	_, err := hoardredis.New(context.Background(), hoardredis.Options{
		Addrs: []string{"127.0.0.1:6379"},
		URL:   "redis://127.0.0.1:6379/0",
	})
	fmt.Println(err)
	fmt.Println(errors.Is(err, hoard.ErrInvalidOption))
	// Output:
	// hoardredis: hoard: invalid option: set Addrs or URL, not both
	// true
}
