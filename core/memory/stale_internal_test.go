package memory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// TestStaleFirst: when the store is nearly full, values past their
// freshness (kept only to be served stale) are dropped before fresh ones,
// even when the eviction policy favours them (they were read often).
func TestStaleFirst(t *testing.T) {
	clk := NewFakeClock()
	s, err := New(Options{MaxBytes: 256 << 10, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := clk.Now().UnixNano()
	value := func(key string, freshUntil int64) []byte {
		return envelope.Append(nil, &envelope.Entry{Kind: envelope.KindValue, Key: []byte(key), Created: now - int64(time.Hour),
			Expires: now + int64(time.Hour), FreshUntil: freshUntil, Body: make([]byte, 1000)})
	}
	var stale, fresh []string
	for i := range 100 { // about 130 KiB, stale for a minute already
		k := fmt.Sprint("p:s:", i)
		stale = append(stale, k)
		if err := s.Set(ctx, k, value(k, now-int64(time.Minute)), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 { // popular with the policy
		for _, k := range stale {
			_, _ = s.Get(ctx, k)
		}
	}
	clk.Advance(2 * time.Second) // past a sweep's pause
	for i := range 100 {         // fresh for an hour: the store overflows
		k := fmt.Sprint("p:f:", i)
		fresh = append(fresh, k)
		if err := s.Set(ctx, k, value(k, now+int64(time.Hour)), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	s.cache.CleanUp()
	kept := 0
	for _, k := range fresh {
		if _, err := s.Get(ctx, k); err == nil {
			kept++
		}
	}
	left := 0
	for _, k := range stale {
		if _, err := s.Get(ctx, k); err == nil {
			left++
		}
	}
	if kept < 95 || left > 5 {
		t.Errorf("fresh entries kept: %d of 100; stale ones left: %d of 100; want the stale ones dropped first", kept, left)
	}
}
