package hoardecho

import (
	"net/http"

	echo "github.com/labstack/echo/v4"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Middleware returns Echo middleware that caches responses in c. It works
// with e.Use, on a group (g.Use) and on a single route (e.GET(path, h, mw)).
// The options (httpcache.WithTTL, httpcache.WithVaryBy, ...) apply to every
// route it wraps; build one Middleware per route for per-route settings. A
// bad option is an error here, never at request time.
func Middleware(c *hoard.Cache, opts ...httpcache.Option) (echo.MiddlewareFunc, error) {
	engine, err := httpcache.New(c, opts...)
	if err != nil {
		return nil, err
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		// Echo v4 applies route middleware per request: this 24 B closure is allocated on every hit.
		return func(c echo.Context) error { return serve(engine, next, c) }
	}, nil
}

// serve hands the request to the engine. Hits go through c.Response(), so
// its Before/After hooks run and loggers see the status and size; on a miss
// the engine's writer goes under c.Response() for the handler's run, and
// the original is back before serve returns, so an error response that
// Echo's error handler writes afterwards is never captured.
func serve(engine *httpcache.Engine, next echo.HandlerFunc, c echo.Context) error {
	res := c.Response()
	if res.Committed {
		return next(c) // other middleware already answered
	}
	orig := res.Writer
	req := c.Request()
	return engine.ServeHTTPWrapped(res, orig, req, func(w http.ResponseWriter, r *http.Request) error {
		res.Writer = w
		defer func() { res.Writer = orig }()
		if r != req {
			c.SetRequest(r) // the tracer's context
			defer c.SetRequest(req)
		}
		return next(c)
	})
}
