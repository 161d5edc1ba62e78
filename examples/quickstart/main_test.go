package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestQuickstart checks what the README promises, over a real socket: the
// slow endpoint is a MISS that takes its delay, then a fast HIT, and the
// ETag gets a 304.
func TestQuickstart(t *testing.T) {
	h, closeCache, err := newHandler()
	if err != nil {
		t.Fatal(err)
	}
	defer closeCache()
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(hdr ...string) (*http.Response, string, time.Duration) {
		req, _ := http.NewRequest("GET", srv.URL+"/report", nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		start := time.Now()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b), time.Since(start)
	}
	first, body, took := get()
	if first.Header.Get("X-Cache") != "MISS" || took < slowDelay {
		t.Fatalf("first request: X-Cache %q in %v; want MISS taking at least %v", first.Header.Get("X-Cache"), took, slowDelay)
	}
	second, body2, _ := get()
	if second.Header.Get("X-Cache") != "HIT" || body2 != body {
		t.Fatalf("second request: X-Cache %q, same body %v; want HIT and the first body", second.Header.Get("X-Cache"), body2 == body)
	}
	etag := second.Header.Get("Etag")
	third, body3, _ := get("If-None-Match", etag)
	if third.StatusCode != http.StatusNotModified || body3 != "" {
		t.Fatalf("If-None-Match %s: %d with %d body bytes; want 304 and none", etag, third.StatusCode, len(body3))
	}
}
