// Package httpcache is hoard's HTTP caching engine: it decides, for each
// request, whether to answer from the cache, and owns the whole exchange
// when it does not (running the handler, watching what it sends, storing
// it only if it is storable and reached the client whole).
//
// Users meet it through an adapter (hoardhttp for net/http, hoardecho,
// hoardfiber) and its options:
//
//	c, _ := hoard.New(store)
//	cache, err := hoardhttp.Middleware(c,
//		httpcache.WithTTL(time.Minute),
//		httpcache.WithVaryBy("Accept-Language"))
//
// or directly, as net/http middleware:
//
//	engine, err := httpcache.New(c, httpcache.WithTTL(time.Minute))
//	mux.Handle("GET /products/{id}", engine.Handler(products))
//
// Every decision lives here: the key (host, path, query sorted by decoded
// name, the route's Vary headers, a credential's hash when allowed), what
// may be stored (status, Cache-Control, Set-Cookie, Vary, size, whoever set
// the fields and whatever the case of their names), for how long, ETags and
// 304s, the headers a response gets (X-Cache, Cache-Status, Age,
// Cache-Control), concurrent misses (the handler runs once), and when a
// response is not stored after all: a panic, a handler error, a hijacked
// connection, a failed write, a client that left, a body over the limit
// or shorter than its Content-Length.
//
// # For adapter authors
//
// An adapter translates; it holds no caching logic. Frameworks built on
// net/http types call [Engine.ServeHTTP] with the response writer and a
// function that runs the rest of the chain with the writer it is given.
// Frameworks that hand the whole response over after the handler returns
// (fasthttp) call [Engine.Serve] with a [Request] view and a [Response]
// view of their own types. Both views may alias the framework's reused
// buffers: the engine copies what it keeps. The conformance suite
// core/adaptertest is the contract every adapter runs.
package httpcache
