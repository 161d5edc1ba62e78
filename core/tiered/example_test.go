package tiered_test

import (
	"context"
	"fmt"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
	"github.com/hoard-go/hoard/core/tiered"
)

// A local tier in front of a remote backend. Here the "remote" is a
// memory store and there is no bus, so it runs anywhere; in production
// Remote is a hoardredis.Store and Bus its store.Bus("").
func Example() {
	ctx := context.Background()
	remote, _ := memory.New(memory.Options{})
	tier, err := tiered.New(ctx, tiered.Options{Remote: remote, MaxAge: 5 * time.Second})
	if err != nil {
		panic(err)
	}
	c, _ := hoard.New(tier)
	defer c.Close()

	loads := 0
	load := func(context.Context) (string, error) { loads++; return "Ada", nil }
	for range 3 {
		name, _ := hoard.Remember(ctx, c, "user:42", time.Minute, load)
		fmt.Println(name)
	}
	st := tier.Stats()
	fmt.Println("loads:", loads, "local hits:", st.LocalHits, "remote reads:", st.RemoteReads)
	// Output:
	// Ada
	// Ada
	// Ada
	// loads: 1 local hits: 2 remote reads: 1
}
