package httpcache

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

// benchResponse is the cheapest Response: a hit only counts its fields.
type benchResponse struct {
	status, fields int
	header         listHeader
}

func (r *benchResponse) Header() ResponseHeader { return &r.header }
func (r *benchResponse) WriteHit(status int, fields []Field, _ []byte) {
	r.status, r.fields = status, len(fields)
}
func (r *benchResponse) Status() int                      { return 200 }
func (r *benchResponse) Body() []byte                     { return make([]byte, 1024) }
func (r *benchResponse) BodyStream() io.Reader            { return nil }
func (r *benchResponse) ReplaceBodyStream(io.Reader) bool { return false }
func (r *benchResponse) Hijacked() bool                   { return false }

// BenchmarkHTTPHit is the engine's share of a hit on the memory backend,
// without any framework: through Serve (the lookup, the header fields, the
// release) and through the net/http glue.
func BenchmarkHTTPHit(b *testing.B) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	e := newEngine(b, store, []hoard.Option{})
	ctx := context.Background()
	req := &Request{Method: "GET", Host: "api.example", Path: "/items", RawQuery: "page=1", Header: fakeHeader{"Accept": "*/*"}}
	miss := &benchResponse{}
	setType := func() error { miss.header.Set("Content-Type", "application/json"); return nil }
	if err := e.Serve(ctx, req, miss, setType); err != nil || miss.fields != 0 {
		b.Fatalf("first request: %v, a hit with %d fields", err, miss.fields)
	}

	b.Run("Serve", func(b *testing.B) {
		resp := &benchResponse{}
		next := func() error { b.Fatal("the handler ran on a hit"); return nil }
		b.ReportAllocs()
		for b.Loop() {
			resp.fields = 0
			_ = e.Serve(ctx, req, resp, next)
			if resp.status != 200 || resp.fields != 8 { // with the stored Date
				b.Fatalf("status %d, %d fields", resp.status, resp.fields)
			}
		}
	})

	b.Run("Handler", func(b *testing.B) {
		h := e.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { b.Fatal("the handler ran on a hit") }))
		r := httptest.NewRequest("GET", "http://api.example/items?page=1", nil)
		w := newDiscardWriter()
		b.ReportAllocs()
		for b.Loop() {
			w.reset()
			h.ServeHTTP(w, r)
			if w.status != 200 {
				b.Fatalf("status %d", w.status)
			}
		}
	})
}

// BenchmarkRevalidation is a stale entry served through net/http (its
// ETag the handler's, max-age=0: every use revalidates). The handler
// either answers the engine's conditional request with 304, and the
// freshened entry's body goes out (Revalidate304), or ignores it, renders
// the response again and it is stored anew (Refetch200). The rendering is
// a 15 KiB JSON document of 100 items: what a revalidation saves the
// handler.
func BenchmarkRevalidation(b *testing.B) {
	type item struct {
		ID    int    `json:"id"`
		Name  string `json:"name"`
		Notes string `json:"notes"`
	}
	items := make([]item, 100)
	for i := range items {
		items[i] = item{i, fmt.Sprint("item ", i), strings.Repeat("n", 120)}
	}
	for _, tc := range []struct {
		name      string
		answer304 bool
	}{{"Revalidate304", true}, {"Refetch200", false}} {
		b.Run(tc.name, func(b *testing.B) {
			store, err := memory.New(memory.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			e := newEngine(b, store, nil)
			h := e.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", "max-age=0") // stale at once: every use revalidates
				w.Header().Set("ETag", `"v1"`)
				if tc.answer304 && r.Header.Get("If-None-Match") == `"v1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(items)
			}))
			req := httptest.NewRequest("GET", "http://api.example/items", nil)
			w := newDiscardWriter()
			h.ServeHTTP(w, req)
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				h.ServeHTTP(w, req)
				if w.status != 200 || w.n < 15<<10 {
					b.Fatalf("status %d, %d bytes", w.status, w.n)
				}
			}
		})
	}
}

// discardWriter keeps only the status and the byte count.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func newDiscardWriter() *discardWriter { return &discardWriter{header: http.Header{}} }

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	w.n += len(p)
	return len(p), nil
}

func (w *discardWriter) reset() { clear(w.header); w.status, w.n = 0, 0 }
