package tiered_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"
	"github.com/hoard-go/hoard/core/tiered"
)

// The local tier's hit against the memory backend's, in process (the
// remote is a memory store): what the tier itself costs a hit.
//
//	bench/instructions.sh core/tiered MemoryHTTPHit TieredHTTPHit MemoryRememberHit TieredRememberHit
//
// The Tagged ones are the same hits on an entry with a tag, whose state
// is read with it (from the local tier too).

func memoryBackend(b *testing.B) hoard.Backend {
	s, err := memory.New(memory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func tieredBackend(b *testing.B) hoard.Backend {
	remote, err := memory.New(memory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := tiered.New(b.Context(), tiered.Options{Remote: remote, Bus: newHub(), MaxAge: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	for !s.Stats().BusUp {
		time.Sleep(time.Millisecond)
	}
	return s
}

func benchHTTPHit(b *testing.B, backend hoard.Backend, opts ...httpcache.Option) {
	c, err := hoard.New(backend)
	if err != nil {
		b.Fatal(err)
	}
	e, err := httpcache.New(c, opts...)
	if err != nil {
		b.Fatal(err)
	}
	h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"id":42}`)) }))
	r := httptest.NewRequest("GET", "http://api.example/items/42", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)
	w := &sink{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		h.ServeHTTP(w, r)
	}
}

func benchRememberHit(b *testing.B, backend hoard.Backend, opts ...hoard.CallOption) {
	c, err := hoard.New(backend)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	load := func(context.Context) (map[string]int, error) { return map[string]int{"a": 1, "b": 2}, nil }
	if _, err := hoard.Remember(ctx, c, "k", time.Hour, load, opts...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hoard.Remember(ctx, c, "k", time.Hour, load, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

type sink struct{ h http.Header }

func (w *sink) Header() http.Header         { return w.h }
func (w *sink) WriteHeader(int)             {}
func (w *sink) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkMemoryHTTPHit(b *testing.B)     { benchHTTPHit(b, memoryBackend(b)) }
func BenchmarkTieredHTTPHit(b *testing.B)     { benchHTTPHit(b, tieredBackend(b)) }
func BenchmarkMemoryRememberHit(b *testing.B) { benchRememberHit(b, memoryBackend(b)) }
func BenchmarkTieredRememberHit(b *testing.B) { benchRememberHit(b, tieredBackend(b)) }

func BenchmarkTieredTaggedRememberHit(b *testing.B) {
	benchRememberHit(b, tieredBackend(b), hoard.Tags("t"))
}

func BenchmarkTieredTaggedHTTPHit(b *testing.B) {
	benchHTTPHit(b, tieredBackend(b), httpcache.WithTags("t"))
}
