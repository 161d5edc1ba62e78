package hoardmemcache_test

import (
	"fmt"

	"github.com/hoard-go/hoard/backends/memcache"
	hoard "github.com/hoard-go/hoard/core"
)

// New checks its options and connects to nothing: connections are made by
// the first requests.
func ExampleNew() {
	_, err := hoardmemcache.New(hoardmemcache.Options{})
	fmt.Println(err)

	store, err := hoardmemcache.New(hoardmemcache.Options{
		Servers: []string{"127.0.0.1:11211", "127.0.0.1:11212"},
		// Timeout: 250ms, MaxIdleConns: 10 per CPU, MaxItemSize: 1 MiB.
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	cache, err := hoard.New(store, hoard.WithPrefix("app"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer cache.Close()
	fmt.Println("key:", cache.Key("user:42"))
	// Output:
	// hoardmemcache: hoard: invalid option: Servers is empty
	// key: app::user:42
}

// ItemKey shows where a key is stored: safe keys as they are, anything
// else under its hash (the item then carries the key, so a collision is a
// miss).
func ExampleItemKey() {
	fmt.Println(hoardmemcache.ItemKey("app:users:42"))
	fmt.Println(hoardmemcache.ItemKey("app:users:name with spaces"))
	// Output:
	// app:users:42
	// ~k9a71b260cfe00460f195ebd31916ccb5
}
