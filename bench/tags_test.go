package bench_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Tags: what a tag costs a hit, and what invalidating one costs.
//
//	go test -run '^$' -bench 'Tagged|InvalidateTags' -benchmem -count 6

// BenchmarkTaggedHit is a hit with and without a tag: a Remember hit on
// the memory store and on Redis, and an HTTP hit (net/http, memory).
func BenchmarkTaggedHit(b *testing.B) {
	srv := redisServer(b)
	load := func(context.Context) (profile, error) { return benchProfile, nil }
	for _, tc := range []struct {
		name string
		tags []hoard.CallOption
	}{{"untagged", nil}, {"tagged", []hoard.CallOption{hoard.Tags("profile:42")}}} {
		b.Run("remember-memory/"+tc.name, func(b *testing.B) {
			benchTaggedRemember(b, memoryCache(b), load, tc.tags)
		})
		b.Run("remember-redis/"+tc.name, func(b *testing.B) {
			benchTaggedRemember(b, redisCache(b, srv, "tags-"+tc.name), load, tc.tags)
		})
		b.Run("http-memory/"+tc.name, func(b *testing.B) {
			var opts []httpcache.Option
			if tc.tags != nil {
				opts = append(opts, httpcache.WithTags("profile:42"))
			}
			benchTaggedHTTP(b, memoryCache(b), opts)
		})
	}
}

func benchTaggedRemember(b *testing.B, c *hoard.Cache, load func(context.Context) (profile, error), opts []hoard.CallOption) {
	ctx := b.Context()
	if _, err := hoard.Remember(ctx, c, rememberKey, time.Hour, load, opts...); err != nil {
		b.Fatal(err)
	}
	hit := func(context.Context) (profile, error) { return profile{}, errUnexpectedLoad }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hoard.Remember(ctx, c, rememberKey, time.Hour, hit, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

func benchTaggedHTTP(b *testing.B, c *hoard.Cache, opts []httpcache.Option) {
	e, err := httpcache.New(c, opts...)
	if err != nil {
		b.Fatal(err)
	}
	h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":42}`))
	}))
	r := httptest.NewRequest("GET", "http://api.example/profile/42", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	w := &headerSink{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
		if w.code != 200 {
			b.Fatalf("status %d", w.code)
		}
	}
}

// headerSink is a ResponseWriter that keeps the status and drops the body.
type headerSink struct {
	h    http.Header
	code int
}

func (w *headerSink) Header() http.Header         { return w.h }
func (w *headerSink) WriteHeader(code int)        { w.code = code }
func (w *headerSink) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkInvalidateTags is InvalidateTags of one tag that 1, 1,000 or
// 100,000 stored entries carry: its cost does not grow with them (it
// writes the tag's state and finds no entry).
func BenchmarkInvalidateTags(b *testing.B) {
	srv := redisServer(b)
	for _, n := range []int{1, 1_000, 100_000} {
		for _, backend := range []string{"memory", "redis"} {
			b.Run(fmt.Sprintf("%s/entries=%d", backend, n), func(b *testing.B) {
				var c *hoard.Cache
				if backend == "memory" {
					c = memoryCache(b)
				} else {
					c = redisCache(b, srv, fmt.Sprintf("inv%d", n))
				}
				ctx := b.Context()
				tag := fmt.Sprintf("t%d", n)
				for i := range n {
					if err := hoard.SetValue(ctx, c, fmt.Sprint("k", i), i, time.Hour, hoard.Tags(tag)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := c.InvalidateTags(ctx, []string{tag}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
