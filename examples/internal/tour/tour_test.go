package tour_test

import (
	"context"
	"os"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"

	"github.com/hoard-go/hoard/examples/internal/tour"
)

func ExampleRun() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	c, err := hoard.New(store)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if err := tour.Run(context.Background(), c, os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// cleared namespace "users"
	// user 42 is Ada, from the loader
	// user 42 is Ada, from the cache
	// cleared namespace "users"
	// user 42 is Ada, from the loader
	// stats: 1 hits, 2 misses, 2 stores, 0 errors; breaker disabled
}
