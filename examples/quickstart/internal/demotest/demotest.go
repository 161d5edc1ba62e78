// Package demotest checks a running quickstart the way its README's curl
// commands do; the default quickstart's tests and examples/quickstart/all's
// run it on every adapter and backend.
package demotest

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

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// Start serves the demo with newServer over backend on 127.0.0.1 until
// the test ends, and returns its base URL.
func Start(t *testing.T, newServer func(*demo.Demo) (demo.Server, error), backend hoard.Backend, opts ...hoard.Option) string {
	t.Helper()
	d, err := demo.New(backend, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(d)
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

// Check runs the README's curl commands against base: the report is a
// slow MISS, then a fast HIT whose ETag gets a 304; the cached function is
// slow once, then fast; a clear makes the report a MISS again; the
// counters add up. Then the index and HEAD (see CheckIndexAndHead).
func Check(t *testing.T, base string) {
	t.Helper()
	do := requester(t, base)

	first, body, took := do("GET", "/report")
	if first.StatusCode != 200 || first.Header.Get("X-Cache") != "MISS" || took < demo.SlowDelay {
		t.Fatalf("first request: %d, X-Cache %q in %v; want 200 MISS taking at least %v", first.StatusCode, first.Header.Get("X-Cache"), took, demo.SlowDelay)
	}
	if ct := first.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	second, body2, took := do("GET", "/report")
	if second.Header.Get("X-Cache") != "HIT" || body2 != body {
		t.Fatalf("second request: X-Cache %q, same body %v; want HIT and the first body", second.Header.Get("X-Cache"), body2 == body)
	}
	if took >= demo.SlowDelay {
		t.Errorf("HIT took %v; want less than the handler's %v", took, demo.SlowDelay)
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
	if res.StatusCode != 200 || !strings.HasPrefix(sq, "12 squared is 144") || took < demo.SlowDelay {
		t.Fatalf("first /square?n=12: %d %q in %v; want 144 taking at least %v", res.StatusCode, sq, took, demo.SlowDelay)
	}
	if _, sq, took = do("GET", "/square?n=12"); !strings.HasPrefix(sq, "12 squared is 144") || took >= demo.SlowDelay {
		t.Errorf("second /square?n=12: %q in %v; want 144 from the cache", sq, took)
	}
	if res, _, _ := do("GET", "/square?n=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("/square?n=x: %d, want 400", res.StatusCode)
	}

	if res, msg, _ := do("POST", "/clear?ns=reports"); res.StatusCode != 200 || !strings.Contains(msg, `"reports"`) {
		t.Fatalf("clear: %d %q", res.StatusCode, msg)
	}
	if again, _, took := do("GET", "/report"); again.Header.Get("X-Cache") != "MISS" || took < demo.SlowDelay {
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
	CheckIndexAndHead(t, base)
}

// CheckIndexAndHead checks that / lists the endpoints and that HEAD works
// on the GET endpoints, the cached report answered from its entry.
func CheckIndexAndHead(t *testing.T, base string) {
	t.Helper()
	do := requester(t, base)
	res, index, _ := do("GET", "/")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("GET /: %d %q; want 200 text/plain", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"hoard quickstart:", "GET  /report", "GET  /square?n=12", "GET  /stats", "POST /clear?ns=NS", "HEAD"} {
		if !strings.Contains(index, want) {
			t.Errorf("GET / lacks %q:\n%s", want, index)
		}
	}
	do("GET", "/report") // the entry HEAD is answered from
	for _, path := range []string{"/", "/report", "/stats", "/square?n=3"} {
		res, body, _ := do("HEAD", path)
		if res.StatusCode != http.StatusOK || body != "" {
			t.Errorf("HEAD %s: %d with %d body bytes; want 200 and none", path, res.StatusCode, len(body))
		}
		if path == "/report" && res.Header.Get("X-Cache") != "HIT" {
			t.Errorf("HEAD /report: X-Cache %q, want HIT", res.Header.Get("X-Cache"))
		}
	}
	if res, _, _ := do("GET", "/nope"); res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", res.StatusCode)
	}
}

// requester returns a function that sends a request to base and returns
// the response, its body and how long it took.
func requester(t *testing.T, base string) func(method, path string, hdr ...string) (*http.Response, string, time.Duration) {
	client := &http.Client{Timeout: 30 * time.Second}
	return func(method, path string, hdr ...string) (*http.Response, string, time.Duration) {
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
}
