// Command membound measures the memory backend's bound in a process of its
// own: it writes Factor times the byte limit of distinct responses through
// hoard's net/http middleware and prints the peak heap and RSS as JSON.
//
//	go run ./cmd/membound -limit-mib 64 -factor 10 -size 4096
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"

	"github.com/hoard-go/hoard/bench"
)

func main() {
	limit := flag.Int64("limit-mib", 64, "memory store byte limit, MiB")
	factor := flag.Int("factor", 10, "write this many times the limit")
	size := flag.Int("size", 4096, "response body size, bytes")
	out := flag.String("o", "", "write the JSON result to this file (default stdout)")
	setLimit := flag.Bool("set-memlimit", false, "set the Go memory limit (GOMEMLIMIT) to 1.3 x limit + 15 MiB: the RSS target less\n15 MiB for the binary's own pages, which the Go limit does not count")
	memprofile := flag.String("memprofile", "", "write a heap profile (after a GC) to this file at the end")
	flag.Parse()

	if *setLimit {
		debug.SetMemoryLimit(bench.MemLimitFor(*limit << 20))
	}
	opts := bench.MemoryOptions{Limit: *limit << 20, Factor: *factor, Size: *size}
	var profErr error
	if *memprofile != "" {
		opts.AtEnd = func() { profErr = writeHeapProfile(*memprofile) }
	}
	res, err := bench.MemoryBound(opts)
	if err == nil {
		err = profErr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "membound:", err)
		os.Exit(1)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	b = append(b, '\n')
	if *out == "" {
		_, _ = os.Stdout.Write(b)
		return
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "membound:", err)
		os.Exit(1)
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
