package hoardredis

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSlotGroups is what GetMulti builds before it sends anything:
// the two keys of a tagged hit (the entry and its tag, in two
// namespaces), and a page of 20 keys over 4 namespaces.
func BenchmarkSlotGroups(b *testing.B) {
	s := &Store{layout: keyLayout{prefix: "hoard", shards: 16}}
	for _, tc := range []struct {
		name string
		keys []string
	}{
		{"tagged-hit", []string{"app:profile:42", "app:_tags:profile:42"}},
		{"page-20", func() []string {
			keys := make([]string, 20)
			for i := range keys {
				keys[i] = fmt.Sprintf("app:ns%d:item%d", i%4, i)
			}
			return keys
		}()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.slotGroups(ctx, tc.keys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
