//go:build unix

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/hoard-go/hoard/core/testserver"
)

// TestRun runs the example twice against DynamoDB Local on 127.0.0.1: the
// first run creates the table, the second finds it and prints the same.
func TestRun(t *testing.T) {
	endpoint := "http://" + testserver.DynamoDBLocal(t, testserver.DynamoDBLocalOptions{QuickStart: true}).Addr
	const want = `cleared namespace "users"
user 42 is Ada, from the loader
user 42 is Ada, from the cache
cleared namespace "users"
user 42 is Ada, from the loader
stats: 1 hits, 2 misses, 2 stores, 0 errors; breaker closed
`
	for range 2 {
		var out bytes.Buffer
		if err := run(context.Background(), endpoint, "us-east-1", "hoard-example-test", &out); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("output:\n%s\nwant:\n%s", &out, want)
		}
	}
}
