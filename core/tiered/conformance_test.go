package tiered_test

import (
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
	"github.com/hoard-go/hoard/core/memory"
	"github.com/hoard-go/hoard/core/tiered"
)

// TestConformance runs the backend contract on a tier over a memory
// store, with a bus.
func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) hoard.Backend {
		remote, err := memory.New(memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := tiered.New(t.Context(), tiered.Options{Remote: remote, Bus: newHub()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		waitUp(t, s)
		return s
	})
}
