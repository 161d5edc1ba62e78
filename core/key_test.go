package hoard_test

import (
	"errors"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
)

// Longest prefix and namespace New accepts: the worst case for key length.
var (
	longPrefix    = strings.Repeat("p", 64)
	longNamespace = strings.Repeat("n", 128)
)

func checkKey(t *testing.T, key, prefix, ns string) {
	t.Helper()
	if len(key) > hoard.MaxKeyLen {
		t.Errorf("key is %d bytes, over %d: %q", len(key), hoard.MaxKeyLen, key)
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c <= ' ' || c > '~' {
			t.Errorf("key has byte %#x at %d: %q", c, i, key)
			break
		}
	}
	if got, ok := hoard.KeyNamespace(key); !ok || got != prefix+":"+ns {
		t.Errorf("KeyNamespace(%q) = %q, %v; want %q", key, got, ok, prefix+":"+ns)
	}
}

func isHashedID(id string) bool {
	if len(id) != 33 || id[0] != '#' {
		return false
	}
	return strings.Trim(id[1:], "0123456789abcdef") == ""
}

func TestJoinKey(t *testing.T) {
	fits := strings.Repeat("x", hoard.MaxKeyLen-len("hoard:ns:"))
	tests := []struct {
		name   string
		prefix string
		ns     string
		id     string
		hashed bool
	}{
		{"verbatim", "hoard", "users", "user:42", false},
		{"verbatim empty namespace", "hoard", "", "42", false},
		{"verbatim empty prefix", "", "ns", "42", false},
		{"verbatim symbols", "hoard", "ns", `GET/a?b=c&d="e"~|{}`, false},
		{"verbatim exactly fits", "hoard", "ns", fits, false},
		{"one byte too long", "hoard", "ns", fits + "x", true},
		{"very long", "hoard", "ns", strings.Repeat("y", 10_000), true},
		{"empty id", "hoard", "ns", "", true},
		{"space", "hoard", "ns", "user 42", true},
		{"tab", "hoard", "ns", "a\tb", true},
		{"newline", "hoard", "ns", "a\nb", true},
		{"NUL", "hoard", "ns", "a\x00b", true},
		{"DEL", "hoard", "ns", "a\x7fb", true},
		{"non-ASCII", "hoard", "ns", "grüße", true},
		{"invalid UTF-8", "hoard", "ns", "\xff\xfe", true},
		// A verbatim id starting with '#' could pose as a hashed one.
		{"hash marker", "hoard", "ns", "#0123456789abcdef0123456789abcdef", true},
		{"longest prefix and namespace", longPrefix, longNamespace, strings.Repeat("z", 100), true},
		{"longest prefix and namespace, short id", longPrefix, longNamespace, "1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := hoard.JoinKey(tc.prefix, tc.ns, tc.id)
			checkKey(t, key, tc.prefix, tc.ns)
			id := strings.TrimPrefix(key, tc.prefix+":"+tc.ns+":")
			if tc.hashed {
				if !isHashedID(id) {
					t.Errorf("JoinKey id part %q, want # and 32 hex digits", id)
				}
				if id != "#"+hoard.HashString(tc.id) {
					t.Errorf("JoinKey id part %q, want #HashString(id)", id)
				}
			} else if id != tc.id {
				t.Errorf("JoinKey id part %q, want %q verbatim", id, tc.id)
			}
			if again := hoard.JoinKey(tc.prefix, tc.ns, tc.id); again != key {
				t.Errorf("JoinKey is not deterministic: %q then %q", key, again)
			}
		})
	}
}

// TestJoinKeyStable pins the hash: entries written by one release or
// process must be found by the next. The values are XXH3-128 as printed by
// the reference implementation (`printf 'user 42' | xxhsum -H2`).
func TestJoinKeyStable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "99aa06d3014798d86001c324468d497f"},
		{"user 42", "ded2c94e21dd4af49aca447ce9672e27"},
	}
	for _, tc := range tests {
		if got := hoard.HashString(tc.in); got != tc.want {
			t.Errorf("HashString(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got, want := hoard.JoinKey("hoard", "users", "user 42"), "hoard:users:#ded2c94e21dd4af49aca447ce9672e27"; got != want {
		t.Errorf("JoinKey = %q, want %q", got, want)
	}
}

func TestJoinKeyDistinct(t *testing.T) {
	ids := []string{"", " ", "  ", "a b", "a  b", "a\tb", "#", "##", strings.Repeat("x", 300), strings.Repeat("x", 301)}
	seen := map[string]string{}
	for _, id := range ids {
		k := hoard.JoinKey("p", "n", id)
		if prev, ok := seen[k]; ok {
			t.Errorf("ids %q and %q share key %q", prev, id, k)
		}
		seen[k] = id
	}
}

func TestKeyNamespace(t *testing.T) {
	tests := []struct {
		key  string
		want string
		ok   bool
	}{
		{"hoard:users:42", "hoard:users", true},
		{"hoard:users:a:b:c", "hoard:users", true},
		{"hoard::42", "hoard:", true},
		{"::", ":", true},
		{":ns:id", ":ns", true},
		{"hoard:users:", "hoard:users", true},
		{"hoard:users", "", false},
		{"hoard", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			got, ok := hoard.KeyNamespace(tc.key)
			if got != tc.want || ok != tc.ok {
				t.Errorf("KeyNamespace(%q) = %q, %v; want %q, %v", tc.key, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"", true},
		{"users", true},
		{"v2.users-by_id", true},
		{"!~", true},
		{strings.Repeat("n", 128), true},
		{strings.Repeat("n", 129), false},
		{"a:b", false},
		{":", false},
		{"a b", false},
		{" ", false},
		{"a\tb", false},
		{"a\nb", false},
		{"\x00", false},
		{"\x7f", false},
		{"é", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := hoard.ValidateName(tc.name)
			if tc.ok && err != nil {
				t.Errorf("ValidateName(%q) = %v, want nil", tc.name, err)
			}
			if !tc.ok && !errors.Is(err, hoard.ErrInvalidKey) {
				t.Errorf("ValidateName(%q) = %v, want ErrInvalidKey", tc.name, err)
			}
		})
	}
}

func FuzzJoinKey(f *testing.F) {
	for _, id := range []string{"", "42", "user 42", "#x", "grüße", "\x00", strings.Repeat("x", 300)} {
		f.Add("users", id)
		f.Add("", id)
	}
	f.Fuzz(func(t *testing.T, ns, id string) {
		if hoard.ValidateName(ns) != nil {
			return
		}
		for _, prefix := range []string{"hoard", "", longPrefix} {
			key := hoard.JoinKey(prefix, ns, id)
			checkKey(t, key, prefix, ns)
			rest, ok := strings.CutPrefix(key, prefix+":"+ns+":")
			if !ok {
				t.Fatalf("JoinKey(%q, %q, %q) = %q, not under prefix:namespace:", prefix, ns, id, key)
			}
			if rest != id && !isHashedID(rest) {
				t.Fatalf("JoinKey(%q, %q, %q) id part %q is neither the id nor a hash", prefix, ns, id, rest)
			}
			if rest == id && strings.HasPrefix(id, "#") {
				t.Fatalf("JoinKey(%q, %q, %q) kept an id that can pose as a hash", prefix, ns, id)
			}
			if hoard.JoinKey(prefix, ns, id) != key {
				t.Fatal("JoinKey is not deterministic")
			}
		}
	})
}
