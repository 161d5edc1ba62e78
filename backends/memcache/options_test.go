package hoardmemcache

import (
	"context"
	"errors"
	"github.com/hoard-go/hoard/core/testserver"
	"runtime"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

func TestNewValidates(t *testing.T) {
	ok := []string{"127.0.0.1:11211"}
	tests := []struct {
		name string
		opts Options
	}{
		{"no servers", Options{}},
		{"no port", Options{Servers: []string{"localhost"}}},
		{"bad port", Options{Servers: []string{"localhost:http"}}},
		{"port 0", Options{Servers: []string{"localhost:0"}}},
		{"port too big", Options{Servers: []string{"localhost:70000"}}},
		{"no host", Options{Servers: []string{":11211"}}},
		{"one bad among good", Options{Servers: []string{"127.0.0.1:11211", "x"}}},
		{"negative timeout", Options{Servers: ok, Timeout: -time.Second}},
		{"negative idle conns", Options{Servers: ok, MaxIdleConns: -1}},
		{"negative item size", Options{Servers: ok, MaxItemSize: -1}},
		{"item size under memcached's minimum", Options{Servers: ok, MaxItemSize: 1000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.opts)
			if !errors.Is(err, hoard.ErrInvalidOption) || s != nil {
				t.Fatalf("New(%+v) = %v, %v; want ErrInvalidOption", tc.opts, s, err)
			}
		})
	}
	if _, err := NewFromClient(nil, ClientOptions{}); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("NewFromClient(nil): %v, want ErrInvalidOption", err)
	}
	if _, err := NewFromClient(rawClient(t, ok...), ClientOptions{MaxItemSize: 10}); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("NewFromClient with MaxItemSize 10: %v, want ErrInvalidOption", err)
	}
}

func TestNewDefaults(t *testing.T) {
	// A name that cannot resolve: New must not look it up.
	s, err := New(Options{Servers: []string{"memcached.invalid:11211", "/run/memcached.sock"}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.own.Timeout != DefaultTimeout || s.own.MaxIdleConns != 10*runtime.GOMAXPROCS(0) || s.maxItemSize != DefaultMaxItemSize {
		t.Fatalf("defaults: timeout %v, idle %d, item size %d", s.own.Timeout, s.own.MaxIdleConns, s.maxItemSize)
	}
}

// TestServerSelection checks the selector spreads keys like gomemcache's
// own ServerList, so hoard and plain clients agree on where a key lives.
func TestServerSelection(t *testing.T) {
	a, b := testserver.Memcached(t), testserver.Memcached(t)
	s := newTestStore(t, a.Addr, b.Addr)
	plain := rawClient(t, a.Addr, b.Addr)
	onA := rawClient(t, a.Addr)
	ctx := t.Context()
	perServer := map[bool]int{}
	for i := range 50 {
		k := "sel:k" + string(rune('A'+i))
		if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := plain.Get(ItemKey(k)); err != nil {
			t.Fatalf("gomemcache's ServerList does not find %q: %v", k, err)
		}
		_, err := onA.Get(ItemKey(k))
		perServer[err == nil]++
	}
	if perServer[true] == 0 || perServer[false] == 0 {
		t.Fatalf("keys per server (on a: true) = %v: not spread", perServer)
	}
}

// TestStalledServer: gomemcache takes no context, so a call to a stalled
// server ends when the client's Timeout does; the context's error is what
// the caller gets.
func TestStalledServer(t *testing.T) {
	srv := testserver.Memcached(t)
	s, err := New(Options{Servers: []string{srv.Addr}, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Set(t.Context(), "stall:ns:k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	defer srv.Resume()
	// SIGSTOP lands asynchronously: wait until the server stops answering.
	for deadline := time.Now().Add(5 * time.Second); ; {
		if _, err := s.Get(t.Context(), "stall:ns:k"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the paused server still answers")
		}
	}
	for _, tc := range []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		wantCtx error
	}{
		{"deadline shorter than Timeout", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(t.Context(), 20*time.Millisecond)
		}, context.DeadlineExceeded},
		{"no deadline", func() (context.Context, context.CancelFunc) { return t.Context(), func() {} }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			_, err := s.Get(ctx, "stall:ns:k")
			took := time.Since(start)
			if err == nil || errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("Get from a stalled server: %v, want a failure", err)
			}
			if tc.wantCtx != nil && !errors.Is(err, tc.wantCtx) {
				t.Fatalf("Get: %v, want %v", err, tc.wantCtx)
			}
			if took > time.Second {
				t.Fatalf("Get took %v: not bounded by Timeout", took)
			}
		})
	}
}
