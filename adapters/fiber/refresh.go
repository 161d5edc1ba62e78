package hoardfiber

import (
	"github.com/valyala/fasthttp"

	"github.com/hoard-go/hoard/core/httpcache"
)

var _ httpcache.Refresher = (*middleware)(nil)

// Refresh replays a request through the app's whole handler (every
// middleware, this one included) on a RequestCtx of its own, for a
// stale-while-revalidate refresh: the engine recognises the field it sets
// and stores the response; the response goes nowhere. The request is
// copied before Refresh returns, since fasthttp reuses the original's.
// done is called once the replay has ended, or at once when there is
// nothing to replay it through.
func (m *middleware) Refresh(r *httpcache.Request, name, value string, done func()) {
	a := m.app.Load()
	if a == nil {
		done()
		return
	}
	var src *fasthttp.RequestHeader
	switch h := r.Header.(type) {
	case *requestHeader:
		src = (*fasthttp.RequestHeader)(h)
	case *exactRequestHeader:
		src = (*fasthttp.RequestHeader)(h)
	default:
		done()
		return
	}
	// The server's handler, not app.Handler(): that one rebuilds the
	// router, which must not happen while requests are served.
	handler := a.app.Server().Handler
	if handler == nil {
		done()
		return
	}
	req := new(fasthttp.Request)
	src.CopyTo(&req.Header)
	req.Header.Set(name, value)
	go func() {
		defer done()
		// A panic here has no server to recover it (nor a client to
		// answer): the refresh is dropped, the stale entry stays.
		defer func() { _ = recover() }()
		var fctx fasthttp.RequestCtx
		fctx.Init(req, nil, nil)
		handler(&fctx)
	}()
}
