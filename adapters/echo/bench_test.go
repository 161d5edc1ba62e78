package hoardecho_test

import (
	"github.com/hoard-go/hoard/core/adaptertest"
	"net/http"
	"strings"
	"testing"

	echo "github.com/labstack/echo/v4"
)

// jsonBody is a 1 KiB JSON document.
var jsonBody = []byte(`{"items":"` + strings.Repeat("x", 1024-len(`{"items":""}`)) + `"}`)

func bareHandler(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, jsonBody)
}

func newBenchEcho(b *testing.B, cached bool) *echo.Echo {
	e := newEcho()
	if cached {
		e.GET("/items", bareHandler, newMiddleware(b, adaptertest.NewCache(b)))
	} else {
		e.GET("/items", bareHandler)
	}
	return e
}

func serveBench(b *testing.B, e *echo.Echo, parallel bool) {
	req, _ := http.NewRequest(http.MethodGet, "http://api.example/items?page=1", nil)
	w := adaptertest.NewDiscardWriter()
	e.ServeHTTP(w, req) // warm: the first request fills the cache
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonBody)))
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			w := adaptertest.NewDiscardWriter()
			for pb.Next() {
				w.Reset()
				e.ServeHTTP(w, req)
			}
		})
		return
	}
	for b.Loop() {
		w.Reset()
		e.ServeHTTP(w, req)
		if w.N != len(jsonBody) || w.Status != http.StatusOK {
			b.Fatalf("wrote %d %d bytes", w.Status, w.N)
		}
	}
}

func BenchmarkBare(b *testing.B)         { serveBench(b, newBenchEcho(b, false), false) }
func BenchmarkHit(b *testing.B)          { serveBench(b, newBenchEcho(b, true), false) }
func BenchmarkBareParallel(b *testing.B) { serveBench(b, newBenchEcho(b, false), true) }
func BenchmarkHitParallel(b *testing.B)  { serveBench(b, newBenchEcho(b, true), true) }
