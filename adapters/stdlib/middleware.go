package hoardhttp

import (
	"net/http"

	hoard "github.com/hoard-go/hoard/core"
)

// Middleware returns net/http middleware that caches responses in c. The
// options (hoard.WithTTL, hoard.WithVaryBy, ...) apply to every route it
// wraps; use one Middleware per route for per-route settings. A bad option
// is an error here, never at request time.
func Middleware(c *hoard.Cache, opts ...hoard.HTTPOption) (func(http.Handler) http.Handler, error) {
	engine, err := hoard.NewHTTP(c, opts...)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return &handler{engine: engine, next: next}
	}, nil
}

type handler struct {
	engine *hoard.HTTP
	next   http.Handler
}

func (m *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := hoard.HTTPRequest(r)
	x := m.engine.Begin(r.Context(), &req)
	defer x.Release()
	hdr := hoard.Header(w.Header())
	switch x.Action() {
	case hoard.ActionServe:
		x.WriteHit(w)
	case hoard.ActionBypass:
		x.Prepare(hdr)
		m.next.ServeHTTP(w, r)
	case hoard.ActionRun:
		x.Prepare(hdr)
		if !x.Capturing() {
			m.next.ServeHTTP(w, r)
			return
		}
		m.run(w, r, x, hdr)
	default:
		m.next.ServeHTTP(w, r)
	}
}

// run calls the handler through a capturing writer and offers the result
// to the engine. A panic stores nothing and keeps unwinding.
func (m *handler) run(w http.ResponseWriter, r *http.Request, x *hoard.Exchange, hdr hoard.Header) {
	cw := hoard.NewCaptureWriter(w, x)
	ok := false
	defer func() {
		if !ok {
			x.Abort()
		}
	}()
	m.next.ServeHTTP(cw, r)
	ok = true
	if cw.Hijacked() {
		x.Abort()
		return
	}
	x.Finish(r.Context(), http.StatusOK, hdr)
}
