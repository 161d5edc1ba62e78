package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

func TestHandler(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := hoard.New(store)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h, err := newHandler(c, "token")
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		method, path, header, value string
		wantCache, wantBody         string
	}{
		{"GET", "/products/7", "", "", "MISS", `{"id":"7","name":"Red chair"}`},
		{"GET", "/products/7", "", "", "HIT", `{"id":"7","name":"Red chair"}`},
		{"GET", "/products/8", "", "", "MISS", `{"id":"8","name":"Oak table"}`},
		{"GET", "/products", "", "", "MISS", "7: Red chair\n8: Oak table\n"},
		{"GET", "/products", "", "", "HIT", "7: Red chair\n8: Oak table\n"},
		// Update product 7: its page and the list are invalidated by tag,
		// product 8's page is not.
		{"PUT", "/products/7", "", "Blue chair", "", ""},
		{"GET", "/products/7", "", "", "MISS", `{"id":"7","name":"Blue chair"}`},
		{"GET", "/products", "", "", "MISS", "7: Blue chair\n8: Oak table\n"},
		{"GET", "/products/8", "", "", "HIT", `{"id":"8","name":"Oak table"}`},
		// The purge endpoint wants its token.
		{"POST", "/internal/purge", "X-Purge-Token", "guess", "", "purge not allowed\n"},
		{"POST", "/internal/purge", "X-Purge-Token", "token", "", ""},
		{"GET", "/products", "", "", "MISS", "7: Blue chair\n8: Oak table\n"},
		{"GET", "/greeting", "Accept-Language", "fr", "MISS", "bonjour"},
		{"GET", "/greeting", "Accept-Language", "en", "MISS", "hello"},
		{"GET", "/greeting", "Accept-Language", "fr", "HIT", "bonjour"},
		{"GET", "/me", "Authorization", "Bearer alice", "MISS", `you are "Bearer alice"`},
		{"GET", "/me", "Authorization", "Bearer bob", "MISS", `you are "Bearer bob"`},
		{"GET", "/me", "Authorization", "Bearer alice", "HIT", `you are "Bearer alice"`},
	}
	for i, s := range steps {
		var body io.Reader
		switch s.method {
		case "PUT":
			body = strings.NewReader(s.value)
		case "POST":
			body = strings.NewReader(`{"tags": ["products"]}`)
		}
		req := httptest.NewRequest(s.method, s.path, body)
		if s.header != "" {
			req.Header.Set(s.header, s.value)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("X-Cache"); got != s.wantCache || rec.Body.String() != s.wantBody {
			t.Errorf("step %d %s %s %s: X-Cache %q body %q; want %q %q", i, s.method, s.path, s.value, got, rec.Body, s.wantCache, s.wantBody)
		}
		if want := map[bool]int{true: http.StatusNoContent, false: http.StatusForbidden}[s.value != "guess"]; s.method != "GET" && rec.Code != want {
			t.Errorf("step %d: %s answered %d, want %d", i, s.method, rec.Code, want)
		}
	}
}
