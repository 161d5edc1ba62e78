package bench

import (
	"fmt"
	"log/slog"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

// MemoryCache returns a hoard cache on a new memory store bounded to
// maxBytes (0: memory.DefaultMaxBytes) and a function that closes both.
// Logging is off: a benchmark's output is its figures.
func MemoryCache(maxBytes int64, opts ...hoard.Option) (*hoard.Cache, func(), error) {
	store, err := memory.New(memory.Options{MaxBytes: maxBytes})
	if err != nil {
		return nil, nil, fmt.Errorf("bench: %w", err)
	}
	c, err := hoard.New(store, append([]hoard.Option{hoard.WithLogger(Quiet)}, opts...)...)
	if err != nil {
		_ = store.Close()
		return nil, nil, fmt.Errorf("bench: %w", err)
	}
	return c, func() { _ = c.Close() }, nil // closes the store too
}

// Quiet is a logger that drops everything.
var Quiet = slog.New(slog.DiscardHandler)
