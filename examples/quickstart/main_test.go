package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

// TestQuickstart checks what the README promises, over a real socket, for
// every adapter on the memory backend: the slow endpoint is a MISS that
// takes its delay, then a fast HIT, and the ETag gets a 304; the cached
// function is slow once, then fast; a clear makes the report a MISS again.
func TestQuickstart(t *testing.T) {
	for _, adapter := range adapters {
		t.Run(adapter, func(t *testing.T) {
			t.Parallel()
			store, err := memory.New(memory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkDemo(t, startDemo(t, adapter, store))
		})
	}
}

// startDemo serves the demo with adapter over backend on 127.0.0.1 until
// the test ends, and returns its base URL.
func startDemo(t *testing.T, adapter string, backend hoard.Backend, opts ...hoard.Option) string {
	t.Helper()
	d, err := newDemo(backend, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(adapter, d)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := d.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// checkDemo runs the README's curl commands against base.
func checkDemo(t *testing.T, base string) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	do := func(method, path string, hdr ...string) (*http.Response, string, time.Duration) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b), time.Since(start)
	}

	first, body, took := do("GET", "/report")
	if first.StatusCode != 200 || first.Header.Get("X-Cache") != "MISS" || took < slowDelay {
		t.Fatalf("first request: %d, X-Cache %q in %v; want 200 MISS taking at least %v", first.StatusCode, first.Header.Get("X-Cache"), took, slowDelay)
	}
	if ct := first.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	second, body2, took := do("GET", "/report")
	if second.Header.Get("X-Cache") != "HIT" || body2 != body {
		t.Fatalf("second request: X-Cache %q, same body %v; want HIT and the first body", second.Header.Get("X-Cache"), body2 == body)
	}
	if took >= slowDelay {
		t.Errorf("HIT took %v; want less than the handler's %v", took, slowDelay)
	}
	if second.Header.Get("Age") == "" || second.Header.Get("Cache-Control") != "max-age=30" {
		t.Errorf("HIT headers Age %q, Cache-Control %q; want an Age and max-age=30", second.Header.Get("Age"), second.Header.Get("Cache-Control"))
	}
	etag := second.Header.Get("Etag")
	if etag == "" {
		t.Fatal("HIT has no ETag")
	}
	third, body3, _ := do("GET", "/report", "If-None-Match", etag)
	if third.StatusCode != http.StatusNotModified || body3 != "" {
		t.Fatalf("If-None-Match %s: %d with %d body bytes; want 304 and none", etag, third.StatusCode, len(body3))
	}

	res, sq, took := do("GET", "/square?n=12")
	if res.StatusCode != 200 || !strings.HasPrefix(sq, "12 squared is 144") || took < slowDelay {
		t.Fatalf("first /square?n=12: %d %q in %v; want 144 taking at least %v", res.StatusCode, sq, took, slowDelay)
	}
	if _, sq, took = do("GET", "/square?n=12"); !strings.HasPrefix(sq, "12 squared is 144") || took >= slowDelay {
		t.Errorf("second /square?n=12: %q in %v; want 144 from the cache", sq, took)
	}
	if res, _, _ := do("GET", "/square?n=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("/square?n=x: %d, want 400", res.StatusCode)
	}

	if res, msg, _ := do("POST", "/clear?ns=reports"); res.StatusCode != 200 || !strings.Contains(msg, `"reports"`) {
		t.Fatalf("clear: %d %q", res.StatusCode, msg)
	}
	if again, _, took := do("GET", "/report"); again.Header.Get("X-Cache") != "MISS" || took < slowDelay {
		t.Errorf("after clear: X-Cache %q in %v; want a slow MISS", again.Header.Get("X-Cache"), took)
	}

	// Misses: the report twice and the square once; hits: the report
	// (twice, counting the 304) and the square. A remote backend's HTTP
	// stores are written after the response, and a request arriving
	// meanwhile misses in the backend and is then served from the pending
	// store (X-Cache: HIT, counted as a miss): so wait for the three
	// stores, and bound hits and misses.
	var st hoard.Stats
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		_, raw, _ := do("GET", "/stats")
		if err := json.Unmarshal([]byte(raw), &st); err != nil {
			t.Fatalf("/stats %q: %v", raw, err)
		}
		if st.Stores >= 3 || time.Now().After(deadline) {
			break
		}
	}
	if st.Misses < 3 || st.Hits < 1 || st.Hits+st.Misses != 6 || st.Stores != 3 || st.Errors != 0 || st.Breaker == "open" {
		t.Errorf("stats %+v: want 6 hits and misses, at least 3 of them misses, 3 stores, no errors and no open breaker", st)
	}
}
