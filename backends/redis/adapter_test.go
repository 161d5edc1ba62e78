package hoardredis_test

import (
	"github.com/hoard-go/hoard/core/testserver"
	"net/http"
	"net/http/httptest"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestAdapter runs the HTTP behaviour suite through the net/http adapter
// with Redis as the backend: what the engine stores must come back intact
// from a real server, and a namespace clear must reach it. The suite gives
// every scenario its own key prefix, so the scenarios share one server (or
// one cluster).
func TestAdapter(t *testing.T) {
	topologies := []struct {
		name  string
		addrs func(t *testing.T) []string
	}{
		{"Standalone", func(t *testing.T) []string { return []string{testserver.Redis(t).Addr} }},
		{"Cluster", func(t *testing.T) []string { return startCluster(t) }},
	}
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			addrs := tc.addrs(t)
			adaptertest.Run(t, newHTTPServer, adaptertest.WithBackend(func(t *testing.T) hoard.Backend {
				return newStore(t, hoardredis.Options{Addrs: addrs})
			}))
		})
	}
}

// newHTTPServer mounts the suite's routes on an http.ServeMux behind
// hoardhttp.Middleware (as adapters/stdlib's own conformance test does).
func newHTTPServer(t *testing.T, c *hoard.Cache, routes []adaptertest.Route) string {
	mux := http.NewServeMux()
	for _, r := range routes {
		mw, err := hoardhttp.Middleware(c, r.Options...)
		if err != nil {
			t.Fatal(err)
		}
		mux.Handle(r.Path, mw(nativeHandler(r.Handler)))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// nativeHandler carries out an adaptertest.Handler with plain net/http.
// It is a copy of adapters/stdlib's, which lives in that module's tests.
func nativeHandler(h *adaptertest.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp := h.Respond(adaptertest.Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header})
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
