package hoardfiber

import (
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Middleware returns a Fiber handler that caches responses in c. Use it
// with app.Use, on a group, or in front of a single route; the options
// (httpcache.WithTTL, httpcache.WithVaryBy, ...) apply to every route it
// serves, so build one Middleware per route for per-route settings. A bad
// option is an error here, never at request time.
func Middleware(c *hoard.Cache, opts ...httpcache.Option) (fiber.Handler, error) {
	engine, err := httpcache.New(c, opts...)
	if err != nil {
		return nil, err
	}
	m := &middleware{engine: engine}
	return m.handle, nil
}

type middleware struct {
	engine *httpcache.Engine
	app    atomic.Pointer[appInfo] // the app last served
}

// appInfo is what the middleware needs from an app's configuration, read
// once per app rather than copying fiber.Config on every request.
type appInfo struct {
	app   *fiber.App
	exact bool // DisableHeaderNormalizing: header names as sent
	// templates: the app keeps fasthttp's defaults, so a hit may copy a
	// header template (see hitheader.go).
	templates bool
}

func (m *middleware) appInfo(app *fiber.App) *appInfo {
	if a := m.app.Load(); a != nil && a.app == app {
		return a
	}
	cfg := app.Config()
	a := &appInfo{app: app, exact: cfg.DisableHeaderNormalizing}
	a.templates = !cfg.DisableHeaderNormalizing && !cfg.DisableDefaultDate && !cfg.DisableDefaultContentType
	m.app.Store(a)
	return a
}

// handle translates the request and the response for the engine, which
// does the rest.
func (m *middleware) handle(c *fiber.Ctx) error {
	fctx := c.Context()
	uri := fctx.Request.URI()
	req := httpcache.Request{
		Method: c.Method(),
		// The Host header (or the request line's absolute URI), never
		// X-Forwarded-Host, which c.Hostname honours behind a trusted proxy.
		Host:     b2s(uri.Host()),
		Path:     b2s(uri.PathOriginal()),
		RawQuery: b2s(uri.QueryString()),
		// fasthttp reads the clock for every request: one read fewer.
		Time: fctx.Time(),
	}
	a := m.appInfo(c.App())
	req.Refresh = a
	var resp httpcache.Response
	switch {
	case a.exact:
		req.Header = (*exactRequestHeader)(&fctx.Request.Header)
		resp = (*exactResponse)(fctx)
	case a.templates:
		req.Header = (*requestHeader)(&fctx.Request.Header)
		resp = (*templatedResponse)(fctx)
	default:
		req.Header = (*requestHeader)(&fctx.Request.Header)
		resp = (*response)(fctx)
	}
	return m.engine.Serve(c.UserContext(), &req, resp, c.Next)
}
