package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// NetHTTPMiddleware builds net/http middleware over a cache, as
// hoardhttp.Middleware does.
type NetHTTPMiddleware func(c *hoard.Cache, opts ...httpcache.Option) (func(http.Handler) http.Handler, error)

// EngineMiddleware is net/http middleware straight from the engine
// ([httpcache.Engine.Handler]): what backends run the suite with, so that
// their modules need no adapter.
func EngineMiddleware(c *hoard.Cache, opts ...httpcache.Option) (func(http.Handler) http.Handler, error) {
	e, err := httpcache.New(c, opts...)
	if err != nil {
		return nil, err
	}
	return e.Handler, nil
}

// NetHTTPServer returns a [NewServer] for net/http middleware: each route
// on an http.ServeMux behind mw, its handler carried out by
// [NetHTTPHandler], served by an httptest server. Backends pass
// [EngineMiddleware].
func NetHTTPServer(mw NetHTTPMiddleware) NewServer {
	return func(t *testing.T, c *hoard.Cache, routes []Route) string {
		mux := http.NewServeMux()
		for _, r := range routes {
			m, err := mw(c, r.Options...)
			if err != nil {
				t.Fatal(err)
			}
			mux.Handle(r.Path, OuterFields(r.Outer, m(NetHTTPHandler(r.Handler))))
		}
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

// OuterFields is net/http middleware that sets fields on the response
// before next runs: a Route's Outer fields. With none it returns next.
func OuterFields(fields [][2]string, next http.Handler) http.Handler {
	if len(fields) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, kv := range fields {
			w.Header().Add(kv[0], kv[1])
		}
		next.ServeHTTP(w, r)
	})
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
		for _, kv := range resp.RawHeader {
			w.Header()[kv[0]] = append(w.Header()[kv[0]], kv[1])
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
