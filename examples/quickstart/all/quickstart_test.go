package main

import (
	"testing"

	"github.com/hoard-go/hoard/core/memory"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
	"github.com/hoard-go/hoard/examples/quickstart/internal/demotest"
)

// TestQuickstart checks what the README promises, over a real socket, for
// every adapter on the memory backend: the README's curl commands, the
// index at / and HEAD on the GET endpoints.
func TestQuickstart(t *testing.T) {
	for _, adapter := range demo.Adapters {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			store, err := memory.New(memory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			newServer, ok := program.Servers[adapter]
			if !ok {
				t.Fatalf("no server for %s", adapter)
			}
			demotest.Check(t, demotest.Start(t, newServer, store))
		})
	}
}
