// Command memory caches function results in hoard's embedded backend,
// core/memory: in-process, bounded by bytes, with per-entry TTL. It needs
// no server.
//
//	go run ./examples/memory
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"

	"github.com/hoard-go/hoard/examples/internal/tour"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer) error {
	// MaxBytes bounds keys and values together (default 64 MiB); the
	// least valuable entries are evicted past it, expired ones in the
	// background.
	store, err := memory.New(memory.Options{MaxBytes: 16 << 20})
	if err != nil {
		return err
	}
	// An in-process backend gets no timeout and no circuit breaker: it
	// cannot be slow or down.
	c, err := hoard.New(store, hoard.WithPrefix("example"))
	if err != nil {
		_ = store.Close()
		return err
	}
	defer c.Close() // closes the store
	return tour.Run(ctx, c, w)
}
