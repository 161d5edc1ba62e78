// Command loadserver serves one bench target (see bench.Names) on
// 127.0.0.1 for a load generator: GET /items answers a 1 KiB JSON body,
// hoard targets on a memory store. It prints "LISTEN host:port" once ready
// and, when stopped (SIGINT, SIGTERM or -max), "RUNS n": how often the
// origin handler ran.
//
//	go run ./cmd/loadserver -target fiber/hoard
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	hoard "github.com/hoard-go/hoard/core"

	"github.com/hoard-go/hoard/bench"
)

func main() {
	target := flag.String("target", "nethttp/hoard", "target to serve: "+strings.Join(bench.Names(), ", "))
	addr := flag.String("addr", "127.0.0.1:0", "listen address (127.0.0.1 only)")
	size := flag.Int("size", 1024, "response body size, bytes")
	maxRun := flag.Duration("max", 2*time.Minute, "stop after this long at the latest")
	flag.Parse()
	if err := run(*target, *addr, *size, *maxRun); err != nil {
		fmt.Fprintln(os.Stderr, "loadserver:", err)
		os.Exit(1)
	}
}

func run(name, addr string, size int, maxRun time.Duration) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host != "127.0.0.1" {
		return fmt.Errorf("listen address %q: only 127.0.0.1 is allowed", addr)
	}
	var c *hoard.Cache
	if bench.UsesHoard(name) {
		cache, closeCache, err := bench.MemoryCache(0)
		if err != nil {
			return err
		}
		defer closeCache()
		c = cache
	}
	o := &bench.Origin{Body: bench.JSONBody(size), Count: true}
	t, err := bench.Build(name, o, c)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- t.Serve(ln) }()
	fmt.Printf("LISTEN %s\n", ln.Addr())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-stop:
	case <-time.After(maxRun):
	case err := <-served:
		return err
	}
	_ = t.Close()
	fmt.Printf("RUNS %d\n", o.Runs())
	return nil
}
