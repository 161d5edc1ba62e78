package hoardmemcache

import (
	"bytes"
	"context"
	"fmt"
	"github.com/hoard-go/hoard/core/testserver"
	"sync/atomic"
	"testing"
	"time"
)

// Benchmarks against a real memcached on loopback: the numbers are
// dominated by the round trip(s); allocations are the backend's plus
// gomemcache's.
//
//	go test -run '^$' -bench . -benchmem ./backends/memcache

func BenchmarkGet(b *testing.B) {
	srv := testserver.Memcached(b)
	s := newTestStore(b, srv.Addr)
	ctx := context.Background()
	value := bytes.Repeat([]byte{'v'}, 1<<10)
	for _, key := range []string{"bench:ns:hit", "no-namespace"} {
		if err := s.Set(ctx, key, value, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("hit-1KiB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, "bench:ns:hit"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hit-1KiB-no-namespace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, "no-namespace"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hit-1KiB-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Get(ctx, "bench:ns:hit"); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkSet(b *testing.B) {
	srv := testserver.Memcached(b)
	s := newTestStore(b, srv.Addr)
	ctx := context.Background()
	value := bytes.Repeat([]byte{'v'}, 1<<10)
	b.Run("1KiB", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := s.Set(ctx, "bench:ns:set", value, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("1KiB-parallel", func(b *testing.B) {
		b.ReportAllocs()
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			key := fmt.Sprint("bench:ns:set", n.Add(1))
			for pb.Next() {
				if err := s.Set(ctx, key, value, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkItem(b *testing.B) {
	value := bytes.Repeat([]byte{'v'}, 1<<10)
	buf := make([]byte, 0, 2<<10)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendItem(buf[:0], 42, true, "", false, value)
		if _, err := decodeItem(buf); err != nil {
			b.Fatal(err)
		}
	}
}
