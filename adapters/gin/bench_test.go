package hoardgin_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/hoard-go/hoard/core/adaptertest"
)

// The hit benchmarks: a 1 KiB JSON body from a bare Gin handler against
// the same route behind the cache, warmed so every timed request is a hit,
// both through r.ServeHTTP with a reused discarding writer (no sockets).
// The comparison with gin-cache is in the bench module (its "gin/*"
// targets), which keeps gin-cache out of this module's go.mod.

// jsonBody is a 1 KiB JSON document.
var jsonBody = []byte(`{"items":"` + strings.Repeat("x", 1024-len(`{"items":""}`)) + `"}`)

func bareHandler(c *gin.Context) { c.Data(http.StatusOK, "application/json", jsonBody) }

func newBenchRouter(b *testing.B, cached bool) *gin.Engine {
	r := gin.New()
	if cached {
		r.GET("/items", newMiddleware(b, adaptertest.NewCache(b)), bareHandler)
	} else {
		r.GET("/items", bareHandler)
	}
	return r
}

func serveBench(b *testing.B, r *gin.Engine, parallel bool) {
	req, _ := http.NewRequest(http.MethodGet, "http://api.example/items?page=1", nil)
	w := adaptertest.NewDiscardWriter()
	r.ServeHTTP(w, req) // warm: the first request fills the cache
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonBody)))
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			w := adaptertest.NewDiscardWriter()
			for pb.Next() {
				w.Reset()
				r.ServeHTTP(w, req)
			}
		})
		return
	}
	for b.Loop() {
		w.Reset()
		r.ServeHTTP(w, req)
		if w.N != len(jsonBody) || w.Status != http.StatusOK {
			b.Fatalf("wrote %d %d bytes", w.Status, w.N)
		}
	}
}

func BenchmarkBare(b *testing.B)         { serveBench(b, newBenchRouter(b, false), false) }
func BenchmarkHit(b *testing.B)          { serveBench(b, newBenchRouter(b, true), false) }
func BenchmarkBareParallel(b *testing.B) { serveBench(b, newBenchRouter(b, false), true) }
func BenchmarkHitParallel(b *testing.B)  { serveBench(b, newBenchRouter(b, true), true) }
