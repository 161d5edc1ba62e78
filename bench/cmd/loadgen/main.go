// Command loadgen drives a 127.0.0.1 URL with keep-alive connections for a
// bounded time and prints requests per second and latency percentiles as
// JSON: the load test's fallback where wrk is not installed.
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080/items -c 50 -d 10s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/hoard-go/hoard/bench"
)

func main() {
	u := flag.String("url", "", "URL to GET (host 127.0.0.1)")
	conns := flag.Int("c", 50, "concurrent connections")
	d := flag.Duration("d", 10*time.Second, "duration (at most 30s)")
	flag.Parse()
	res, err := bench.Load(context.Background(), bench.LoadOptions{URL: *u, Connections: *conns, Duration: *d})
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
}
