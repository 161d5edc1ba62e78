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

// TestMemoDeadline: an HTTP value kept for less than the lifetime written
// in it (a local tier's copy) gives its memo the store's deadline, which
// the memo reports expired before otter drops the value; one kept for
// its whole lifetime leaves expiry to its envelope, and reads no clock.
func TestMemoDeadline(t *testing.T) {
	clk := NewFakeClock()
	s, err := New(Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	now := clk.Now().UnixNano()
	value := envelope.Append(nil, &envelope.Entry{Kind: envelope.KindHTTP, Key: []byte("p:n:k"), Status: 200,
		Created: now, Expires: now + int64(time.Hour), Body: []byte("x")})
	memoOf := func(key string) interface{ Expired() bool } {
		_, m, err := s.GetMemo(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if err := s.Set(ctx, "p:n:short", value, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := s.Set(ctx, "p:n:whole", value, time.Hour); err != nil {
		t.Fatal(err)
	}
	short, whole := memoOf("p:n:short"), memoOf("p:n:whole")
	if short.Expired() || whole.Expired() {
		t.Fatal("a memo expired at once")
	}
	clk.Advance(2 * time.Second)
	if !short.Expired() {
		t.Error("the short copy's memo is not expired past its TTL")
	}
	clk.Advance(2 * time.Hour)
	if whole.Expired() {
		t.Error("a value kept for its whole lifetime has a memo deadline")
	}
}
