package hoardmemcache

import (
	"bytes"
	"errors"
	"github.com/hoard-go/hoard/core/testserver"
	"strings"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	hoard "github.com/hoard-go/hoard/core"
)

func TestItemKey(t *testing.T) {
	long := strings.Repeat("a", maxKeyLen)
	tests := []struct {
		name   string
		key    string
		hashed bool
	}{
		{"joined key", "app:users:42", false},
		{"at the limit", long, false},
		{"over the limit", long + "a", true},
		{"space", "app:ns:with space", true},
		{"tab", "app:ns:a\tb", true},
		{"newline", "app:ns:a\r\nget x", true},
		{"NUL", "app:ns:\x00", true},
		{"DEL", "app:ns:\x7f", true},
		{"unicode", "app:ns:ключ", true},
		{"latin-1 byte", "app:ns:\xe9", true},
		{"empty", "", true},
		{"reserved marker", "~k0123", true},
		{"looks like a generation key", "~g:app:ns", true},
		{"marker inside", "app:ns:~x", false},
		{"punctuation", "app:ns:GET|/x?y=1&z=%20#f", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mk, hashed := itemKey(tc.key)
			if hashed != tc.hashed {
				t.Fatalf("itemKey(%q) hashed = %v, want %v", tc.key, hashed, tc.hashed)
			}
			if !hashed && mk != tc.key {
				t.Fatalf("itemKey(%q) = %q, want the key itself", tc.key, mk)
			}
			if hashed && mk != "~k"+hoard.HashString(tc.key) {
				t.Fatalf("itemKey(%q) = %q, want ~k + its hash", tc.key, mk)
			}
			if !legal(mk) {
				t.Fatalf("itemKey(%q) = %q: not a legal memcached key", tc.key, mk)
			}
			if ItemKey(tc.key) != mk {
				t.Fatalf("ItemKey and itemKey disagree")
			}
		})
	}
}

func TestGenKey(t *testing.T) {
	tests := []struct {
		ns, want string
	}{
		{"app:users", "~g:app:users"},
		{":users", "~g::users"},
		{"app:with space", "~gh" + hoard.HashString("app:with space")},
		{strings.Repeat("n", 248), "~gh" + hoard.HashString(strings.Repeat("n", 248))},
		{strings.Repeat("n", 247), "~g:" + strings.Repeat("n", 247)},
	}
	for _, tc := range tests {
		if got := genKey(tc.ns); got != tc.want || !legal(got) {
			t.Errorf("genKey(%q) = %q, want %q (legal)", tc.ns, got, tc.want)
		}
	}
}

// legal is memcached's rule for text protocol keys.
func legal(k string) bool {
	if k == "" || len(k) > maxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] == 0x7f {
			return false
		}
	}
	return true
}

// TestAnyKey stores under raw keys no hoard.JoinKey would produce, as a
// NewFromClient user with custom keys might, and checks each reads back
// its own value.
func TestAnyKey(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	ctx := t.Context()
	keys := []string{
		"", "plain", "one:colon", "a:b:c:d", strings.Repeat("x", 250), strings.Repeat("x", 251),
		strings.Repeat("p:n:", 100), "with space", "ns:with space:id", "ключ:名前:ü", "ctl:\x00\x01\r\n:x",
		"get a b\r\nset x 0 0 1", "~k" + hoard.HashString("plain"), "~g:a:b", "~gh",
	}
	for i, k := range keys {
		if err := s.Set(ctx, k, []byte{byte(i)}, time.Minute); err != nil {
			t.Fatalf("Set(%q): %v", k, err)
		}
	}
	for i, k := range keys {
		got, err := s.Get(ctx, k)
		if err != nil || !bytes.Equal(got, []byte{byte(i)}) {
			t.Errorf("Get(%q) = %v, %v; want [%d]", k, got, err, i)
		}
	}
	// Each delete removes only its own key.
	if err := s.Delete(ctx, keys[1]); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		_, err := s.Get(ctx, k)
		if gone := errors.Is(err, hoard.ErrNotFound); gone != (i == 1) {
			t.Errorf("after deleting %q: Get(%q) err = %v", keys[1], k, err)
		}
	}
}

// TestHashCollision fakes a hash collision: the item of one hashed key is
// copied to the memcached key of another. It must read as a miss.
func TestHashCollision(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	raw := rawClient(t, srv.Addr)
	ctx := t.Context()
	for _, tc := range []struct{ name, a, b string }{
		{"in a namespace", "app:ns:first key", "app:ns:second key"},
		{"no namespace", "first key", "second key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Set(ctx, tc.a, []byte("A"), time.Minute); err != nil {
				t.Fatal(err)
			}
			it, err := raw.Get(ItemKey(tc.a))
			if err != nil {
				t.Fatal(err)
			}
			it.Key = ItemKey(tc.b)
			if err := raw.Set(it); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(ctx, tc.b); !errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("Get(%q) of another key's item = %q, %v; want a miss", tc.b, got, err)
			}
			if got, err := s.Get(ctx, tc.a); err != nil || string(got) != "A" {
				t.Fatalf("Get(%q) = %q, %v; want %q", tc.a, got, err, "A")
			}
		})
	}
}

// TestForeignValues checks values not written by this backend under a
// key it reads are misses, not garbage.
func TestForeignValues(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	raw := rawClient(t, srv.Addr)
	ctx := t.Context()
	for i, v := range []string{"", "plain text", "h", "h\x02\x00", "h\x01\x04", "h\x01\x01short"} {
		k := "foreign:ns:" + string(rune('a'+i))
		if err := raw.Set(&memcache.Item{Key: k, Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, k); !errors.Is(err, hoard.ErrNotFound) {
			t.Errorf("Get of foreign value %q = %q, %v; want a miss", v, got, err)
		}
	}
}
