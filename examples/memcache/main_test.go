//go:build unix

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/hoard-go/hoard/core/testserver"
)

// TestRun runs the example twice against two memcached servers on
// 127.0.0.1: the second run must print the same (it starts with a clear).
func TestRun(t *testing.T) {
	addrs := []string{testserver.Memcached(t).Addr, testserver.Memcached(t).Addr}
	const want = `user 42 is stored under example:users:42
cleared namespace "users"
user 42 is Ada, from the loader
user 42 is Ada, from the cache
cleared namespace "users"
user 42 is Ada, from the loader
stats: 1 hits, 2 misses, 2 stores, 0 errors; breaker closed
`
	for range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), addrs, &out); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("output:\n%s\nwant:\n%s", &out, want)
		}
	}
}
