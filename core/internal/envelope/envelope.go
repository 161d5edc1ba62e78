// Package envelope is the binary form of every value hoard stores: a
// versioned, checksummed record that carries the full key, so a corrupt,
// foreign or colliding value is recognised as such and becomes a miss.
package envelope

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/zeebo/xxh3"
)

// Every stored value is an envelope:
//
//	magic 'h' | version | kind | created (8, LE unix ns) | expires (8, LE unix ns, 0 = never)
//	uvarint len + full key
//	uvarint flags | uvarint fresh (ns after created, + 1; 0 = none) | uvarint stale-while-revalidate (s) | uvarint stale-if-error (s)
//	uvarint len + tag block
//	kinds HTTP and Vary: uvarint status | uvarint len + ETag | uvarint len + header block
//	                     | uvarint initial age (s) | uvarint len + vary block
//	uvarint len + body
//	checksum (8, LE XXH3-64 of all the bytes before it)
//
// Header, tag and vary blocks are sequences of (uvarint len + name, uvarint
// len + value) pairs, kept as one slice so a hit decodes without
// allocating. The version byte lets later releases add fields: a reader
// rejects versions it does not know, which makes them misses (version 1,
// without lifetimes, flags, tags or vary blocks, is such a version now).
const (
	envelopeMagic   = 'h'
	envelopeVersion = 2
	fixedHeaderLen  = 3 + 8 + 8
	checksumLen     = 8
)

// ErrCorrupt reports bytes that are not a valid envelope. Package hoard
// exports it as hoard.ErrCorrupt.
var ErrCorrupt = errors.New("hoard: corrupt entry")

// Kind says what an envelope holds.
type Kind byte

const (
	KindValue Kind = 1 // a function result or raw bytes
	KindHTTP  Kind = 2 // an HTTP response
	// KindVary is the record an HTTP response that varies on request
	// fields leaves under its URL's key: the fields' names (Vary) and,
	// in Body, the generation that the variants' keys carry.
	KindVary Kind = 3
)

// Flags of an entry.
const (
	// FlagMustRevalidate: never served stale (must-revalidate, or
	// proxy-revalidate in a shared cache).
	FlagMustRevalidate uint64 = 1 << iota
	// FlagNoCache: stored, but validated before every use (a response's
	// no-cache).
	FlagNoCache
	// FlagImmutable: not revalidated while fresh, even on a reload.
	FlagImmutable
	// FlagOwnETag: hoard made the ETag from the body; the origin does not
	// know it, so it is no validator to revalidate with.
	FlagOwnETag
	// FlagAuthorized: a shared cache may use the response for a request
	// with Authorization (RFC 9111 section 3.5: public, must-revalidate or
	// s-maxage).
	FlagAuthorized
)

// Entry is a decoded envelope. After Decode its slices alias the input
// bytes: a hit copies nothing.
type Entry struct {
	Kind    Kind
	Created int64 // unix nanoseconds: when the value was stored (an HTTP response: received)
	Expires int64 // unix nanoseconds: when the backend may drop it; 0 = never
	Key     []byte
	Flags   uint64
	// FreshUntil is when the value turns stale (unix nanoseconds, not
	// before Created); 0: fresh for as long as it is stored.
	FreshUntil int64
	// StaleWhileRevalidate and StaleIfError are the windows, in seconds
	// past freshness, in which the value may be served stale.
	StaleWhileRevalidate, StaleIfError uint32
	Tags                               []byte // a block of tag names (values empty)

	Status     int    // HTTP only
	ETag       []byte // HTTP only
	Header     []byte // HTTP only: an encoded header block, see AppendField
	InitialAge int64  // HTTP only: the response's age when stored, in seconds
	// Vary is, for KindVary, the names the response varies on, and for a
	// variant, the names with the request's (normalised) values.
	Vary []byte
	Body []byte
}

