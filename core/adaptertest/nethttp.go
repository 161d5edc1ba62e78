package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
)

// NetHTTPMiddleware builds net/http middleware over a cache, as
// hoardhttp.Middleware does.
type NetHTTPMiddleware func(c *hoard.Cache, opts ...hoard.HTTPOption) (func(http.Handler) http.Handler, error)

// NetHTTPServer returns a [NewServer] for net/http middleware: each route
// on an http.ServeMux behind mw, its handler carried out by
// [NetHTTPHandler], served by an httptest server. Backends use it to run
// the suite through the net/http adapter.
func NetHTTPServer(mw NetHTTPMiddleware) NewServer {
	return func(t *testing.T, c *hoard.Cache, routes []Route) string {
		mux := http.NewServeMux()
		for _, r := range routes {
			m, err := mw(c, r.Options...)
			if err != nil {
				t.Fatal(err)
			}
			mux.Handle(r.Path, m(NetHTTPHandler(r.Handler)))
		}
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

// NetHTTPHandler carries out h with plain net/http: Err answers 500,
// Panic aborts the handler, Stream flushes after every chunk.
func NetHTTPHandler(h *Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp := h.Respond(Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header})
		if resp.Panic {
			panic(http.ErrAbortHandler)
		}
		if resp.Err {
			http.Error(w, "handler failed", http.StatusInternalServerError)
			return
		}
		for _, kv := range resp.Header {
			w.Header().Add(kv[0], kv[1])
		}
		if resp.Status != 0 {
			w.WriteHeader(resp.Status)
		}
		for i, chunk := range resp.Chunks {
			if resp.Stream && i > 0 && resp.Gate != nil {
				resp.Gate(i)
			}
			_, _ = w.Write([]byte(chunk))
			if resp.Stream {
				_ = http.NewResponseController(w).Flush()
			}
		}
	})
}
