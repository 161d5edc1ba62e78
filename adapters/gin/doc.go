// Package hoardgin caches Gin (github.com/gin-gonic/gin) responses with
// hoard.
//
// [Middleware] returns a gin.HandlerFunc, so it goes wherever Gin
// middleware goes: on the whole router, on a group, or on one route with
// its own options:
//
//	c, _ := hoard.New(store)
//	cache, err := hoardgin.Middleware(c, httpcache.WithTTL(time.Minute))
//	router.GET("/products/:id", cache, getProduct)
//
// Every decision (key, freshness, 304s, what may be stored, headers) is made
// by hoard's engine; this package only translates *gin.Context. The key
// uses the request's real path, so /products/1 and /products/2 are stored
// apart, and its Host (never X-Forwarded-Host).
//
// A hit is written through c.Writer, so Gin's status and size (and its
// logger) see it, and the chain stops there (c.Abort): the handlers do not
// run. On a miss the rest of the chain runs inside the middleware
// (c.Next), writing to a gin.ResponseWriter over the engine's writer that
// keeps Gin's semantics: the status goes out with the first body byte, so
// headers set after c.Status still count. c.Writer is back before the
// middleware returns.
//
// Gin handlers return no error: a response is judged by its status (a 500
// is never stored). A handler that records an error with c.Error and
// writes nothing stores nothing, and middleware outside the cache can write
// the error response afterwards. A panic stores nothing and keeps unwinding
// to gin.Recovery. Flushes (c.Writer.Flush, c.Stream) reach the client at
// once; a finite stream that completes within the size limit is stored and
// replayed whole; text/event-stream and hijacked connections never are. A
// response that other middleware wrote before this one ran passes through
// untouched.
package hoardgin
