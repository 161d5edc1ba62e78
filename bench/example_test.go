package bench_test

import (
	"fmt"

	"github.com/hoard-go/hoard/bench"
)

// The memory bound's target and the Go memory limit that keeps a process
// holding a 64 MiB memory store within it.
func ExampleRSSTarget() {
	const limit = 64 << 20
	fmt.Printf("RSS target %.1f MiB, GOMEMLIMIT %.1f MiB\n",
		float64(bench.RSSTarget(limit))/(1<<20), float64(bench.MemLimitFor(limit))/(1<<20))
	// Output: RSS target 113.2 MiB, GOMEMLIMIT 98.2 MiB
}

func ExampleJSONBody() {
	b := bench.JSONBody(32)
	fmt.Println(len(b), string(b))
	// Output: 32 {"items":"xxxxxxxxxxxxxxxxxxxx"}
}
