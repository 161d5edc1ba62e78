package hoardmemcache

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestItemRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		gen    uint64
		hasGen bool
		key    string
		hasKey bool
		value  []byte
	}{
		{"bare", 0, false, "", false, []byte("v")},
		{"empty value", 0, false, "", false, []byte{}},
		{"generation", 1<<64 - 1, true, "", false, []byte("v")},
		{"key", 0, false, "a key", true, []byte("v")},
		{"empty key", 0, false, "", true, []byte("v")},
		{"both", 42, true, strings.Repeat("k", 300), true, []byte("\x00h\x01\x03")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := appendItem(nil, tc.gen, tc.hasGen, tc.key, tc.hasKey, tc.value)
			if len(b) != itemLen(tc.hasGen, tc.key, tc.hasKey, len(tc.value)) {
				t.Fatalf("encoded %d bytes, itemLen says %d", len(b), itemLen(tc.hasGen, tc.key, tc.hasKey, len(tc.value)))
			}
			it, err := decodeItem(b)
			if err != nil {
				t.Fatal(err)
			}
			if it.hasGen != tc.hasGen || it.gen != tc.gen || it.hasKey != tc.hasKey || string(it.key) != tc.key || !bytes.Equal(it.value, tc.value) {
				t.Fatalf("decoded %+v", it)
			}
		})
	}
}

func TestDecodeItemRejects(t *testing.T) {
	for _, b := range []string{
		"", "h", "h\x01", "x\x01\x00", "h\x02\x00", "h\x01\x04", "h\x01\x80",
		"h\x01\x01\x00\x00\x00", // truncated generation
		"h\x01\x02\x05abc",      // key longer than the item
		"h\x01\x02",             // missing key length
		"h\x01\x02\x80\x00",     // overlong varint
		"h\x01\x02\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", // huge length
	} {
		if _, err := decodeItem([]byte(b)); !errors.Is(err, errBadItem) {
			t.Errorf("decodeItem(%q) error = %v, want errBadItem", b, err)
		}
	}
}

// FuzzDecodeItem: no input panics, and whatever decodes re-encodes to the
// same bytes (one encoding per item).
func FuzzDecodeItem(f *testing.F) {
	f.Add([]byte("h\x01\x00value"))
	f.Add(appendItem(nil, 7, true, "k e y", true, []byte("v")))
	f.Add(appendItem(nil, 1<<63, true, "", false, nil))
	f.Add([]byte("h\x01\x02\x80\x00"))
	f.Add([]byte("h\x01\x03\x00\x00\x00\x00\x00\x00\x00\x01\x7f"))
	f.Fuzz(func(t *testing.T, b []byte) {
		it, err := decodeItem(b)
		if err != nil {
			return
		}
		again := appendItem(nil, it.gen, it.hasGen, string(it.key), it.hasKey, it.value)
		if !bytes.Equal(again, b) {
			t.Fatalf("decode/encode changed %q into %q", b, again)
		}
	})
}

// FuzzParseGeneration checks the hand-written parser against strconv.
func FuzzParseGeneration(f *testing.F) {
	for _, s := range []string{"0", "42", "18446744073709551615", "18446744073709551616", "", " ", "12  ", "-1", "+1", "1e3", "007"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, ok := parseGeneration(b)
		want, err := parseUintStrict(strings.TrimRight(string(b), " "))
		if ok != (err == nil) || (ok && g != want) {
			t.Fatalf("parseGeneration(%q) = %d, %v; strconv says %d, %v", b, g, ok, want, err)
		}
	})
}

// parseUintStrict is strconv.ParseUint without the forms it accepts that
// memcached never writes ("+1", "0x10", "1_000").
func parseUintStrict(s string) (uint64, error) {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a decimal")
		}
	}
	return strconv.ParseUint(s, 10, 64)
}