// EncodedLen is at most the length of e's envelope.
func (e *Entry) EncodedLen() int {
	n := fixedHeaderLen + binary.MaxVarintLen64*7 + len(e.Key) + len(e.Tags) + len(e.Body) + checksumLen
	if e.Kind != KindValue {
		n += binary.MaxVarintLen64*5 + len(e.ETag) + len(e.Header) + len(e.Vary)
	}
	return n
}

// Append appends e's envelope to dst.
func Append(dst []byte, e *Entry) []byte {
	start := len(dst)
	dst = append(dst, envelopeMagic, envelopeVersion, byte(e.Kind))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(e.Created))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(e.Expires))
	dst = appendBytes(dst, e.Key)
	dst = binary.AppendUvarint(dst, e.Flags)
	var fresh uint64
	if e.FreshUntil != 0 {
		fresh = uint64(max(e.FreshUntil-e.Created, 0)) + 1
	}
	dst = binary.AppendUvarint(dst, fresh)
	dst = binary.AppendUvarint(dst, uint64(e.StaleWhileRevalidate))
	dst = binary.AppendUvarint(dst, uint64(e.StaleIfError))
	dst = appendBytes(dst, e.Tags)
	if e.Kind != KindValue {
		dst = binary.AppendUvarint(dst, uint64(e.Status))
		dst = appendBytes(dst, e.ETag)
		dst = appendBytes(dst, e.Header)
		dst = binary.AppendUvarint(dst, uint64(max(e.InitialAge, 0)))
		dst = appendBytes(dst, e.Vary)
	}
	dst = appendBytes(dst, e.Body)
	return binary.LittleEndian.AppendUint64(dst, xxh3.Hash(dst[start:]))
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// AppendField appends one header name/value pair to a header block.
func AppendField(block []byte, name, value string) []byte {
	block = binary.AppendUvarint(block, uint64(len(name)))
	block = append(block, name...)
	block = binary.AppendUvarint(block, uint64(len(value)))
	return append(block, value...)
}

// corrupt builds the error for an undecodable envelope. Kept out of line so
// the decoder's fast path stays small.
func corrupt(why string) error { return fmt.Errorf("%w: %s", ErrCorrupt, why) }

// Decode parses b into e without copying. It fails with ErrCorrupt for
// anything but a complete, checksummed envelope of a known version.
func Decode(b []byte, e *Entry) error { return Parse(b, e, true) }

// Parse is Decode, with the checksum verified only when verify is
// set: sizing a value (memo.Size) reads its fields, and trusts nothing.
func Parse(b []byte, e *Entry, verify bool) error {
	if len(b) < fixedHeaderLen+checksumLen {
		return corrupt("too short")
	}
	if b[0] != envelopeMagic {
		return corrupt("not a hoard entry")
	}
	if b[1] != envelopeVersion {
		return corrupt(fmt.Sprintf("unknown envelope version %d", b[1]))
	}
	payload := b[:len(b)-checksumLen]
	if verify && xxh3.Hash(payload) != binary.LittleEndian.Uint64(b[len(payload):]) {
		return corrupt("checksum mismatch")
	}
	e.Kind = Kind(b[2])
	if e.Kind != KindValue && e.Kind != KindHTTP && e.Kind != KindVary {
		return corrupt("unknown entry kind")
	}
	e.Created = int64(binary.LittleEndian.Uint64(b[3:]))
	e.Expires = int64(binary.LittleEndian.Uint64(b[11:]))
	r := reader{b: payload[fixedHeaderLen:]}
	e.Key = r.bytes()
	e.Flags = r.uvarint()
	e.FreshUntil = 0
	if fresh := r.uvarint(); fresh != 0 {
		e.FreshUntil = e.Created + int64((fresh-1)&maxInt63)
	}
	e.StaleWhileRevalidate = uint32(min(r.uvarint(), maxUint32))
	e.StaleIfError = uint32(min(r.uvarint(), maxUint32))
	e.Tags = r.bytes()
	if !r.failed && !validHeaderBlock(e.Tags) {
		r.fail()
	}
	e.Status, e.ETag, e.Header, e.InitialAge, e.Vary = 0, nil, nil, 0, nil
	if e.Kind != KindValue {
		status := r.uvarint()
		if e.Kind == KindHTTP && (status < 100 || status > 999) {
			r.fail()
		}
		e.Status = int(min(status, 999))
		e.ETag = r.bytes()
		e.Header = r.bytes()
		e.InitialAge = int64(r.uvarint() & maxInt63)
		e.Vary = r.bytes()
		if !r.failed && (!validHeaderBlock(e.Header) || !validHeaderBlock(e.Vary)) {
			r.fail()
		}
	}
	e.Body = r.bytes()
	if r.failed || len(r.b) != 0 {
		return corrupt("malformed fields")
	}
	return nil
}

