package hoardredis_test

import (
	"crypto/rand"
	"github.com/hoard-go/hoard/core/testserver"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// benchValue is the size of a typical cached JSON response.
var benchValue = func() []byte {
	b := make([]byte, 1<<10)
	_, _ = rand.Read(b)
	return b
}()

// benchStore starts a server and returns a store on it and its address.
func benchStore(b *testing.B) (*hoardredis.Store, string) {
	b.Helper()
	srv := testserver.Redis(b)
	return newStore(b, hoardredis.Options{Addrs: []string{srv.Addr}}), srv.Addr
}

func BenchmarkGetHit(b *testing.B) {
	s, _ := benchStore(b)
	ctx := b.Context()
	key := hoard.JoinKey("bench", "ns", "hit")
	if err := s.Set(ctx, key, benchValue, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchValue)))
	for b.Loop() {
		if _, err := s.Get(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetHitParallel(b *testing.B) {
	s, _ := benchStore(b)
	ctx := b.Context()
	key := hoard.JoinKey("bench", "ns", "hit")
	if err := s.Set(ctx, key, benchValue, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchValue)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Get(ctx, key); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkSet(b *testing.B) {
	s, _ := benchStore(b)
	ctx := b.Context()
	key := hoard.JoinKey("bench", "ns", "set")
	b.ReportAllocs()
	b.SetBytes(int64(len(benchValue)))
	for b.Loop() {
		if err := s.Set(ctx, key, benchValue, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainGET is the floor: a bare go-redis GET of the same value,
// without the generation check.
func BenchmarkPlainGET(b *testing.B) {
	_, addr := benchStore(b)
	c := redis.NewClient(&redis.Options{Addr: addr})
	b.Cleanup(func() { _ = c.Close() })
	ctx := b.Context()
	if err := c.Set(ctx, "plain", benchValue, time.Hour).Err(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchValue)))
	for b.Loop() {
		if _, err := c.Get(ctx, "plain").Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
