// Package hoardfiber caches Fiber (v2) responses with hoard.
//
// [Middleware] returns a fiber.Handler for app.Use, a group, or a single
// route:
//
//	c, _ := hoard.New(store)
//	cache, err := hoardfiber.Middleware(c, httpcache.WithTTL(time.Minute))
//	app.Get("/products/:id", cache, getProduct)
//
// Every decision (key, freshness, 304s, what may be stored, the headers
// hoard sends) is made by hoard's engine; this package only translates
// *fiber.Ctx. The key uses the request's Host header (never
// X-Forwarded-Host, which c.Hostname honours behind a trusted proxy), its
// path as sent and its sorted query.
//
// fasthttp reuses a request's buffers once the handler chain returns:
// hoard copies everything it keeps, and a hit's body is handed to fasthttp
// without a copy (stored bodies are immutable). Fields of the httpcache.Request
// a WithKeyFunc function receives are valid only during that call.
//
// A handler error is returned unchanged, so it reaches Fiber's error
// handler, and nothing is stored; so for a panic (register the recover
// middleware before the cache). A response with a body stream
// (c.SendStream, SetBodyStream, SetBodyStreamWriter, c.SendFile) still
// streams to the client as it is written; a bounded copy is kept, and a
// finite stream that completes within the size limit is stored.
// text/event-stream responses and hijacked connections are never stored.
package hoardfiber
