package hoardmemcache

import (
	"strings"

	hoard "github.com/hoard-go/hoard/core"
)

// Memcached keys are at most 250 bytes without spaces or control
// characters. Item keys are mapped so that any string works:
//
//	key itself        when it is 1-250 bytes of printable ASCII (0x21-0x7e)
//	                  and does not start with '~'
//	"~k" + hash(key)  otherwise (hash: hoard.HashString, 128-bit XXH3 hex);
//	                  the item then also stores key, so a collision is a miss
//	"~g:" + ns        a namespace's generation counter, ns verbatim when
//	"~gh" + hash(ns)  safe, hashed when not
//
// Keys starting with '~' are never kept verbatim, so the three shapes
// cannot meet. hoard.JoinKey already produces safe keys; the hashing is for
// custom keys and NewFromClient users.
const (
	reservedMarker = '~'
	hashedKeyTag   = "~k"
	genKeyTag      = "~g:"
	hashedGenTag   = "~gh"
	maxKeyLen      = 250
)

// ItemKey returns the memcached key under which the backend stores key,
// for looking an entry up by hand (for example with memcached's "get").
// The stored value is in the backend's item layout, not the raw value.
func ItemKey(key string) string {
	k, _ := itemKey(key)
	return k
}

// itemKey maps key to its memcached key and reports whether it was hashed
// (then the item must carry key to detect collisions).
func itemKey(key string) (string, bool) {
	if verbatimOK(key) {
		return key, false
	}
	return hashedKeyTag + hoard.HashString(key), true
}

// genKey returns the memcached key of namespace ns's generation counter.
func genKey(ns string) string {
	if len(genKeyTag)+len(ns) <= maxKeyLen && safe(ns) {
		return genKeyTag + ns
	}
	return hashedGenTag + hoard.HashString(ns)
}

func verbatimOK(key string) bool {
	return key != "" && len(key) <= maxKeyLen && key[0] != reservedMarker && safe(key)
}

// safe reports whether s is printable ASCII without spaces: legal in a
// memcached key on every server version and protocol.
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// namespaceOf returns the namespace whose generation guards key: the
// "prefix:namespace" part of a hoard key. Keys without one (fewer than two
// ':') have no generation and are untouched by ClearNamespace.
func namespaceOf(key string) (string, bool) { return hoard.KeyNamespace(key) }

// validNamespace reports whether ns can be a ClearNamespace argument: the
// exact shape hoard.KeyNamespace returns, "prefix:namespace".
func validNamespace(ns string) bool { return strings.Count(ns, ":") == 1 }
