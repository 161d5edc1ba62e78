package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

func TestEcho(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := hoard.New(store)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e, err := newEcho(c)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		method, path, header, value string
		wantCache, wantBody         string
	}{
		{"GET", "/products/7", "", "", "MISS", `{"id":"7","name":"product 7"}`},
		{"GET", "/products/7", "", "", "HIT", `{"id":"7","name":"product 7"}`},
		{"POST", "/products/7", "", "", "", ""},
		{"GET", "/products/7", "", "", "MISS", `{"id":"7","name":"product 7"}`},
		{"GET", "/greeting", "Accept-Language", "fr", "MISS", "bonjour"},
		{"GET", "/greeting", "Accept-Language", "en", "MISS", "hello"},
		{"GET", "/greeting", "Accept-Language", "fr", "HIT", "bonjour"},
		{"GET", "/me", "Authorization", "Bearer alice", "MISS", "you are Bearer alice"},
		{"GET", "/me", "Authorization", "Bearer bob", "MISS", "you are Bearer bob"},
		{"GET", "/me", "Authorization", "Bearer alice", "HIT", "you are Bearer alice"},
	}
	for i, s := range steps {
		req := httptest.NewRequest(s.method, s.path, nil)
		if s.header != "" {
			req.Header.Set(s.header, s.value)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		body := strings.TrimSpace(rec.Body.String()) // Echo's JSON ends in a newline
		if got := rec.Header().Get("X-Cache"); got != s.wantCache || body != s.wantBody {
			t.Errorf("step %d %s %s %s: X-Cache %q body %q; want %q %q", i, s.method, s.path, s.value, got, body, s.wantCache, s.wantBody)
		}
		if s.method == "POST" && rec.Code != http.StatusNoContent {
			t.Errorf("step %d: POST answered %d", i, rec.Code)
		}
	}
}
