package httpcache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/hoard-go/hoard/core/internal/bridge"
)

// Stale-while-revalidate (RFC 5861): a response stale by less than its
// window (the response's stale-while-revalidate=N, else the route's
// WithStaleWhileRevalidate) is served at once, and one background request
// refreshes it. That request is the client's request again, replayed
// through the application with refreshField set to the engine's token:
// it goes through every middleware and the handler as the client's would,
// and the engine, recognising it, revalidates the entry (a conditional
// request when it has a validator) and stores what comes back. Its
// response goes nowhere.
//
// At most one refresh runs per entry, and at most WithBackgroundRefreshes
// per Cache; a refresh that never comes back frees its entry after a
// minute. A net/http request (net/http, Echo, Gin, chi, ...) is replayed
// through the handler of the http.Server it came through, every
// middleware included; Fiber's through its fasthttp server's handler
// (Request.Refresh). Where there is none, a stale response is revalidated
// as the request waits.

// refreshField carries the engine's token on a background refresh.
const refreshField = "Hoard-Refresh"

// refreshTimeout bounds a background refresh replayed on net/http.
const refreshTimeout = 30 * time.Second

// Refresher is implemented by an adapter that can run a request through
// its whole application again (see Request.Refresh).
type Refresher interface {
	// Refresh starts r again through the application, in a goroutine of
	// its own, with the field name set to value in its header, discards
	// the response and then calls done (done is called in every case,
	// also when r cannot be replayed). It is called while r is being
	// served and must copy what it needs of r before it returns; r.Header
	// is the adapter's own RequestHeader.
	Refresh(r *Request, name, value string, done func())
}

// newRefreshToken returns the random value that marks an engine's own
// refreshes: a client cannot make its request one.
func newRefreshToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// serverHandler is the handler of the net/http server r came through: the
// whole application, every middleware included (net/http puts the server
// in every request's context).
func serverHandler(r *http.Request) http.Handler {
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.Handler != nil {
		return srv.Handler
	}
	return nil
}

// canRefresh reports whether x's request can be replayed.
func (x *exchange) canRefresh() bool {
	return x.refresher != nil || x.app != nil || x.hreq != nil && serverHandler(x.hreq) != nil
}

// startRefresh starts the background refresh of the stale entry x was
// served, if none runs for it yet and the Cache allows one more.
func (x *exchange) startRefresh(ctx context.Context, r *Request) {
	e := x.e
	key := x.refreshKey
	began, ok := e.cache.StartRefresh(key, x.staleAt)
	if !ok {
		return
	}
	e.cache.Observe(ctx, bridge.Refresh, "http", key, nil)
	switch {
	case r.Refresh != nil:
		cp := *r // only this copy escapes: r stays on the adapter's stack
		r.Refresh.Refresh(&cp, refreshField, e.refreshToken, func() { e.cache.ReleaseRefresh(key, began) })
	case r.hreq != nil && (r.app != nil || serverHandler(r.hreq) != nil):
		app := serverHandler(r.hreq)
		if app == nil {
			app = r.app
		}
		replay := r.hreq.Clone(context.WithoutCancel(ctx))
		replay.Body, replay.ContentLength = http.NoBody, 0
		replay.Header.Set(refreshField, e.refreshToken)
		go e.replayHTTP(key, began, app, replay)
	default:
		e.cache.EndRefresh(key, false, 0)
	}
}

// replayHTTP runs a net/http refresh to its end, within refreshTimeout.
func (e *Engine) replayHTTP(key string, began int64, app http.Handler, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), refreshTimeout)
	defer cancel()
	// The replayed request, once it reaches the engine's refresh path,
	// ends the refresh (and says whether it failed); one that does not (a
	// middleware answered it, or the entry was fresh again) is ended here.
	defer e.cache.ReleaseRefresh(key, began)
	defer func() {
		if v := recover(); v != nil {
			e.cache.Observe(ctx, bridge.Error, "refresh", key, panicError(v))
		}
	}()
	app.ServeHTTP(&discardResponse{header: http.Header{}}, r.WithContext(ctx))
}

// discardResponse is the writer of a replayed refresh: the engine in the
// replayed request's path stores what it needs; the rest goes nowhere.
type discardResponse struct {
	header http.Header
	code   int
}

func (w *discardResponse) Header() http.Header { return w.header }
func (w *discardResponse) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}
func (w *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
