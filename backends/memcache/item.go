package hoardmemcache

import (
	"encoding/binary"
	"errors"
	"fmt"

	hoard "github.com/hoard-go/hoard/core"
)

// Stored item layout (version 1). Every value the backend writes is
//
//	byte 0     itemMagic ('h')
//	byte 1     itemVersion (1)
//	byte 2     flags: flagGen | flagKey, other bits zero
//	[8]        generation, big endian        (flagGen: key has a namespace)
//	uvarint+n  original key                   (flagKey: key was hashed)
//	rest       the caller's value
//
// The generation is compared with the namespace's counter on every read,
// which is how ClearNamespace works without listing keys. The original key
// is only needed when the memcached key is a hash of it.
const (
	itemMagic   = 'h'
	itemVersion = 1
	flagGen     = 1 << 0
	flagKey     = 1 << 1
	headerLen   = 3
)

// errBadItem reports bytes that are not an item in this layout (written by
// something else, or damaged). Reads treat it as a miss.
var errBadItem = errors.New("hoardmemcache: malformed item")

type item struct {
	gen    uint64
	hasGen bool
	key    []byte // original key; nil unless flagKey
	hasKey bool
	value  []byte
}

// itemLen returns the encoded size of an item, for the size check made
// before any round trip.
func itemLen(hasGen bool, key string, hasKey bool, valueLen int) int {
	n := headerLen + valueLen
	if hasGen {
		n += 8
	}
	if hasKey {
		n += uvarintLen(uint64(len(key))) + len(key)
	}
	return n
}

// appendItem appends the encoded item to dst.
func appendItem(dst []byte, gen uint64, hasGen bool, key string, hasKey bool, value []byte) []byte {
	var flags byte
	if hasGen {
		flags |= flagGen
	}
	if hasKey {
		flags |= flagKey
	}
	dst = append(dst, itemMagic, itemVersion, flags)
	if hasGen {
		dst = binary.BigEndian.AppendUint64(dst, gen)
	}
	if hasKey {
		dst = binary.AppendUvarint(dst, uint64(len(key)))
		dst = append(dst, key...)
	}
	return append(dst, value...)
}

// decodeItem parses b. The returned slices alias b.
func decodeItem(b []byte) (item, error) {
	var it item
	if len(b) < headerLen || b[0] != itemMagic {
		return it, errBadItem
	}
	if b[1] != itemVersion {
		return it, fmt.Errorf("%w: unknown version %d", errBadItem, b[1])
	}
	flags := b[2]
	if flags&^(flagGen|flagKey) != 0 {
		return it, fmt.Errorf("%w: unknown flags %#x", errBadItem, flags)
	}
	b = b[headerLen:]
	if flags&flagGen != 0 {
		if len(b) < 8 {
			return it, fmt.Errorf("%w: truncated generation", errBadItem)
		}
		it.gen, it.hasGen = binary.BigEndian.Uint64(b), true
		b = b[8:]
	}
	if flags&flagKey != 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || w != uvarintLen(n) || n > uint64(len(b)-w) { // one encoding per item: no overlong varints
			return it, fmt.Errorf("%w: truncated key", errBadItem)
		}
		it.key, it.hasKey = b[w:w+int(n)], true
		b = b[w+int(n):]
	}
	it.value = b
	return it, nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

// corrupt wraps errBadItem so that it reads as both a miss and corruption.
func corrupt(err error) error {
	return fmt.Errorf("%w: %w: %w", hoard.ErrNotFound, hoard.ErrCorrupt, err)
}
