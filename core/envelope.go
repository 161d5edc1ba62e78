package hoard

import (
	"encoding/binary"
	"fmt"

	"github.com/zeebo/xxh3"
)

// Every stored value is an envelope:
//
//	magic 'h' | version | kind | created (8, LE unix ns) | expires (8, LE unix ns, 0 = never)
//	uvarint len + full key
//	kind HTTP only: uvarint status | uvarint len + ETag | uvarint len + header block
//	uvarint len + body
//	checksum (8, LE XXH3-64 of all the bytes before it)
//
// The header block is a sequence of (uvarint len + name, uvarint len + value)
// pairs, kept as one slice so a hit decodes without allocating. The version
// byte lets later releases (stale windows, tags, compression) add fields:
// a reader rejects versions it does not know, which makes them misses.
const (
	envelopeMagic   = 'h'
	envelopeVersion = 1
	fixedHeaderLen  = 3 + 8 + 8
	checksumLen     = 8
)

type entryKind byte

const (
	kindValue entryKind = 1 // a function result or raw bytes
	kindHTTP  entryKind = 2 // an HTTP response
)

// entry is a decoded envelope. After decodeEntry its slices alias the input
// bytes: a hit copies nothing.
type entry struct {
	kind    entryKind
	created int64 // unix nanoseconds
	expires int64 // unix nanoseconds; 0 = never
	key     []byte
	status  int
	etag    []byte
	header  []byte // encoded header block, see appendHeaderField
	body    []byte
}

func (e *entry) encodedLen() int {
	n := fixedHeaderLen + binary.MaxVarintLen64*2 + len(e.key) + len(e.body) + checksumLen
	if e.kind == kindHTTP {
		n += binary.MaxVarintLen64*3 + len(e.etag) + len(e.header)
	}
	return n
}

// appendEntry appends e's envelope to dst.
func appendEntry(dst []byte, e *entry) []byte {
	start := len(dst)
	dst = append(dst, envelopeMagic, envelopeVersion, byte(e.kind))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(e.created))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(e.expires))
	dst = appendBytes(dst, e.key)
	if e.kind == kindHTTP {
		dst = binary.AppendUvarint(dst, uint64(e.status))
		dst = appendBytes(dst, e.etag)
		dst = appendBytes(dst, e.header)
	}
	dst = appendBytes(dst, e.body)
	return binary.LittleEndian.AppendUint64(dst, xxh3.Hash(dst[start:]))
}

func appendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// appendHeaderField appends one header name/value pair to a header block.
func appendHeaderField(block []byte, name, value string) []byte {
	block = binary.AppendUvarint(block, uint64(len(name)))
	block = append(block, name...)
	block = binary.AppendUvarint(block, uint64(len(value)))
	return append(block, value...)
}

// corrupt builds the error for an undecodable envelope. Kept out of line so
// the decoder's fast path stays small.
func corrupt(why string) error { return fmt.Errorf("%w: %s", ErrCorrupt, why) }

// decodeEntry parses b into e without copying. It fails with ErrCorrupt for
// anything but a complete, checksummed envelope of a known version.
func decodeEntry(b []byte, e *entry) error { return parseEntry(b, e, true) }

// parseEntry is decodeEntry, with the checksum verified only when verify is
// set: sizing a value (MemoSize) reads its fields, and trusts nothing.
func parseEntry(b []byte, e *entry, verify bool) error {
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
	e.kind = entryKind(b[2])
	if e.kind != kindValue && e.kind != kindHTTP {
		return corrupt("unknown entry kind")
	}
	e.created = int64(binary.LittleEndian.Uint64(b[3:]))
	e.expires = int64(binary.LittleEndian.Uint64(b[11:]))
	r := reader{b: payload[fixedHeaderLen:]}
	e.key = r.bytes()
	e.status, e.etag, e.header = 0, nil, nil
	if e.kind == kindHTTP {
		status := r.uvarint()
		if status < 100 || status > 999 {
			r.fail()
		}
		e.status = int(status)
		e.etag = r.bytes()
		e.header = r.bytes()
		if !r.failed && !validHeaderBlock(e.header) {
			r.fail()
		}
	}
	e.body = r.bytes()
	if r.failed || len(r.b) != 0 {
		return corrupt("malformed fields")
	}
	return nil
}

// headerFields calls fn for each name/value pair of a valid header block.
func headerFields(block []byte, fn func(name, value []byte)) {
	r := reader{b: block}
	for len(r.b) > 0 {
		name := r.bytes()
		fn(name, r.bytes())
	}
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
