package hoardecho

import (
	"net/http"

	echo "github.com/labstack/echo/v4"

	hoard "github.com/hoard-go/hoard/core"
)

// Middleware returns Echo middleware that caches responses in c. It works
// with e.Use, on a group (g.Use) and on a single route (e.GET(path, h, mw)).
// The options (hoard.WithTTL, hoard.WithVaryBy, ...) apply to every route it
// wraps; build one Middleware per route for per-route settings. A bad option
// is an error here, never at request time.
func Middleware(c *hoard.Cache, opts ...hoard.HTTPOption) (echo.MiddlewareFunc, error) {
	engine, err := hoard.NewHTTP(c, opts...)
	if err != nil {
		return nil, err
	}
	// Echo v4 applies route and server middleware on every request, so
	// this returns a single closure: one allocation per request.
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return serve(engine, next, c) }
	}, nil
}

func serve(engine *hoard.HTTP, next echo.HandlerFunc, c echo.Context) error {
	res := c.Response()
	if res.Committed {
		// Other middleware already answered: there is nothing to cache.
		return next(c)
	}
	r := c.Request()
	req := hoard.HTTPRequest(r)
	x := engine.Begin(r.Context(), &req)
	defer x.Release()
	hdr := hoard.Header(res.Header())
	switch x.Action() {
	case hoard.ActionServe:
		// Through echo.Response, so Before/After hooks run and loggers see
		// the status and size.
		x.WriteHit(res)
		return nil
	case hoard.ActionBypass:
		x.Prepare(hdr)
		return next(c)
	case hoard.ActionRun:
		x.Prepare(hdr)
		if !x.Capturing() {
			return next(c)
		}
		return run(next, c, res, x, hdr)
	default:
		return next(c)
	}
}

// run calls the handler with the capture writer under echo.Response, so
// the engine sees the status and headers after Before hooks ran. The
// original writer is back in place before run returns: an error response
// that Echo's error handler writes afterwards is never captured.
func run(next echo.HandlerFunc, c echo.Context, res *echo.Response, x *hoard.Exchange, hdr hoard.Header) error {
	orig := res.Writer
	cw := hoard.NewCaptureWriter(orig, x)
	res.Writer = cw
	ok := false
	defer func() {
		res.Writer = orig
		if !ok {
			x.Abort() // a panic stores nothing and keeps unwinding
		}
	}()
	err := next(c)
	ok = true
	if err != nil || cw.Hijacked() {
		x.Abort()
		return err // unchanged, for Echo's error handler
	}
	x.Finish(c.Request().Context(), http.StatusOK, hdr)
	return nil
}
