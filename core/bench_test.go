package hoard_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// The decoder benchmark (BenchmarkDecodeEntry) lives in envelope_test.go:
// it needs the unexported envelope, and this package cannot import memory
// from inside package hoard.

func BenchmarkRememberHit(b *testing.B) {
	ctx := context.Background()
	c, _ := newMemoryCache(b)
	want := user{ID: 42, Name: "Ada", Tags: []string{"admin"}}
	load := func(context.Context) (user, error) { return want, nil }
	if _, err := hoard.Remember(ctx, c, "user:42", time.Hour, load); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := hoard.Remember(ctx, c, "user:42", time.Hour, load)
		if err != nil || u.ID != 42 {
			b.Fatal(u, err)
		}
	}
}

func BenchmarkRememberHitParallel(b *testing.B) {
	ctx := context.Background()
	c, _ := newMemoryCache(b)
	load := func(context.Context) (user, error) { return user{ID: 42, Name: "Ada"}, nil }
	if _, err := hoard.Remember(ctx, c, "user:42", time.Hour, load); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := hoard.Remember(ctx, c, "user:42", time.Hour, load); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetHit(b *testing.B) {
	ctx := context.Background()
	c, _ := newMemoryCache(b)
	value := bytes.Repeat([]byte("x"), 1<<10)
	if err := c.Set(ctx, "page", value, time.Hour); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for b.Loop() {
		v, err := c.Get(ctx, "page")
		if err != nil || len(v) != len(value) {
			b.Fatal(err)
		}
	}
}

func BenchmarkSet(b *testing.B) {
	ctx := context.Background()
	c, _ := newMemoryCache(b)
	value := bytes.Repeat([]byte("x"), 1<<10)
	b.SetBytes(int64(len(value)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Set(ctx, "page", value, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRememberHitRemote is a hit on a backend outside the process that
// answers at once (a fresh copy of the bytes on every hit, as a remote
// client gives): the Cache's own cost of a remote hit.
func BenchmarkRememberHitRemote(b *testing.B) {
	c, err := hoard.New(newRemoteBackend(), hoard.WithLogger(nil))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background()) // like a request's
	defer cancel()
	want := user{ID: 42, Name: "Ada", Tags: []string{"a", "b"}}
	load := func(context.Context) (user, error) { return want, nil }
	if _, err := hoard.Remember(ctx, c, "user:42", time.Hour, load); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if u, err := hoard.Remember(ctx, c, "user:42", time.Hour, load); err != nil || u.ID != want.ID {
			b.Fatalf("hit = %+v, %v", u, err)
		}
	}
}
