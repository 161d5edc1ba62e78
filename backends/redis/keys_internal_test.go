package hoardredis

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
)

func TestKeyLayout(t *testing.T) {
	tests := []struct {
		name      string
		layout    keyLayout
		key       string
		entry     string // exact: a change here empties every deployed cache
		gen       string
		entryLike string // regexp, when the exact value is not pinned
	}{
		{"DefaultShards", keyLayout{shards: DefaultNamespaceShards}, "app:users:42",
			"{4eee25c1.1}app:users:42", "{4eee25c1.1}app:users", ""},
		{"OneShard", keyLayout{shards: 1}, "app:users:42",
			"{4eee25c1}app:users:42", "{4eee25c1}app:users", ""},
		{"KeyPrefix", keyLayout{prefix: "svc/", shards: 1}, "app:users:42",
			"svc/{4eee25c1}app:users:42", "svc/{4eee25c1}app:users", ""},
		{"EmptyParts", keyLayout{shards: 1}, "::x", "", "", `^\{[0-9a-f]{8}\}::x$`},
		{"MaxShards", keyLayout{shards: maxNamespaceShards}, "a:b:c", "", "", `^\{[0-9a-f]{8}\.[0-9a-f]{1,3}\}a:b:c$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entry, gen, err := tc.layout.keys(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			if tc.entryLike != "" {
				if !regexp.MustCompile(tc.entryLike).MatchString(entry) {
					t.Errorf("entry %q does not match %s", entry, tc.entryLike)
				}
				return
			}
			if entry != tc.entry || gen != tc.gen {
				t.Errorf("keys(%q) = %q, %q; want %q, %q", tc.key, entry, gen, tc.entry, tc.gen)
			}
		})
	}
}

func TestKeyLayoutRejects(t *testing.T) {
	l := keyLayout{shards: 1}
	for _, k := range []string{"", "nocolon", "one:colon"} {
		if _, _, err := l.keys(k); !errors.Is(err, hoard.ErrInvalidKey) {
			t.Errorf("keys(%q): %v, want ErrInvalidKey", k, err)
		}
	}
}

// hashTag returns the part of a key Redis Cluster hashes: the first
// non-empty {...} section, else the whole key.
func hashTag(key string) string {
	i := strings.IndexByte(key, '{')
	if i < 0 {
		return key
	}
	j := strings.IndexByte(key[i+1:], '}')
	if j <= 0 {
		return key
	}
	return key[i+1 : i+1+j]
}

// FuzzKeyLayout checks the layout's invariants for any pair of keys: an
// entry and its generation share a hash slot, the mapping is injective, and
// no entry can be mistaken for a generation key.
func FuzzKeyLayout(f *testing.F) {
	seeds := [][2]string{
		{"app:users:42", "app:users:43"},
		{"app:users:42", "app:user:s:42"},
		{"}:x:y", "}:x:z"},
		{"{:}:{", "{:}"},
		{"a:b:", "a:b"},
		{"p:n:#0123", "p:n:#0124"},
		{"::", ":::"},
		{"a{b}:c:d", "a{b}:c:e"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], uint16(1))
		f.Add(s[0], s[1], uint16(16))
	}
	f.Fuzz(func(t *testing.T, k1, k2 string, shards uint16) {
		l := keyLayout{prefix: "pfx/", shards: int(shards%maxNamespaceShards) + 1}
		e1, g1, err1 := l.keys(k1)
		e2, g2, err2 := l.keys(k2)
		for _, c := range []struct {
			key, entry, gen string
			err             error
		}{{k1, e1, g1, err1}, {k2, e2, g2, err2}} {
			ns, ok := hoard.KeyNamespace(c.key)
			if c.err != nil {
				if ok {
					t.Fatalf("keys(%q) failed for a key with namespace %q: %v", c.key, ns, c.err)
				}
				continue
			}
			if !strings.HasSuffix(c.entry, c.key) || !strings.HasPrefix(c.entry, c.gen) || !strings.HasSuffix(c.gen, ns) {
				t.Fatalf("keys(%q) = %q, %q: not the documented layout", c.key, c.entry, c.gen)
			}
			if tag := hashTag(c.entry); tag == c.entry || tag != hashTag(c.gen) {
				t.Fatalf("entry %q and generation %q are not in one hash slot", c.entry, c.gen)
			}
			gens, err := l.generationKeys(ns)
			if err != nil || !slices.Contains(gens, c.gen) {
				t.Fatalf("generationKeys(%q) = %q, %v; missing %q", ns, gens, err, c.gen)
			}
		}
		if err1 != nil || err2 != nil {
			return
		}
		if (k1 == k2) != (e1 == e2) {
			t.Fatalf("keys %q and %q map to entries %q and %q", k1, k2, e1, e2)
		}
		if e1 == g2 || e2 == g1 {
			t.Fatalf("an entry is also a generation key: %q %q %q %q", e1, g1, e2, g2)
		}
	})
}
