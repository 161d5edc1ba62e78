package hoardhttp_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/httpcache"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

func middleware(t *testing.T, c *hoard.Cache, opts ...httpcache.Option) func(http.Handler) http.Handler {
	t.Helper()
	mw, err := hoardhttp.Middleware(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

// TestRouters mounts the middleware the way each router's users do and
// checks path parameters end up in distinct entries.
func TestRouters(t *testing.T) {
	hello := func(param func(*http.Request) string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "user "+param(r))
		})
	}
	routers := []struct {
		name  string
		build func(mw func(http.Handler) http.Handler) http.Handler
	}{
		{"ServeMux patterns", func(mw func(http.Handler) http.Handler) http.Handler {
			m := http.NewServeMux()
			m.Handle("GET /users/{id}", mw(hello(func(r *http.Request) string { return r.PathValue("id") })))
			return m
		}},
		{"chi", func(mw func(http.Handler) http.Handler) http.Handler {
			r := chi.NewRouter()
			r.Use(mw)
			r.Get("/users/{id}", hello(func(r *http.Request) string { return chi.URLParam(r, "id") }).ServeHTTP)
			return r
		}},
		{"gorilla/mux", func(mw func(http.Handler) http.Handler) http.Handler {
			r := mux.NewRouter()
			r.Use(mw)
			r.Handle("/users/{id}", hello(func(r *http.Request) string { return mux.Vars(r)["id"] })).Methods("GET", "HEAD")
			return r
		}},
	}
	for _, rt := range routers {
		t.Run(rt.name, func(t *testing.T) {
			srv := httptest.NewServer(rt.build(middleware(t, adaptertest.NewCache(t))))
			defer srv.Close()
			for _, step := range []struct{ path, xcache, body string }{
				{"/users/1", "MISS", "user 1"},
				{"/users/2", "MISS", "user 2"},
				{"/users/1", "HIT", "user 1"},
				{"/users/2", "HIT", "user 2"},
			} {
				res, err := http.Get(srv.URL + step.path)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.Header.Get("X-Cache") != step.xcache || string(b) != step.body {
					t.Fatalf("%s: X-Cache %q body %q; want %s %q", step.path, res.Header.Get("X-Cache"), b, step.xcache, step.body)
				}
			}
		})
	}
}

// TestResponseController checks the wrapper keeps Flusher, Hijacker and
// Unwrap, so http.ResponseController reaches the real connection.
func TestResponseController(t *testing.T) {
	c := adaptertest.NewCache(t)
	mw := middleware(t, c)
	m := http.NewServeMux()
	m.Handle("/flush", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(http.Flusher); !ok {
			t.Error("wrapped writer is not an http.Flusher")
		}
		_, _ = io.WriteString(w, "part 1\n")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("ResponseController.Flush: %v", err)
		}
		_, _ = io.WriteString(w, "part 2\n")
	})))
	m.Handle("/hijack", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("ResponseController.Hijack: %v", err)
			return
		}
		defer conn.Close()
		_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		_ = brw.Flush()
	})))
	srv := httptest.NewServer(m)
	defer srv.Close()

	for _, want := range []string{"MISS", "HIT"} {
		res, err := http.Get(srv.URL + "/flush")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.Header.Get("X-Cache") != want || string(b) != "part 1\npart 2\n" {
			t.Fatalf("flush: X-Cache %q body %q, want %s", res.Header.Get("X-Cache"), b, want)
		}
	}
	for i := 0; i < 2; i++ {
		res, err := http.Get(srv.URL + "/hijack")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != "hijacked" || res.Header.Get("X-Cache") != "" {
			t.Fatalf("hijack %d: body %q X-Cache %q: a hijacked response must never be stored", i, b, res.Header.Get("X-Cache"))
		}
	}
}

// TestLargeStreamPassesThrough writes a body far over the limit in many
// flushed writes: the client gets every byte, nothing is stored.
func TestLargeStreamPassesThrough(t *testing.T) {
	runs := 0
	h := middleware(t, adaptertest.NewCache(t), httpcache.WithMaxBodySize(1024))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs++
		for i := 0; i < 100; i++ {
			_, _ = io.WriteString(w, strings.Repeat("x", 99)+"\n")
			http.NewResponseController(w).Flush()
		}
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for i := 0; i < 2; i++ {
		res, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if sc.Text() != strings.Repeat("x", 99) {
				t.Fatalf("line %d corrupted", n)
			}
			n++
		}
		res.Body.Close()
		if n != 100 || res.Header.Get("X-Cache") != "MISS" {
			t.Fatalf("got %d lines, X-Cache %q; want 100, MISS", n, res.Header.Get("X-Cache"))
		}
	}
	if runs != 2 {
		t.Fatalf("handler ran %d times, want 2 (nothing stored)", runs)
	}
}
