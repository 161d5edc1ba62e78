package httpcache

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/keys"
)

// A response whose Vary names request fields the route does not key on
// (RFC 9111 section 4.1) is stored as a variant. The URL's own key then
// holds a vary record: the names, and a generation. Each variant lives
// under the URL's key, the generation and the request's values of the
// names (normalised); a lookup that finds the record reads those values
// from the request and looks the variant up: one more read, for varied
// responses only. Dropping the URL's key (a write to the URL, a purge)
// drops the record, which leaves every variant unreachable: the next
// record gets another generation.

// varyRecord is a decoded vary record.
type varyRecord struct {
	names []string
	gen   uint64
}

// decodeVaryRecord reads a KindVary entry.
func decodeVaryRecord(ent *envelope.Entry) (varyRecord, bool) {
	if ent.Kind != envelope.KindVary || len(ent.Body) != 8 {
		return varyRecord{}, false
	}
	rec := varyRecord{gen: binary.LittleEndian.Uint64(ent.Body)}
	for name, _, rest := envelope.NextField(ent.Vary); name != nil; name, _, rest = envelope.NextField(rest) {
		rec.names = append(rec.names, string(name))
	}
	return rec, len(rec.names) > 0
}

// newGeneration is a variant generation: random, so that two processes
// writing a record at once do not collide with earlier variants.
func newGeneration() uint64 { return rand.Uint64() | 1 }

// varyBlock encodes names with their normalised values in h (values
// empty when h is nil: a record).
func varyBlock(names []string, h RequestHeader) []byte {
	var b []byte
	for _, n := range names {
		v := ""
		if h != nil {
			v = normaliseValue(n, h.Get(n))
		}
		b = envelope.AppendField(b, n, v)
	}
	return b
}

// variantKey is the key of the variant of base (a URL's key) for
// generation gen and the names and values of block: base, the generation,
// then each value, length-prefixed so no value can forge another's key.
// Like any key, it is hashed when it would be too long or not printable.
func (e *Engine) variantKey(base string, gen uint64, block []byte) string {
	b := make([]byte, 0, len(base)+64)
	b = append(b, base...)
	b = append(b, "|v"...)
	b = strconv.AppendUint(b, gen, 16)
	for name, v, rest := envelope.NextField(block); name != nil; name, v, rest = envelope.NextField(rest) {
		b = append(b, '|')
		b = appendComponent(b, unsafeString(v))
	}
	head := len(e.keyHead)
	if id := b[head:]; len(b) > hoard.MaxKeyLen || !keys.Printable(unsafeString(id)) {
		hashed := hoard.HashString(string(id))
		b = append(b[:head], keys.HashedIDMarker)
		b = append(b, hashed...)
	}
	return string(b)
}

// sameVary reports whether a variant's stored block matches what h sends.
func sameVary(stored []byte, h RequestHeader) bool {
	for name, v, rest := envelope.NextField(stored); name != nil; name, v, rest = envelope.NextField(rest) {
		if normaliseValue(string(name), h.Get(string(name))) != string(v) {
			return false
		}
	}
	return true
}

// needsNormalising reports whether normaliseValue would change v.
func needsNormalising(v string, lower bool) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == ' ' || c == '\t' || lower && 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// caseInsensitiveValues are request fields whose values compare without
// regard to case (RFC 9110: content codings, language tags, media types,
// charsets).
var caseInsensitiveValues = []string{"Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language"}

// normaliseValue rewrites a request field's value so that values RFC 9110
// gives one meaning compare equal (RFC 9111 section 4.1): whitespace
// around list commas and parameter semicolons is dropped, and the values
// of the Accept fields are lower-cased.
func normaliseValue(name, v string) string {
	lower := slices.Contains(caseInsensitiveValues, name)
	if !needsNormalising(v, lower) {
		return v // nothing to rewrite: no copy
	}
	v = strings.TrimSpace(v)
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ' ' || c == '\t':
			// Keep a space only between two characters that are not list
			// or parameter separators.
			j := i
			for j < len(v) && (v[j] == ' ' || v[j] == '\t') {
				j++
			}
			prev := byte(0)
			if b.Len() > 0 {
				prev = b.String()[b.Len()-1]
			}
			if j < len(v) && v[j] != ',' && v[j] != ';' && prev != ',' && prev != ';' && prev != 0 {
				b.WriteByte(' ')
			}
			i = j - 1
		case lower && 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
