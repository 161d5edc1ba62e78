// Package hoardecho caches Echo (github.com/labstack/echo/v4) responses with
// hoard.
//
// [Middleware] returns an echo.MiddlewareFunc, so it goes wherever Echo
// middleware goes: on the whole server, on a group, or on one route with its
// own options:
//
//	c, _ := hoard.New(store)
//	cache, err := hoardecho.Middleware(c, httpcache.WithTTL(time.Minute))
//	e.GET("/products/:id", getProduct, cache)
//
// Every decision (key, freshness, 304s, what may be stored, headers) is made
// by hoard's engine; this package only translates echo.Context. The key
// uses the request's real path, so /products/1 and /products/2 are stored
// apart, and its Host (never X-Forwarded-Host).
//
// On a miss the middleware puts a capturing writer under c.Response() for
// the length of the handler, so the engine sees the status and headers as
// they are sent, after any c.Response().Before hooks ran. A handler that
// returns an error (an *echo.HTTPError or any other) or panics stores
// nothing; the error is returned unchanged and reaches Echo's
// HTTPErrorHandler, which writes its response past the cache. Flushes
// (c.Response().Flush, c.Stream) reach the client at once; a finite stream
// that completes within the size limit is stored and replayed whole;
// text/event-stream and hijacked connections never are. A response that
// other middleware committed before this one ran passes through untouched.
package hoardecho
