package hoard

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/zeebo/xxh3"

	"github.com/hoard-go/hoard/core/internal/keys"
)

// MaxKeyLen is the longest key hoard ever hands a backend: memcached's limit.
const MaxKeyLen = 250

const (
	maxPrefixLen    = 64
	maxNamespaceLen = 128
)

// JoinKey builds the backend key "prefix:namespace:id".
//
// prefix and namespace must be printable ASCII without ':' or spaces (see
// [ValidateName]). id is kept verbatim when it is printable ASCII without
// spaces and the whole key fits in [MaxKeyLen]; any other id is replaced by
// "#" and the hex of its 128-bit XXH3 hash, which is the same in every
// process and on every machine. The entry stored under the key always
// carries the full unhashed key, so two ids with one hash are a miss, never
// a wrong value.
func JoinKey(prefix, namespace, id string) string {
	n := len(prefix) + 1 + len(namespace) + 1
	if n+len(id) <= MaxKeyLen && id != "" && id[0] != keys.HashedIDMarker && keys.Printable(id) {
		return prefix + ":" + namespace + ":" + id
	}
	var b strings.Builder
	b.Grow(n + 33)
	b.WriteString(prefix)
	b.WriteByte(':')
	b.WriteString(namespace)
	b.WriteByte(':')
	b.WriteByte(keys.HashedIDMarker)
	b.WriteString(HashString(id))
	return b.String()
}

// HashString returns the 32-character hex of s's 128-bit XXH3 hash: stable
// across processes, machines and releases.
func HashString(s string) string {
	sum := xxh3.HashString128(s).Bytes()
	return hex.EncodeToString(sum[:])
}

// KeyNamespace returns the "prefix:namespace" part of a key built by
// [JoinKey], the argument [NamespaceClearer.ClearNamespace] receives.
func KeyNamespace(key string) (string, bool) {
	i := strings.IndexByte(key, ':')
	if i < 0 {
		return "", false
	}
	j := strings.IndexByte(key[i+1:], ':')
	if j < 0 {
		return "", false
	}
	return key[:i+1+j], true
}

// ValidateName reports whether s can be a key prefix or namespace: at most
// 128 bytes of printable ASCII without ':' or spaces. The empty string is
// valid.
func ValidateName(s string) error {
	if len(s) > maxNamespaceLen {
		return fmt.Errorf("%w: %q is longer than %d bytes", ErrInvalidKey, s, maxNamespaceLen)
	}
	if strings.IndexByte(s, ':') >= 0 || !keys.Printable(s) {
		return fmt.Errorf("%w: %q must be printable ASCII without ':' or spaces", ErrInvalidKey, s)
	}
	if s == tagNamespace {
		return fmt.Errorf("%w: namespace %q is hoard's own (tag states)", ErrInvalidKey, s)
	}
	return nil
}
