package hoardfiber

import (
	"github.com/valyala/fasthttp"

	"github.com/hoard-go/hoard/core/httpcache"
)

var _ httpcache.Refresher = (*appInfo)(nil)

// Refresh returns the replay of a request through the app's whole handler
// (every middleware, this one included) on a RequestCtx of its own, for a
// stale-while-revalidate refresh: the engine runs it, recognises the
// field it sets and stores the response; the response goes nowhere. The
// request is copied before Refresh returns, since fasthttp reuses the
// original's. It is the app the request came through that replays it,
// also when one Middleware serves several apps.
func (a *appInfo) Refresh(r *httpcache.Request, name, value string) func() {
	var src *fasthttp.RequestHeader
	switch h := r.Header.(type) {
	case *requestHeader:
		src = (*fasthttp.RequestHeader)(h)
	case *exactRequestHeader:
		src = (*fasthttp.RequestHeader)(h)
	default:
		return nil
	}
	// The server's handler, not app.Handler(): that one rebuilds the
	// router, which must not happen while requests are served.
	handler := a.app.Server().Handler
	if handler == nil {
		return nil
	}
	req := new(fasthttp.Request)
	src.CopyTo(&req.Header)
	req.Header.Set(name, value)
	return func() {
		var fctx fasthttp.RequestCtx
		fctx.Init(req, nil, nil)
		handler(&fctx)
	}
}