const (
	maxInt63  = 1<<63 - 1
	maxUint32 = 1<<32 - 1
)

// Fields calls fn for each name/value pair of a valid header block.
func Fields(block []byte, fn func(name, value []byte)) {
	for name, value, rest := NextField(block); name != nil; name, value, rest = NextField(rest) {
		fn(name, value)
	}
}

// NextField splits the first name/value pair off a valid header block; name
// is nil at the end. The slices view block.
func NextField(block []byte) (name, value, rest []byte) {
	if len(block) == 0 {
		return nil, nil, nil
	}
	r := reader{b: block}
	name = r.bytes()
	value = r.bytes()
	return name, value, r.b
}

// IsHTTP reports whether b looks like an HTTP entry's envelope, from its
// first bytes alone (nothing is verified).
func IsHTTP(b []byte) bool {
	return len(b) >= fixedHeaderLen && b[0] == envelopeMagic && b[1] == envelopeVersion && Kind(b[2]) == KindHTTP
}

func validHeaderBlock(block []byte) bool {
	r := reader{b: block}
	for len(r.b) > 0 && !r.failed {
		r.bytes()
		r.bytes()
	}
	return !r.failed
}

// reader consumes varint-prefixed fields; a short or oversized field sets
// failed instead of panicking.
type reader struct {
	b      []byte
	failed bool
}

func (r *reader) fail() { r.failed = true; r.b = nil }

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if r.failed || n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// AppendTags encodes an entry's tags block: since (Unix nanoseconds, when
// the entry's making began: invalidations from then on apply to it) and
// the tags. No tags make no block.
func AppendTags(dst []byte, since int64, tags []string) []byte {
	if len(tags) == 0 {
		return dst
	}
	dst = AppendField(dst, "", strconv.FormatInt(since, 10))
	for _, t := range tags {
		dst = AppendField(dst, t, "")
	}
	return dst
}

// VisitTags reads a tags block: since, then each tag. It reports false
// for a block AppendTags did not make.
func VisitTags(block []byte, tag func(t []byte)) (since int64, ok bool) {
	seen := false
	for rest := block; len(rest) > 0; {
		var n, v []byte
		n, v, rest = NextField(rest)
		if len(n) == 0 {
			s, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				return 0, false
			}
			since, seen = s, true
			continue
		}
		tag(n)
	}
	return since, seen
}

// Expiry returns the expiry (Unix nanoseconds, 0 for none) written in b's
// fixed header, if b looks like an envelope; 0 otherwise. Nothing is
// verified: it only bounds how long a copy of b is kept.
func Expiry(b []byte) int64 {
	if len(b) < fixedHeaderLen || b[0] != envelopeMagic || b[1] != envelopeVersion {
		return 0
	}
	return int64(binary.LittleEndian.Uint64(b[11:]))
}

// FreshUntil returns when the value of envelope b turns stale (Unix
// nanoseconds; 0 for none, or for b that is not an intact envelope). It
// reads b's fields without verifying its checksum.
func FreshUntil(b []byte) int64 {
	if len(b) < fixedHeaderLen+checksumLen || b[0] != envelopeMagic || b[1] != envelopeVersion {
		return 0
	}
	var e Entry
	if Parse(b, &e, false) != nil {
		return 0
	}
	return e.FreshUntil
}
