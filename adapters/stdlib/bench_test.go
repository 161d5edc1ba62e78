package hoardhttp_test

import (
	"github.com/hoard-go/hoard/core/adaptertest"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

// jsonBody is a 1 KiB JSON document.
var jsonBody = []byte(`{"items":"` + strings.Repeat("x", 1024-len(`{"items":""}`)) + `"}`)

func bareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jsonBody)
	})
}

func cachedHandler(b *testing.B) http.Handler {
	store, err := memory.New(memory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	c, err := hoard.New(store)
	if err != nil {
		b.Fatal(err)
	}
	mw, err := hoardhttp.Middleware(c)
	if err != nil {
		b.Fatal(err)
	}
	return mw(bareHandler())
}

func serve(b *testing.B, h http.Handler, parallel bool) {
	req, _ := http.NewRequest(http.MethodGet, "http://api.example/items?page=1", nil)
	w := adaptertest.NewDiscardWriter()
	h.ServeHTTP(w, req) // warm: the first request fills the cache
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonBody)))
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			w := adaptertest.NewDiscardWriter()
			for pb.Next() {
				w.Reset()
				h.ServeHTTP(w, req)
			}
		})
		return
	}
	for b.Loop() {
		w.Reset()
		h.ServeHTTP(w, req)
		if w.N != len(jsonBody) {
			b.Fatalf("wrote %d bytes", w.N)
		}
	}
}

func BenchmarkBare(b *testing.B)         { serve(b, bareHandler(), false) }
func BenchmarkHit(b *testing.B)          { serve(b, cachedHandler(b), false) }
func BenchmarkBareParallel(b *testing.B) { serve(b, bareHandler(), true) }
func BenchmarkHitParallel(b *testing.B)  { serve(b, cachedHandler(b), true) }

// The same pair through httptest.ResponseRecorder, the writer most
// handler benchmarks use: its own cost is part of both sides.
func serveRecorder(b *testing.B, h http.Handler) {
	req, _ := http.NewRequest(http.MethodGet, "http://api.example/items?page=1", nil)
	h.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkBareRecorder(b *testing.B) { serveRecorder(b, bareHandler()) }
func BenchmarkHitRecorder(b *testing.B)  { serveRecorder(b, cachedHandler(b)) }
