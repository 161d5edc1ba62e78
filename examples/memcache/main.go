// Command memcache caches function results in memcached with
// hoardmemcache.
//
//	go run ./examples/memcache -servers 127.0.0.1:11211,127.0.0.1:11212
//
// Keys are spread over the servers as gomemcache's ServerList spreads
// them; an application that already has a *memcache.Client uses
// hoardmemcache.NewFromClient.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	hoard "github.com/hoard-go/hoard/core"

	hoardmemcache "github.com/hoard-go/hoard/backends/memcache"
	"github.com/hoard-go/hoard/examples/internal/tour"
)

func main() {
	servers := flag.String("servers", "127.0.0.1:11211", "memcached servers, host:port, comma-separated")
	flag.Parse()
	if err := run(context.Background(), strings.Split(*servers, ","), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "memcache:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, servers []string, w io.Writer) error {
	// New checks the options and does no I/O. Timeout bounds each network
	// step (gomemcache has no context support): keep it at or below the
	// cache's WithTimeout. MaxItemSize must match the servers' -I.
	store, err := hoardmemcache.New(hoardmemcache.Options{Servers: servers, MaxItemSize: 1 << 20})
	if err != nil {
		return err
	}
	c, err := hoard.New(store, hoard.WithPrefix("example"))
	if err != nil {
		_ = store.Close()
		return err
	}
	defer c.Close() // closes the store

	// Keys that are not memcached-safe (spaces, over 250 bytes) are stored
	// under a hash; hoard's own keys always fit as they are.
	key := c.Namespace("users").Key("42")
	fmt.Fprintf(w, "user 42 is stored under %s\n", hoardmemcache.ItemKey(key))
	return tour.Run(ctx, c, w)
}
