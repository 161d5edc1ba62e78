package adaptertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/hoard-go/hoard/core/adaptertest"
)

// An adapter's test mounts each Route with a handler that carries out the
// route's Handler in the framework's own way. For net/http that is a
// handler like this one (streaming, errors and panics left out); the suite
// then counts the runs to tell a hit (the handler did not run) from a miss.
func ExampleHandler() {
	native := func(h *adaptertest.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			resp := h.Respond(adaptertest.Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header})
			for _, kv := range resp.Header {
				w.Header().Add(kv[0], kv[1])
			}
			if resp.Status != 0 {
				w.WriteHeader(resp.Status)
			}
			for _, chunk := range resp.Chunks {
				_, _ = w.Write([]byte(chunk))
			}
		})
	}

	greet := &adaptertest.Handler{Build: func(r adaptertest.Request) adaptertest.Response {
		return adaptertest.Response{
			Status: http.StatusCreated,
			Header: [][2]string{{"Content-Type", "text/plain"}, {"Vary", "Accept-Language"}},
			Chunks: []string{"hello, ", r.Header.Get("Accept-Language")},
		}
	}}
	req := httptest.NewRequest("GET", "/greet", nil)
	req.Header.Set("Accept-Language", "fr")
	rec := httptest.NewRecorder()
	native(greet).ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Vary"), rec.Body, "- runs:", greet.Runs())

	// The zero Handler answers 200 "ok <path>?<query>".
	var plain adaptertest.Handler
	rec = httptest.NewRecorder()
	native(&plain).ServeHTTP(rec, httptest.NewRequest("GET", "/items?id=7", nil))
	fmt.Println(rec.Code, rec.Body, "- runs:", plain.Runs())
	// Output:
	// 201 Accept-Language hello, fr - runs: 1
	// 200 ok /items?id=7 - runs: 1
}

// Response.Body joins the chunks a streaming handler writes one by one.
func ExampleResponse_Body() {
	r := adaptertest.Response{Chunks: []string{"data: 1\n\n", "data: 2\n\n"}, Stream: true}
	fmt.Printf("%q\n", r.Body())
	// Output:
	// "data: 1\n\ndata: 2\n\n"
}
