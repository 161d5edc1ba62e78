package hoard_test

import (
	"context"
	"net/http"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

// BenchmarkHTTPHit is the engine's share of a hit on the memory backend,
// without any framework: Begin, the header fields, Release.
func BenchmarkHTTPHit(b *testing.B) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		b.Fatal(err)
	}
	h, err := hoard.NewHTTP(c)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := &hoard.Request{Method: "GET", Host: "api.example", Path: "/items", RawQuery: "page=1", Header: hoard.Header(http.Header{"Accept": {"*/*"}})}
	x := h.Begin(ctx, req)
	if x.Action() != hoard.ActionRun {
		b.Fatalf("first request: action %v", x.Action())
	}
	hdr := hoard.Header(http.Header{})
	x.Prepare(hdr)
	hdr.Set("Content-Type", "application/json")
	x.Commit(200, hdr)
	x.Capture(make([]byte, 1024))
	x.Finish(ctx, 200, hdr)
	x.Release()
	b.ReportAllocs()
	for b.Loop() {
		x := h.Begin(ctx, req)
		if x.Action() != hoard.ActionServe || len(x.ResponseHeaders()) != 7 {
			b.Fatalf("action %v, %d fields", x.Action(), len(x.ResponseHeaders()))
		}
		x.Release()
	}
}
