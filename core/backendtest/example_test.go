package backendtest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
	"github.com/hoard-go/hoard/core/memory"
)

// A backend's conformance test is one call to Run, in the backend's
// _test.go file. newBackend is called once per scenario; the options tune
// the suite to the backend (here a settable clock, so expiry needs no
// waiting).
//
// An Example has no *testing.T to run the suite with, so this one defines
// the test (compiled, not run) and then walks through a few of the
// scenarios Run checks, by hand, on core/memory.
func ExampleRun() {
	var (
		mu  sync.Mutex
		now = time.Unix(1_700_000_000, 0)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

	// func TestConformance(t *testing.T) {
	testConformance := func(t *testing.T) {
		backendtest.Run(t, func(t *testing.T) hoard.Backend {
			s, err := memory.New(memory.Options{Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		}, backendtest.WithClock(advance), backendtest.WithTTLResolution(time.Millisecond))
	}
	_ = testConformance

	// What some of the scenarios check:
	ctx := context.Background()
	store, err := memory.New(memory.Options{Now: clock})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	var b hoard.Backend = store
	key := func(ns, id string) string { return hoard.JoinKey("p", ns, id) }

	_, err = b.Get(ctx, key("a", "x"))
	fmt.Println("GetMissing:", errors.Is(err, hoard.ErrNotFound))

	v := []byte("v1")
	_ = b.Set(ctx, key("a", "x"), v, time.Minute)
	v[1] = '2' // the backend must have kept a copy
	got, _ := b.Get(ctx, key("a", "x"))
	fmt.Printf("SetGet, ValueIsCopied: %s\n", got)

	_ = b.Set(ctx, key("ab", "x"), []byte("other namespace"), time.Minute)
	if clearer, ok := b.(hoard.NamespaceClearer); ok { // an optional capability
		_ = clearer.ClearNamespace(ctx, "p:a")
	}
	_, errA := b.Get(ctx, key("a", "x"))
	_, errAB := b.Get(ctx, key("ab", "x"))
	fmt.Println("NamespaceClear: p:a cleared", errors.Is(errA, hoard.ErrNotFound), "- p:ab kept", errAB == nil)

	fmt.Println("DeleteMissing:", b.Delete(ctx, key("a", "never-set")))

	_ = b.Set(ctx, key("a", "y"), []byte("short-lived"), time.Second)
	advance(2 * time.Second)
	_, err = b.Get(ctx, key("a", "y"))
	fmt.Println("Expiry:", errors.Is(err, hoard.ErrNotFound))
	// Output:
	// GetMissing: true
	// SetGet, ValueIsCopied: v1
	// NamespaceClear: p:a cleared true - p:ab kept true
	// DeleteMissing: <nil>
	// Expiry: true
}
