package hoardecho_test

import (
	"net/http"
	"strings"
	"testing"

	echo "github.com/labstack/echo/v4"
)

// discardWriter is a reusable ResponseWriter, so the benchmarks measure
// Echo, the handler and the middleware rather than a recorder's
// allocations.
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

func bareHandler(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, jsonBody)
}

func newBenchEcho(b *testing.B, cached bool) *echo.Echo {
	e := newEcho()
	if cached {
		e.GET("/items", bareHandler, newMiddleware(b, newCache(b)))
	} else {
		e.GET("/items", bareHandler)
	}
	return e
}

func serveBench(b *testing.B, e *echo.Echo, parallel bool) {
	req, _ := http.NewRequest(http.MethodGet, "http://api.example/items?page=1", nil)
	w := &discardWriter{h: http.Header{}}
	e.ServeHTTP(w, req) // warm: the first request fills the cache
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonBody)))
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{h: http.Header{}}
			for pb.Next() {
				w.reset()
				e.ServeHTTP(w, req)
			}
		})
		return
	}
	for b.Loop() {
		w.reset()
		e.ServeHTTP(w, req)
		if w.n != len(jsonBody) || w.status != http.StatusOK {
			b.Fatalf("wrote %d %d bytes", w.status, w.n)
		}
	}
}

func BenchmarkBare(b *testing.B)         { serveBench(b, newBenchEcho(b, false), false) }
func BenchmarkHit(b *testing.B)          { serveBench(b, newBenchEcho(b, true), false) }
func BenchmarkBareParallel(b *testing.B) { serveBench(b, newBenchEcho(b, false), true) }
func BenchmarkHitParallel(b *testing.B)  { serveBench(b, newBenchEcho(b, true), true) }
