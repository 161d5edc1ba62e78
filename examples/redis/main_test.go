//go:build unix

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/hoard-go/hoard/core/testserver"
)

// TestRun runs the example twice against a redis-server on 127.0.0.1: the
// second run must print the same (it starts with a clear).
func TestRun(t *testing.T) {
	addr := testserver.Redis(t).Addr
	const want = `user 42 is stored under {98991043.1}example:users:42 (generation {98991043.1}example:users)
cleared namespace "users"
user 42 is Ada, from the loader
user 42 is Ada, from the cache
cleared namespace "users"
user 42 is Ada, from the loader
stats: 1 hits, 2 misses, 2 stores, 0 errors; breaker closed
`
	for range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), addr, 1, &out); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("output:\n%s\nwant:\n%s", &out, want)
		}
	}
}

func TestRunUnreachable(t *testing.T) {
	if err := run(context.Background(), "127.0.0.1:1", 0, new(bytes.Buffer)); err == nil {
		t.Fatal("run against 127.0.0.1:1 succeeded")
	}
}
