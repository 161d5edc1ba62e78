package keys

import (
	"strings"
	"testing"
)

// TestPrintableEveryByte checks the eight-bytes-at-a-time test against the
// plain definition for every byte value at every position of strings of
// lengths around the word size.
func TestPrintableEveryByte(t *testing.T) {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x21 || s[i] > 0x7e {
				return false
			}
		}
		return true
	}
	if !Printable("") {
		t.Error(`Printable("") = false, want true`)
	}
	for n := 1; n <= 17; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("k", n))
				b[pos] = byte(c)
				if got, want := Printable(string(b)), plain(string(b)); got != want {
					t.Fatalf("Printable(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
	if !Printable(string(rune(HashedIDMarker))) {
		t.Error("the hashed id marker is not printable")
	}
}
