package hoardhttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

// discardWriter is a reusable ResponseWriter, so the benchmarks measure the
// handler and the middleware rather than a recorder's allocations.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

func (w *discardWriter) reset() {
	clear(w.h)
	w.status, w.n = 0, 0
}

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
	w := &discardWriter{h: http.Header{}}
	h.ServeHTTP(w, req) // warm: the first request fills the cache
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonBody)))
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{h: http.Header{}}
			for pb.Next() {
				w.reset()
				h.ServeHTTP(w, req)
			}
		})
		return
	}
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, req)
		if w.n != len(jsonBody) {
			b.Fatalf("wrote %d bytes", w.n)
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
