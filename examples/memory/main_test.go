package main

import (
	"bytes"
	"context"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	const want = `cleared namespace "users"
user 42 is Ada, from the loader
user 42 is Ada, from the cache
cleared namespace "users"
user 42 is Ada, from the loader
stats: 1 hits, 2 misses, 2 stores, 0 errors; breaker disabled
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", &out, want)
	}
}
