package memory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// checkIndex fails unless every item in the read index is live and is
// otter's current value for its key: the index may lag behind otter (keys
// not read since they were stored are absent) but never hold what otter
// dropped.
func checkIndex(t *testing.T, s *Store) {
	t.Helper()
	s.index.Range(func(k, v any) bool {
		key, it := k.(string), v.(*item)
		if it.memo.Dropped() {
			t.Errorf("index holds a dropped item for %q", key)
		}
		if cur, ok := s.cache.GetEntryQuietly(key); ok && cur.Value != it {
			t.Errorf("index holds a replaced item for %q", key)
		} else if !ok && !it.expired(s.now) {
			t.Errorf("index holds %q, which otter no longer has", key)
		}
		return true
	})
}

// TestIndexFollowsOtter reads a key (so that it enters the index), takes
// its value away in each way a value can leave the store, and checks no
// read serves it afterwards.
func TestIndexFollowsOtter(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		remove func(t *testing.T, s *Store, clk *FakeClock)
		// still is what a read may find afterwards ("" for nothing).
		still string
	}{
		{"replaced", func(t *testing.T, s *Store, _ *FakeClock) {
			_ = s.Set(ctx, "p:n:k", []byte("new"), 0)
		}, "new"},
		{"deleted", func(t *testing.T, s *Store, _ *FakeClock) {
			_ = s.Delete(ctx, "p:n:k")
		}, ""},
		{"namespace cleared", func(t *testing.T, s *Store, _ *FakeClock) {
			_ = s.ClearNamespace(ctx, "p:n")
		}, ""},
		{"evicted", func(t *testing.T, s *Store, _ *FakeClock) {
			v := make([]byte, 4<<10)
			for i := 0; i < 4096; i++ { // 16 MiB through a 1 MiB store
				_ = s.Set(ctx, fmt.Sprintf("p:n:fill%d", i), v, 0)
			}
			// Reads of the filler decide which of them stay, not of k.
			deadline := time.Now().Add(5 * time.Second)
			for s.inOtter("p:n:k") && time.Now().Before(deadline) {
				_ = s.Set(ctx, fmt.Sprintf("p:n:more%d", rand.Int()), v, 0)
			}
			if s.inOtter("p:n:k") {
				t.Skip("otter kept the key through 16 MiB of writes")
			}
		}, ""},
		{"expired and dropped", func(t *testing.T, s *Store, clk *FakeClock) {
			clk.Advance(time.Hour)
			deadline := time.Now().Add(5 * time.Second)
			for s.inIndexOrOtter("p:n:k") && time.Now().Before(deadline) {
				_ = s.Set(ctx, "p:n:trigger", []byte("v"), 0) // runs maintenance
				time.Sleep(5 * time.Millisecond)
			}
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewFakeClock()
			s, err := New(Options{MaxBytes: 1 << 20, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Set(ctx, "p:n:k", []byte("old"), time.Minute); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if v, _, err := s.GetMemo(ctx, "p:n:k"); err != nil || string(v) != "old" {
					t.Fatalf("GetMemo before: %q, %v", v, err)
				}
			}
			if _, ok := s.index.Load("p:n:k"); !ok {
				t.Fatal("a read key is not in the index")
			}
			tc.remove(t, s, clk)
			v, _, err := s.GetMemo(ctx, "p:n:k")
			got := string(v)
			if err != nil {
				got = ""
			}
			if got != tc.still {
				t.Fatalf("GetMemo after: %q (%v), want %q", v, err, tc.still)
			}
			if v, err := s.Get(ctx, "p:n:k"); (err == nil) != (tc.still != "") || err == nil && string(v) != tc.still {
				t.Fatalf("Get after: %q, %v, want %q", v, err, tc.still)
			}
			checkIndex(t, s)
		})
	}
}

// TestGetChecksDeadline: Get honours the TTL at once, before
// otter drops the value; GetMemo may return it (the Cache checks the
// expiry in the value).
func TestGetChecksDeadline(t *testing.T) {
	ctx := context.Background()
	clk := NewFakeClock()
	s, err := New(Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.Set(ctx, "p:n:k", []byte("v"), time.Second)
	if _, err := s.Get(ctx, "p:n:k"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if _, err := s.Get(ctx, "p:n:k"); err == nil {
		t.Fatal("Get returned a value past its TTL")
	}
}

// TestIndexUnderConcurrency races reads, writes and deletes of a few keys
// and checks that no read ever returns a value that was not the key's own,
// and that the index holds nothing otter dropped once they stop.
func TestIndexUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s, err := New(Options{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for i := range 5000 {
				k := fmt.Sprintf("p:n:%d", r.IntN(4))
				switch r.IntN(10) {
				case 0:
					_ = s.Set(ctx, k, []byte(k+"="+fmt.Sprint(i)), 0)
				case 1:
					_ = s.Delete(ctx, k)
				default:
					if v, _, err := s.GetMemo(ctx, k); err == nil && string(v[:len(k)]) != k {
						t.Errorf("read %q for %q", v, k)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	checkIndex(t, s)
}

// inOtter reports whether otter still holds key (expired or not).
func (s *Store) inOtter(key string) bool {
	for k := range s.cache.Keys() {
		if k == key {
			return true
		}
	}
	return false
}

func (s *Store) inIndexOrOtter(key string) bool {
	_, ok := s.index.Load(key)
	return ok || s.inOtter(key)
}

// FakeClock is a settable time source for a store and its tests (exported
// for the package's external tests).
type FakeClock struct {
	mu sync.Mutex
	t  time.Time
}

// NewFakeClock starts at a fixed instant.
func NewFakeClock() *FakeClock { return &FakeClock{t: time.Unix(1_700_000_000, 0)} }

func (c *FakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
