package hoardredis_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/testserver"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestErrors checks the translation of failures at the boundary: a miss is
// ErrNotFound and nothing else is.
func TestErrors(t *testing.T) {
	srv := testserver.Redis(t)
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = raw.Close() })
	ctx := t.Context()
	// A user that may do everything but read.
	if err := raw.Do(ctx, "ACL", "SETUSER", "noread", "on", ">pw", "~*", "+@all", "-mget").Err(); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}})
	noRead := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}, Username: "noread", Password: "pw"})
	// A server out of memory refuses writes.
	full := newStore(t, hoardredis.Options{Addrs: []string{testserver.Redis(t, "--maxmemory", "1", "--maxmemory-policy", "noeviction").Addr}})

	closedClient := redis.NewClient(&redis.Options{Addr: srv.Addr})
	_ = closedClient.Close()
	onClosed := fromClient(t, closedClient, hoardredis.Options{})

	key := hoard.JoinKey("app", "ns", "k")
	tests := []struct {
		name    string
		err     error
		want    error // errors.Is, when not nil
		notMiss bool
	}{
		{"NoPermissionGet", get(noRead, key), nil, true},
		{"OutOfMemorySet", full.Set(ctx, key, []byte("v"), time.Minute), nil, true},
		{"OutOfMemoryClear", full.ClearNamespace(ctx, "app:ns"), nil, true},
		{"KeyWithoutNamespace", get(s, "just-a-key"), hoard.ErrInvalidKey, true},
		{"KeyWithOneColon", s.Set(ctx, "a:b", nil, 0), hoard.ErrInvalidKey, true},
		{"DeleteBadKey", s.Delete(ctx, "a"), hoard.ErrInvalidKey, true},
		{"ClosedClientGet", get(onClosed, key), hoard.ErrClosed, true},
		{"ClosedClientSet", onClosed.Set(ctx, key, nil, 0), hoard.ErrClosed, true},
		{"ClosedClientClear", onClosed.ClearNamespace(ctx, "app:ns"), hoard.ErrClosed, true},
		{"Miss", get(s, hoard.JoinKey("app", "ns", "missing")), hoard.ErrNotFound, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(tc.err, tc.want) {
				t.Errorf("error %v, want %v", tc.err, tc.want)
			}
			if tc.notMiss && errors.Is(tc.err, hoard.ErrNotFound) {
				t.Errorf("error %v is a miss; only a missing key may be", tc.err)
			}
		})
	}
}

// TestForeignValue checks that something other than a hoard entry under a
// store's key (a hash, a string without the header) is a miss, and that a
// Set replaces it.
func TestForeignValue(t *testing.T) {
	srv := testserver.Redis(t)
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = raw.Close() })
	s := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}})
	ctx := t.Context()
	for name, write := range map[string]func(entry string) error{
		"Hash":   func(entry string) error { return raw.HSet(ctx, entry, "f", "v").Err() },
		"Short":  func(entry string) error { return raw.Set(ctx, entry, "abc", 0).Err() },
		"NoGen":  func(entry string) error { return raw.Set(ctx, entry, "0123456789abcdef", 0).Err() },
		"List":   func(entry string) error { return raw.RPush(ctx, entry, "x").Err() },
		"Number": func(entry string) error { return raw.Set(ctx, entry, 12345678901, 0).Err() },
	} {
		t.Run(name, func(t *testing.T) {
			key := hoard.JoinKey("foreign", name, "k")
			entry, _, _ := s.RedisKeys(key)
			if err := write(entry); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Get(ctx, key); !errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("Get of a foreign value: %v, want ErrNotFound", err)
			}
			if err := s.Set(ctx, key, []byte("mine"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if v, err := s.Get(ctx, key); err != nil || string(v) != "mine" {
				t.Fatalf("Get after Set = %q, %v", v, err)
			}
		})
	}
}

func get(s *hoardredis.Store, key string) error {
	_, err := s.Get(context.Background(), key)
	return err
}

// TestDeadlineOnStalledServer pauses the server (it keeps the connection
// but answers nothing) and expects every call to return within its
// context's deadline, with an error that says so.
func TestDeadlineOnStalledServer(t *testing.T) {
	srv := testserver.Redis(t)
	s := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}})
	key := hoard.JoinKey("app", "ns", "k")
	if err := s.Set(t.Context(), key, []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv.Pause()
	defer srv.Resume()
	const timeout = 100 * time.Millisecond
	ops := map[string]func(ctx context.Context) error{
		"Get":   func(ctx context.Context) error { _, err := s.Get(ctx, key); return err },
		"Set":   func(ctx context.Context) error { return s.Set(ctx, key, []byte("v"), time.Minute) },
		"Del":   func(ctx context.Context) error { return s.Delete(ctx, key) },
		"Clear": func(ctx context.Context) error { return s.ClearNamespace(ctx, "app:ns") },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), timeout)
			defer cancel()
			start := time.Now()
			err := op(ctx)
			if took := time.Since(start); took > timeout+250*time.Millisecond {
				t.Errorf("returned after %v; the deadline was %v", took, timeout)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v, want context.DeadlineExceeded", err)
			}
		})
	}
	// The commands that timed out still run once the server resumes (the
	// Delete among them): only check that the store works again.
	srv.Resume()
	if err := s.Set(t.Context(), key, []byte("again"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(t.Context(), key); err != nil || string(v) != "again" {
		t.Fatalf("Get after the server resumed = %q, %v", v, err)
	}
}

// TestNewUnreachable expects New to fail within its context when nothing
// listens, and to fail on a server that is not answering.
func TestNewUnreachable(t *testing.T) {
	t.Run("NothingListening", func(t *testing.T) {
		addr := "127.0.0.1:" + strconv.Itoa(testserver.FreePort(t))
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		s, err := hoardredis.New(ctx, hoardredis.Options{Addrs: []string{addr}})
		if err == nil {
			_ = s.Close()
			t.Fatal("New succeeded with nothing listening")
		}
	})
	t.Run("Stalled", func(t *testing.T) {
		srv := testserver.Redis(t)
		srv.Pause()
		defer srv.Resume()
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		s, err := hoardredis.New(ctx, hoardredis.Options{Addrs: []string{srv.Addr}})
		if err == nil {
			_ = s.Close()
			t.Fatal("New succeeded on a stalled server")
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("New returned after %v with a 200ms context", took)
		}
	})
}

func TestUseAfterCloseOfOwnedClient(t *testing.T) {
	srv := testserver.Redis(t)
	s := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Get(t.Context(), hoard.JoinKey("a", "b", "c")); !errors.Is(err, hoard.ErrClosed) {
		t.Fatalf("Get after Close: %v", err)
	}
	if err := s.ClearNamespace(t.Context(), "a:b"); !errors.Is(err, hoard.ErrClosed) {
		t.Fatalf("ClearNamespace after Close: %v", err)
	}
}
