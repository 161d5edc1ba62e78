package httpcache

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
			if resp.status != 200 || resp.fields != 7 {
				b.Fatalf("status %d, %d fields", resp.status, resp.fields)
			}
		}
	})

	b.Run("Handler", func(b *testing.B) {
		h := e.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { b.Fatal("the handler ran on a hit") }))
		r := httptest.NewRequest("GET", "http://api.example/items?page=1", nil)
		w := &discardWriter{header: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			clear(w.header)
			h.ServeHTTP(w, r)
			if w.status != 200 {
				b.Fatalf("status %d", w.status)
			}
		}
	})
}

// discardWriter is an http.ResponseWriter that keeps the status only.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
