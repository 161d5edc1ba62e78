// Package hoardhttp caches net/http responses with hoard.
//
// [Middleware] wraps any http.Handler, so it works with http.ServeMux
// (including Go 1.22 patterns), chi, gorilla/mux and anything else built on
// net/http:
//
//	c, _ := hoard.New(store)
//	cache, err := hoardhttp.Middleware(c, httpcache.WithTTL(time.Minute))
//	mux.Handle("GET /products/{id}", cache(productHandler))
//
// Every decision (key, freshness, 304s, what may be stored, headers) is made
// by hoard's engine; this package only translates net/http's types. The
// wrapped ResponseWriter keeps http.Flusher, http.Hijacker and Unwrap (so
// http.ResponseController works): flushed bytes reach the client at once,
// a bounded copy is kept, and a finite stream that completes within the
// size limit is stored and replayed whole.
package hoardhttp
