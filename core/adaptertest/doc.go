// Package adaptertest is the HTTP behaviour suite every hoard adapter runs,
// in the manner of testing/fstest and x/net/nettest: one call drives real
// HTTP requests against a real server built by the adapter, one named
// subtest per scenario of the HTTP behaviour contract.
//
// The suite describes each route's handler as data ([Handler]); the adapter
// mounts the routes in its framework with a handler that carries the
// description out natively (set headers, write or stream chunks, return an
// error, panic), wrapped in its middleware:
//
//	adaptertest.Run(t, func(t *testing.T, c *hoard.Cache, routes []adaptertest.Route) string {
//		mux := http.NewServeMux()
//		for _, r := range routes {
//			mw, err := hoardhttp.Middleware(c, r.Options...)
//			if err != nil { t.Fatal(err) }
//			mux.Handle(r.Path, mw(nativeHandler(r.Handler)))
//		}
//		srv := httptest.NewServer(mux)
//		t.Cleanup(srv.Close)
//		return srv.URL
//	})
//
// Backends run the suite through the net/http adapter ([NetHTTPServer]),
// and [Faults] against their real server: killed, restarted empty,
// stalled and resumed under load.
package adaptertest
