package hoardredis

import (
	"fmt"
	"strings"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/zeebo/xxh3"
)

// Redis key layout. A hoard key "prefix:namespace:id" with namespace part
// ns = "prefix:namespace" is stored under
//
//	entry:      KeyPrefix + "{" + tag + "}" + key
//	generation: KeyPrefix + "{" + tag + "}" + ns
//
// tag is the hex of a 32-bit hash of ns, plus "." and the shard number
// (hex) when NamespaceShards > 1; the shard is picked by a hash of id. The
// braces are a Redis hash tag: an entry and the generation key it is checked
// against always share a hash slot, so one MGET (or one script) can use
// both on Cluster, while the shards of one namespace land in different
// slots.
//
// The layout is injective: the tag has a fixed alphabet without '}', and a
// generation key has one ':' after the tag where an entry has at least two.

// keyLayout maps hoard keys to Redis keys.
type keyLayout struct {
	prefix string
	shards int
}

const hexDigits = "0123456789abcdef"

// appendTag appends "{tag}" for namespace ns and the given shard.
func (l keyLayout) appendTag(b *strings.Builder, ns string, shard int) {
	h := uint32(xxh3.HashString(ns))
	b.WriteString(l.prefix)
	b.WriteByte('{')
	for shift := 28; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[h>>uint(shift)&0xf])
	}
	if l.shards > 1 {
		b.WriteByte('.')
		started := false
		for shift := 12; shift >= 0; shift -= 4 {
			d := shard >> uint(shift) & 0xf
			if d != 0 || started || shift == 0 {
				b.WriteByte(hexDigits[d])
				started = true
			}
		}
	}
	b.WriteByte('}')
}

// tagLen is an upper bound of the bytes appendTag writes after the prefix.
const tagLen = 2 + 8 + 1 + 3

// keys returns the entry key for a hoard key and the generation key it is
// checked against. The generation key is a prefix of the entry key, so
// both share one allocation.
func (l keyLayout) keys(key string) (entry, gen string, err error) {
	ns, ok := hoard.KeyNamespace(key)
	if !ok {
		return "", "", fmt.Errorf("hoardredis: %w: %q is not of the form prefix:namespace:id", hoard.ErrInvalidKey, key)
	}
	shard := 0
	if l.shards > 1 {
		shard = int(xxh3.HashString(key[len(ns)+1:]) % uint64(l.shards))
	}
	var b strings.Builder
	b.Grow(len(l.prefix) + tagLen + len(key))
	l.appendTag(&b, ns, shard)
	genLen := b.Len() + len(ns)
	b.WriteString(key)
	entry = b.String()
	return entry, entry[:genLen], nil
}

// generationKeys returns the generation key of every shard of ns.
func (l keyLayout) generationKeys(ns string) ([]string, error) {
	if strings.Count(ns, ":") != 1 {
		return nil, fmt.Errorf("hoardredis: %w: namespace %q is not of the form prefix:namespace", hoard.ErrInvalidKey, ns)
	}
	keys := make([]string, l.shards)
	for i := range keys {
		var b strings.Builder
		b.Grow(len(l.prefix) + tagLen + len(ns))
		l.appendTag(&b, ns, i)
		b.WriteString(ns)
		keys[i] = b.String()
	}
	return keys, nil
}
