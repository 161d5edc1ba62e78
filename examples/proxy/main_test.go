package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
	"github.com/hoard-go/hoard/core/testserver"
)

// testOrigin is an origin server on 127.0.0.1 that says how it wants its
// responses cached, and counts what reaches it.
type testOrigin struct {
	mu      sync.Mutex
	hits    map[string]int
	version map[string]int
	cond    int // conditional requests answered 304
}

func (o *testOrigin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.hits[r.Method+" "+r.URL.Path]++
	v := o.version[r.URL.Path]
	o.mu.Unlock()
	etag := fmt.Sprintf(`"%s-%d"`, strings.Trim(r.URL.Path, "/"), v)
	switch r.URL.Path {
	case "/fresh":
		w.Header().Set("Cache-Control", "max-age=60")
	case "/validate":
		w.Header().Set("Cache-Control", "max-age=0, must-revalidate")
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			o.mu.Lock()
			o.cond++
			o.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
	case "/private":
		w.Header().Set("Cache-Control", "private, max-age=60")
	case "/silent": // nothing said: a shared cache invents no lifetime
	case "/items":
		if r.Method == http.MethodPost {
			o.mu.Lock()
			o.version["/items"]++
			o.mu.Unlock()
			w.WriteHeader(http.StatusCreated)
			return
		}
		w.Header().Set("Cache-Control", "max-age=60")
	}
	fmt.Fprintf(w, "%s %s v%d", r.Method, r.URL.Path, v)
}

func (o *testOrigin) count(key string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hits[key]
}

// startProxy serves a proxy over backend in front of a fresh origin.
func startProxy(t *testing.T, backend hoard.Backend) (*testOrigin, string) {
	o := &testOrigin{hits: map[string]int{}, version: map[string]int{}}
	up := httptest.NewServer(o)
	t.Cleanup(up.Close)
	cache, err := hoard.New(backend, hoard.WithPrefix(fmt.Sprintf("proxy%d", time.Now().UnixNano()%1e6)))
	if err != nil {
		t.Fatal(err)
	}
	origin, _ := url.Parse(up.URL)
	h, err := newProxy(origin, cache, config{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	px := httptest.NewServer(h)
	t.Cleanup(px.Close)
	return o, px.URL
}

func fetch(t *testing.T, method, url string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// TestProxy drives the proxy with real requests through a real origin, on
// the memory backend and on Redis.
func TestProxy(t *testing.T) {
	backends := map[string]func(t *testing.T) hoard.Backend{
		"memory": func(t *testing.T) hoard.Backend {
			s, err := memory.New(memory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
		"redis": func(t *testing.T) hoard.Backend {
			srv := testserver.Redis(t)
			s, err := openBackend(t.Context(), "redis://"+srv.Addr+"/0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
	for name, newBackend := range backends {
		t.Run(name, func(t *testing.T) {
			o, px := startProxy(t, newBackend(t))
			cacheStatus := func(h http.Header) string { return h.Get("Cache-Status") }

			// Fresh for 60s: the origin is asked once.
			for i := range 3 {
				code, body, h := fetch(t, "GET", px+"/fresh")
				if code != 200 || body != "GET /fresh v0" || (i > 0) != strings.Contains(cacheStatus(h), "; hit") {
					t.Fatalf("/fresh %d: %d %q %q", i, code, body, cacheStatus(h))
				}
			}
			if n := o.count("GET /fresh"); n != 1 {
				t.Errorf("origin saw GET /fresh %d times, want 1", n)
			}

			// Stale at once, with an ETag: every use is a conditional
			// request the origin answers 304, and the client gets the body.
			for range 3 {
				code, body, h := fetch(t, "GET", px+"/validate")
				if code != 200 || body != "GET /validate v0" {
					t.Fatalf("/validate: %d %q %q", code, body, cacheStatus(h))
				}
			}
			if o.cond != 2 {
				t.Errorf("origin answered %d conditional requests with 304, want 2", o.cond)
			}

			// Nothing said, or private: never stored by a shared cache.
			for _, p := range []string{"/silent", "/private"} {
				fetch(t, "GET", px+p)
				fetch(t, "GET", px+p)
				if n := o.count("GET " + p); n != 2 {
					t.Errorf("origin saw GET %s %d times, want 2", p, n)
				}
			}

			// A POST that succeeds drops the stored /items.
			_, body, _ := fetch(t, "GET", px+"/items")
			if _, again, h := fetch(t, "GET", px+"/items"); again != body || !strings.Contains(cacheStatus(h), "hit") {
				t.Fatalf("/items not served from the cache: %q", cacheStatus(h))
			}
			if code, _, _ := fetch(t, "POST", px+"/items"); code != http.StatusCreated {
				t.Fatalf("POST /items: %d", code)
			}
			if _, body, _ := fetch(t, "GET", px+"/items"); body != "GET /items v1" {
				t.Errorf("after the POST: %q, want the new version", body)
			}
		})
	}
}

// TestRun serves the command itself on a free port of 127.0.0.1.
func TestRun(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		io.WriteString(w, "origin")
	}))
	defer up.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, config{listen: addr, upstream: up.URL, backend: "memory"}, slog.New(slog.DiscardHandler))
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the proxy does not listen on %s: %v", addr, err)
		}
	}
	for _, want := range []string{"fwd=uri-miss", "hit"} {
		_, body, h := fetch(t, "GET", "http://"+addr+"/page")
		if body != "origin" || !strings.Contains(h.Get("Cache-Status"), want) {
			t.Errorf("body %q, Cache-Status %q; want %s", body, h.Get("Cache-Status"), want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), config{listen: addr, upstream: "not a url", backend: "memory"}, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a bad -upstream was accepted")
	}
}
