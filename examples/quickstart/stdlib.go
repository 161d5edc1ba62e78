package main

import (
	"net/http"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

// newStdlibServer serves the demo with net/http's ServeMux and hoardhttp.
func newStdlibServer(d *demo) (server, error) {
	cache, err := hoardhttp.Middleware(d.cache, reportOptions...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /report", cache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := d.report()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})))
	mux.HandleFunc("GET /square", func(w http.ResponseWriter, r *http.Request) {
		code, body := d.squareOf(r.Context(), r.URL.Query().Get("n"))
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	})
	mux.HandleFunc("POST /clear", func(w http.ResponseWriter, r *http.Request) {
		code, body := d.clear(r.Context(), r.URL.Query().Get("ns"))
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(d.stats())
	})
	return newHTTPServer(mux), nil
}
