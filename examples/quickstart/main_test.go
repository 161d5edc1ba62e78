package main

import (
	"testing"

	"github.com/hoard-go/hoard/core/memory"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
	"github.com/hoard-go/hoard/examples/quickstart/internal/demotest"
)

// TestQuickstart checks what the README promises, over a real socket, for
// the default program: net/http on the memory backend.
func TestQuickstart(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	demotest.Check(t, demotest.Start(t, program.Servers[demo.AdapterStdlib], store))
}
