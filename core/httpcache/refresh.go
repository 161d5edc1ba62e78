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

// refreshTimeout bounds a background refresh replayed on net/http (a
// Refresher's replay has no context to bound).
const refreshTimeout = 30 * time.Second

// Refresher is implemented by an adapter that can run a request through
// its whole application again (see Request.Refresh).
type Refresher interface {
	// Refresh returns a function that runs r again through the whole
	// application, with the field name set to value in its header, and
	// discards the response; nil when r cannot be replayed. The engine
	// runs it in a goroutine of its own, and reports a panic. Refresh is
	// called while r is being served and must copy what it needs of r
	// before it returns; r.Header is the adapter's own RequestHeader.
	Refresh(r *Request, name, value string) func()
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

// canRefresh reports whether x's request can be replayed, and settles
// what a net/http request is replayed through: its server's handler, the
// whole application, else the engine's handler (x.app).
func (x *exchange) canRefresh() bool {
	if x.refresher != nil {
		return true
	}
	if x.hreq != nil {
		if h := serverHandler(x.hreq); h != nil {
			x.app = h
		}
	}
	return x.hreq != nil && x.app != nil
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
	var run func(context.Context)
	if x.refresher != nil {
		cp := *r // only this copy escapes: r stays on the adapter's stack
		if replay := x.refresher.Refresh(&cp, refreshField, e.refreshToken); replay != nil {
			run = func(context.Context) { replay() }
		}
	} else {
		replay := x.hreq.Clone(context.WithoutCancel(ctx))
		replay.Body, replay.ContentLength = http.NoBody, 0
		replay.Header.Set(refreshField, e.refreshToken)
		app := x.app
		run = func(ctx context.Context) {
			app.ServeHTTP(&discardResponse{header: http.Header{}}, replay.WithContext(ctx))
		}
	}
	if run == nil {
		e.cache.ReleaseRefresh(key, began)
		return
	}
	go e.replay(context.WithoutCancel(ctx), key, began, run)
}

// replay runs a refresh's replay to its end, within refreshTimeout where
// the replay takes a context. The replayed request, once it reaches the
// engine's refresh path, ends the refresh (and says whether it failed);
// one that does not (a middleware answered it, or the entry was fresh
// again) is ended here. A panic is reported, not raised: no server is
// there to recover it.
func (e *Engine) replay(ctx context.Context, key string, began int64, run func(context.Context)) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	defer e.cache.ReleaseRefresh(key, began)
	defer func() {
		if v := recover(); v != nil {
			e.cache.Observe(ctx, bridge.Error, "refresh", key, panicError(v))
		}
	}()
	run(ctx)
}

// discardResponse is the writer of a replayed refresh: the engine in the
// replayed request's path stores what it needs; the rest goes nowhere.
type discardResponse struct{ header http.Header }

func (w *discardResponse) Header() http.Header         { return w.header }
func (w *discardResponse) WriteHeader(int)             {}
func (w *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
