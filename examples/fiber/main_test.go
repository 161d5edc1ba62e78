package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

func TestApp(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := hoard.New(store)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	app, err := newApp(c)
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
		res, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Header.Get("X-Cache"); got != s.wantCache || string(body) != s.wantBody {
			t.Errorf("step %d %s %s %s: X-Cache %q body %q; want %q %q", i, s.method, s.path, s.value, got, body, s.wantCache, s.wantBody)
		}
		if s.method == "POST" && res.StatusCode != http.StatusNoContent {
			t.Errorf("step %d: POST answered %d", i, res.StatusCode)
		}
	}
}
