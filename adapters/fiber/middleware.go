package hoardfiber

import (
	"context"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	hoard "github.com/hoard-go/hoard/core"
)

// Middleware returns a Fiber handler that caches responses in c. Use it
// with app.Use, on a group, or in front of a single route; the options
// (hoard.WithTTL, hoard.WithVaryBy, ...) apply to every route it serves, so
// build one Middleware per route for per-route settings. A bad option is an
// error here, never at request time.
func Middleware(c *hoard.Cache, opts ...hoard.HTTPOption) (fiber.Handler, error) {
	engine, err := hoard.NewHTTP(c, opts...)
	if err != nil {
		return nil, err
	}
	m := &middleware{engine: engine}
	return m.handle, nil
}

type middleware struct {
	engine *hoard.HTTP
	app    atomic.Pointer[appInfo] // the app last served
}

// appInfo is what the middleware needs from an app's configuration, read
// once per app rather than copying fiber.Config on every request.
type appInfo struct {
	app   *fiber.App
	exact bool // DisableHeaderNormalizing: header names as sent
}

func (m *middleware) appInfo(app *fiber.App) *appInfo {
	if a := m.app.Load(); a != nil && a.app == app {
		return a
	}
	a := &appInfo{app: app, exact: app.Config().DisableHeaderNormalizing}
	m.app.Store(a)
	return a
}

func (m *middleware) handle(c *fiber.Ctx) error {
	fctx := c.Context()
	uri := fctx.Request.URI()
	req := hoard.Request{
		Method: c.Method(),
		// The Host header (or the request line's absolute URI), never
		// X-Forwarded-Host, which c.Hostname honours behind a trusted proxy.
		Host:     b2s(uri.Host()),
		Path:     b2s(uri.PathOriginal()),
		RawQuery: b2s(uri.QueryString()),
		// fasthttp reads the clock for every request: one read fewer.
		Time: fctx.Time(),
	}
	if m.appInfo(c.App()).exact {
		req.Header = (*exactRequestHeader)(&fctx.Request.Header)
	} else {
		req.Header = (*requestHeader)(&fctx.Request.Header)
	}
	ctx := userContext(fctx)
	x := m.engine.Begin(ctx, &req)
	resp := &fctx.Response
	switch x.Action() {
	case hoard.ActionServe:
		body := x.Body()
		setFields(&resp.Header, x.ResponseHeaders(), body != nil)
		resp.SetStatusCode(x.Status())
		// The engine's body is read-only and outlives the response: no copy.
		resp.SetBodyRaw(body)
		x.Release()
		return nil
	case hoard.ActionRun:
		x.Prepare((*keptHeader)(&resp.Header))
		if x.Capturing() {
			return m.run(ctx, c, x)
		}
	case hoard.ActionBypass:
		x.Prepare((*keptHeader)(&resp.Header))
	}
	x.Release()
	return c.Next()
}

// fiberUserContextKey is the user value under which Fiber v2 keeps the
// context of c.SetUserContext.
const fiberUserContextKey = "__local_user_context__"

// userContext is c.UserContext() without its side effect: when the app set
// no context, c.UserContext stores context.Background() among the
// request's user values, which cost a hit more than looking it up.
// TestUserContextReachesCache fails if Fiber moves the context.
func userContext(fctx *fasthttp.RequestCtx) context.Context {
	if ctx, ok := fctx.UserValue(fiberUserContextKey).(context.Context); ok {
		return ctx
	}
	return context.Background()
}

// run calls the rest of the chain and offers its response to the engine.
// An error is returned unchanged (Fiber's error handler answers it) and
// stores nothing, as does a panic, which keeps unwinding.
func (m *middleware) run(ctx context.Context, c *fiber.Ctx, x *hoard.Exchange) error {
	finished := false
	defer func() {
		if !finished {
			x.Abort()
			x.Release()
		}
	}()
	err := c.Next()
	finished = true
	if err != nil {
		x.Abort()
		x.Release()
		return err
	}
	if c.Context().Hijacked() {
		// The connection belongs to the handler: whatever fasthttp still
		// writes is not the response the client gets.
		x.Abort()
		x.Release()
		return nil
	}
	resp := c.Response()
	status := resp.StatusCode()
	hdr := (*responseHeader)(&resp.Header)
	if resp.IsBodyStream() {
		m.stream(ctx, resp, x, status)
		return nil
	}
	body := resp.Body()
	x.DeclareLength(int64(len(body))) // known before the header goes out
	x.Commit(status, hdr)
	x.Capture(body)
	x.Finish(ctx, status, hdr)
	x.Release()
	return nil
}

// stream commits a streamed response and puts a tee in front of its body,
// which takes over the exchange. The header is committed now, before
// fasthttp sends it; the stream is read after the chain returned.
func (m *middleware) stream(ctx context.Context, resp *fasthttp.Response, x *hoard.Exchange, status int) {
	orig := resp.BodyStream()
	x.DeclareLength(int64(streamLength(resp, orig)))
	if !canReplaceStream(orig) {
		x.NotStorable()
	}
	// The engine keeps header values until the stream ends: give it copies.
	x.Commit(status, (*keptHeader)(&resp.Header))
	if !x.Capturing() {
		x.Release()
		return
	}
	replaceStream(resp, &tee{r: orig, x: x, ctx: ctx, status: status, hdr: &resp.Header})
}
