// Command redis caches function results in Redis with hoardredis.
//
//	go run ./examples/redis -addr 127.0.0.1:6379
//
// The same Options reach a Sentinel (MasterName) or a Cluster (two or more
// Addrs, or ClusterMode); an application that already has a go-redis
// client uses hoardredis.NewFromClient.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	hoard "github.com/hoard-go/hoard/core"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
	"github.com/hoard-go/hoard/examples/internal/tour"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "Redis server host:port")
	db := flag.Int("db", 0, "Redis database number")
	flag.Parse()
	if err := run(context.Background(), *addr, *db, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "redis:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, addr string, db int, w io.Writer) error {
	// New connects and PINGs within ctx: a server that is down is an
	// error now, not a stream of misses later.
	connect, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	store, err := hoardredis.New(connect, hoardredis.Options{Addrs: []string{addr}, DB: db})
	if err != nil {
		return err
	}
	c, err := hoard.New(store, hoard.WithPrefix("example"), hoard.WithTimeout(100*time.Millisecond))
	if err != nil {
		_ = store.Close()
		return err
	}
	defer c.Close() // closes the store and its client

	// Where an entry lives, for redis-cli: the braces are a hash tag that
	// keeps an entry and its namespace's generation in one Cluster slot.
	entry, generation, err := store.RedisKeys(c.Namespace("users").Key("42"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "user 42 is stored under %s (generation %s)\n", entry, generation)
	return tour.Run(ctx, c, w)
}
