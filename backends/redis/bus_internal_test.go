package hoardredis

import (
	"reflect"
	"testing"

	"github.com/hoard-go/hoard/core/tiered"
)

// FuzzDecodeMessage: whatever arrives on the channel decodes without
// panicking, and what decodes encodes back to itself.
func FuzzDecodeMessage(f *testing.F) {
	f.Add(encodeMessage(tiered.Message{Origin: "ab12", Keys: []string{"hoard:users:1", "hoard:_tags:*/t"}, Namespaces: []string{"hoard:users"}}))
	f.Add("origin")
	f.Add("o\nx y")
	f.Add("o\nk")
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := decodeMessage(s)
		if !ok {
			return
		}
		if again, ok := decodeMessage(encodeMessage(m)); !ok || !reflect.DeepEqual(again, m) {
			t.Fatalf("%q decodes to %+v, which encodes to something else (%+v)", s, m, again)
		}
	})
}
