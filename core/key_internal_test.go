package hoard

import (
	"context"
	"strings"
	"testing"
	"time"
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
	for n := 1; n <= 17; n++ {
		for pos := range n {
			for c := range 256 {
				b := []byte(strings.Repeat("k", n))
				b[pos] = byte(c)
				if got, want := printable(string(b)), plain(string(b)); got != want {
					t.Fatalf("printable(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}

// BenchmarkAppendKey is the key a hit builds for a typical request.
func BenchmarkAppendKey(b *testing.B) {
	c, err := New(nopBackend{})
	if err != nil {
		b.Fatal(err)
	}
	h, err := NewHTTP(c)
	if err != nil {
		b.Fatal(err)
	}
	r := &Request{Method: "GET", Host: "api.example", Path: "/items", RawQuery: "page=1"}
	var f requestFields
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = h.appendKey(buf[:0], r, &f)
	}
}

// nopBackend stores nothing: enough for a Cache whose keys are built.
type nopBackend struct{}

func (nopBackend) Get(context.Context, string) ([]byte, error)              { return nil, ErrNotFound }
func (nopBackend) Set(context.Context, string, []byte, time.Duration) error { return nil }
func (nopBackend) Delete(context.Context, string) error                     { return nil }
