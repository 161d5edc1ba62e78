package hoardmemcache

import (
	"bytes"
	"errors"
	"github.com/hoard-go/hoard/core/testserver"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// largestValue is the biggest value under key that passes the local check.
func largestValue(key string, limit int) int {
	mk, hashed := itemKey(key)
	_, hasNS := namespaceOf(key)
	return limit - itemOverhead - len(mk) - itemLen(hasNS, key, hashed, 0)
}

func TestItemSizeLimit(t *testing.T) {
	def := testserver.Memcached(t)             // -I 1m, the default
	big := testserver.Memcached(t, "-I", "2m") // a raised limit
	ctx := t.Context()
	newStore := func(t *testing.T, addr string, max int) *Store {
		s, err := New(Options{Servers: []string{addr}, MaxItemSize: max, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	const key = "size:ns:k"
	tests := []struct {
		name    string
		addr    string
		max     int // Options.MaxItemSize
		size    int
		tooBig  bool
		locally bool // refused before sending
	}{
		{"largest value under the default limit", def.Addr, 0, largestValue(key, DefaultMaxItemSize), false, false},
		{"one byte over the default limit", def.Addr, 0, largestValue(key, DefaultMaxItemSize) + 1, true, true},
		{"a full MiB", def.Addr, 0, 1 << 20, true, true},
		{"server refuses what the store allows", def.Addr, 4 << 20, 2 << 20, true, false},
		{"raised limit stores 1.5 MiB", big.Addr, 2 << 20, 3 << 19, false, false},
		{"raised limit refuses 2 MiB", big.Addr, 2 << 20, 2 << 20, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, tc.addr, tc.max)
			v := bytes.Repeat([]byte{'x'}, tc.size)
			err := s.Set(ctx, key, v, time.Minute)
			if !tc.tooBig {
				if err != nil {
					t.Fatalf("Set of %d bytes: %v", tc.size, err)
				}
				got, err := s.Get(ctx, key)
				if err != nil || !bytes.Equal(got, v) {
					t.Fatalf("Get after Set of %d bytes: %d bytes, %v", tc.size, len(got), err)
				}
				return
			}
			if !errors.Is(err, hoard.ErrTooLarge) {
				t.Fatalf("Set of %d bytes: %v, want ErrTooLarge", tc.size, err)
			}
			// The server answers SERVER_ERROR; the local check answers alone.
			if fromServer := bytes.Contains([]byte(err.Error()), []byte("SERVER_ERROR")); fromServer == tc.locally {
				t.Fatalf("Set of %d bytes: %v; refused locally = %v, want %v", tc.size, err, !fromServer, tc.locally)
			}
			// The store still works afterwards (gomemcache drops that connection).
			if err := s.Set(ctx, key, []byte("small"), time.Minute); err != nil {
				t.Fatalf("Set after a refused one: %v", err)
			}
		})
	}
}
