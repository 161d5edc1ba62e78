package memory_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"
)

func TestConformance(t *testing.T) {
	clk := memory.NewFakeClock()
	backendtest.Run(t, func(t *testing.T) hoard.Backend {
		s, err := memory.New(memory.Options{Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}, backendtest.WithClock(clk.Advance))
}

func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		opts memory.Options
		ok   bool
	}{
		{"defaults", memory.Options{}, true},
		{"explicit", memory.Options{MaxBytes: 1 << 20}, true},
		{"negative", memory.Options{MaxBytes: -1}, false},
		{"too small", memory.Options{MaxBytes: 100}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := memory.New(tc.opts)
			if (err == nil) != tc.ok {
				t.Fatalf("New(%+v) error = %v, want ok=%v", tc.opts, err, tc.ok)
			}
			if s != nil {
				_ = s.Close()
			}
		})
	}
}

// TestBoundedByBytes writes ten times the byte limit and checks the store
// stays within it.
func TestBoundedByBytes(t *testing.T) {
	const limit = 1 << 20
	s, err := memory.New(memory.Options{MaxBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	v := make([]byte, 4<<10)
	for i := 0; i < 10*limit/len(v); i++ {
		if err := s.Set(ctx, hoard.JoinKey("p", "n", fmt.Sprint(i)), v, 0); err != nil {
			t.Fatal(err)
		}
	}
	// otter applies evictions asynchronously: give it a bounded moment.
	deadline := time.Now().Add(5 * time.Second)
	for (s.Bytes() > limit || s.Len() > limit/len(v)) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Bytes(); got > limit {
		t.Fatalf("store holds %d bytes, limit %d", got, limit)
	}
	if n := s.Len(); n == 0 || n > limit/len(v) {
		t.Fatalf("store holds %d entries, want 1..%d", n, limit/len(v))
	}
}

func TestTooLarge(t *testing.T) {
	s, err := memory.New(memory.Options{MaxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Set(context.Background(), "p:n:big", make([]byte, 1<<20), 0)
	if !errors.Is(err, hoard.ErrTooLarge) {
		t.Fatalf("Set of a value over the limit: %v, want ErrTooLarge", err)
	}
}

// TestActiveExpiry checks expired entries leave the store without being
// read: a bounded store must not fill with dead entries.
func TestActiveExpiry(t *testing.T) {
	clk := memory.NewFakeClock()
	s, err := memory.New(memory.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		_ = s.Set(ctx, hoard.JoinKey("p", "n", fmt.Sprint(i)), []byte("v"), time.Second)
	}
	clk.Advance(time.Minute)
	// A write triggers otter's maintenance, which drops expired entries.
	deadline := time.Now().Add(5 * time.Second)
	for s.Len() > 1 && time.Now().Before(deadline) {
		_ = s.Set(ctx, "p:n:trigger", []byte("v"), 0)
		time.Sleep(10 * time.Millisecond)
	}
	if n := s.Len(); n > 1 {
		t.Fatalf("%d entries remain after expiry without reads, want only the trigger", n)
	}
}

func BenchmarkGet(b *testing.B) {
	s, _ := memory.New(memory.Options{})
	defer s.Close()
	ctx := context.Background()
	_ = s.Set(ctx, "p:n:k", make([]byte, 1024), time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Get(ctx, "p:n:k"); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleNew() {
	s, err := memory.New(memory.Options{MaxBytes: 32 << 20})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	_ = s.Set(ctx, "app:users:42", []byte(`{"name":"Ada"}`), time.Minute)
	v, _ := s.Get(ctx, "app:users:42")
	fmt.Println(string(v))
	_, err = s.Get(ctx, "app:users:43")
	fmt.Println(errors.Is(err, hoard.ErrNotFound))
	// Output:
	// {"name":"Ada"}
	// true
}

// TestMemoPerValue checks the MemoGetter contract: every read of one stored
// value returns the same memo, and storing a value again gives a new one.
func TestMemoPerValue(t *testing.T) {
	ctx := context.Background()
	s, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.GetMemo(ctx, "p:ns:a"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("GetMemo of a missing key: %v, want ErrNotFound", err)
	}
	if err := s.Set(ctx, "p:ns:a", []byte("one"), 0); err != nil {
		t.Fatal(err)
	}
	v1, m1, err := s.GetMemo(ctx, "p:ns:a")
	if err != nil || string(v1) != "one" || m1 == nil {
		t.Fatalf("GetMemo = %q, %p, %v", v1, m1, err)
	}
	for range 20 { // reads sampled for the eviction policy and quiet ones alike
		if _, m, _ := s.GetMemo(ctx, "p:ns:a"); m != m1 {
			t.Fatal("a second read of the same value returned another memo")
		}
	}
	if err := s.Set(ctx, "p:ns:a", []byte("two"), 0); err != nil {
		t.Fatal(err)
	}
	if v2, m2, _ := s.GetMemo(ctx, "p:ns:a"); string(v2) != "two" || m2 == m1 {
		t.Fatalf("after a new Set: %q with the old memo: %v", v2, m2 == m1)
	}
	if _, _, err := s.GetMemo(canceled(ctx), "p:ns:a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("GetMemo with a canceled context: %v", err)
	}
	_ = s.Close()
	if _, _, err := s.GetMemo(ctx, "p:ns:a"); !errors.Is(err, hoard.ErrClosed) {
		t.Fatalf("GetMemo after Close: %v, want ErrClosed", err)
	}
}

func canceled(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	return ctx
}

// TestHTTPHitsFollowTheStore drives hoard's HTTP engine over the store:
// hits repeated until the engine answers them without reading the store
// (from the memo the store drops as a value leaves) must still see a new
// value, a cleared namespace and a closed store at once.
func TestHTTPHitsFollowTheStore(t *testing.T) {
	ctx := context.Background()
	s, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := hoard.New(s)
	if err != nil {
		t.Fatal(err)
	}
	e, err := httpcache.New(c, httpcache.WithNamespace("pages"))
	if err != nil {
		t.Fatal(err)
	}
	var next string // what the handler answers
	h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, next) }))
	do := func(refresh bool, body string) (xcache, got string) {
		next = body
		r := httptest.NewRequest("GET", "http://example.com/p", nil)
		if refresh {
			r.Header.Set("Cache-Control", "no-cache")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Header().Get("X-Cache"), w.Body.String()
	}
	hits := func(want string) {
		t.Helper()
		for range 20 {
			if x, got := do(false, "unused"); x != "HIT" || got != want {
				t.Fatalf("hit: %s %q, want HIT %q", x, got, want)
			}
		}
	}
	do(false, "one")
	hits("one")
	do(true, "two") // a refresh stores a new value
	hits("two")
	if err := c.ClearNamespace(ctx, "pages"); err != nil {
		t.Fatal(err)
	}
	if x, _ := do(false, "three"); x != "MISS" {
		t.Fatalf("after Clear: %s, want a miss", x)
	}
	hits("three")
	_ = s.Close()
	if x, _ := do(false, "four"); x == "HIT" {
		t.Fatal("a hit from a closed store")
	}
}
