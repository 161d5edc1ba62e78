package hoardredis

import (
	"bytes"
	"errors"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
)

func TestCurrent(t *testing.T) {
	gen := "GEN45678"
	tests := []struct {
		name string
		vals []string
		want string // "" with wantMiss
		miss bool
	}{
		{"Hit", []string{gen + "value", gen}, "value", false},
		{"EmptyValue", []string{gen, gen}, "", false},
		{"BinaryValue", []string{gen + "\x00\r\n\xff", gen}, "\x00\r\n\xff", false},
		{"OldGeneration", []string{"OLDGEN00value", gen}, "", true},
		{"NoEntry", []string{"", gen}, "", true},
		{"NoGeneration", []string{gen + "value", ""}, "", true},
		{"NoneOfThem", []string{"", ""}, "", true},
		{"ShortEntry", []string{"GEN", "GEN"}, "", true},
		{"BadGenerationLength", []string{"GEN4value", "GEN4"}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := current(tc.vals)
			if tc.miss {
				if !errors.Is(err, hoard.ErrNotFound) {
					t.Fatalf("current = %q, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil || string(got) != tc.want || got == nil {
				t.Fatalf("current = %q (nil %v), %v; want %q", got, got == nil, err, tc.want)
			}
		})
	}
	if _, err := current([]string{"x"}); err == nil || errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("current of a 1-element reply: %v, want a non-miss error", err)
	}
}

// FuzzCurrent checks the MGET reply decoder never panics, and returns a
// value exactly when the entry starts with the current generation.
func FuzzCurrent(f *testing.F) {
	f.Add("GEN45678value", "GEN45678")
	f.Add("GEN45678", "GEN45678")
	f.Add("", "")
	f.Add("short", "short")
	f.Add("OLDGEN00value", "GEN45678")
	f.Fuzz(func(t *testing.T, entry, gen string) {
		got, err := current([]string{entry, gen})
		match := len(gen) == genLen && len(entry) >= genLen && entry[:genLen] == gen
		switch {
		case match && (err != nil || !bytes.Equal(got, []byte(entry[genLen:]))):
			t.Fatalf("current(%q, %q) = %q, %v; want %q", entry, gen, got, err, entry[genLen:])
		case !match && !errors.Is(err, hoard.ErrNotFound):
			t.Fatalf("current(%q, %q) = %q, %v; want ErrNotFound", entry, gen, got, err)
		}
	})
}
