// Package keys holds what package hoard's JoinKey and the HTTP engine's key
// builder share: both must agree on which ids stay verbatim.
package keys

import (
	"encoding/binary"
	"unsafe"
)

// HashedIDMarker starts an id that was replaced by its hash.
const HashedIDMarker = '#'

// Printable reports whether s is all ASCII 0x21..0x7e (no spaces or control
// characters): safe for every backend's key syntax. It tests eight bytes at
// a time, since every hit checks its whole key.
func Printable(s string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))
		below := (x - ones*0x21) &^ x       // a byte < 0x21 sets its high bit
		above := (x + ones*(0x7f-0x7e)) | x // a byte > 0x7e sets its high bit
		if (below|above)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}
