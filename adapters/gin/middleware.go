package hoardgin

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Middleware returns Gin middleware that caches responses in c. It works
// with router.Use, on a group (router.Group(path, mw) or g.Use) and on a
// single route (router.GET(path, mw, handler)). The options
// (httpcache.WithTTL, httpcache.WithVaryBy, ...) apply to every route it
// wraps; build one Middleware per route for per-route settings. A bad
// option is an error here, never at request time.
func Middleware(c *hoard.Cache, opts ...httpcache.Option) (gin.HandlerFunc, error) {
	engine, err := httpcache.New(c, opts...)
	if err != nil {
		return nil, err
	}
	return func(c *gin.Context) { serve(engine, c) }, nil
}

// serve hands the request to the engine. A hit is written through
// c.Writer, so Gin's status and size bookkeeping (and its logger) see it;
// the rest of the chain does not run (c.Abort). On a miss the rest of the
// chain runs inside the engine (c.Next), writing to a gin.ResponseWriter
// over the engine's writer, and c.Writer is back before serve returns, so
// what middleware outside the cache writes afterwards is never captured.
func serve(engine *httpcache.Engine, c *gin.Context) {
	orig := c.Writer
	if orig.Written() {
		c.Next() // other middleware already answered
		return
	}
	x := exchange{c: c, orig: orig, errs: len(c.Errors)}
	// The engine returns the handler's error unchanged: a gin handler's
	// errors are in c.Errors already, where the application reads them.
	// x.run does not escape (the engine only calls it), so a hit
	// allocates nothing here.
	_ = engine.ServeHTTP(orig, c.Request, x.run)
	if x.sent && !orig.Written() {
		// The handlers sent the header (c.AbortWithStatus, a 204 by
		// c.Status and WriteHeaderNow) and the engine passed the status to
		// Gin's writer without sending it: send it now, so middleware
		// outside sees what it would without the cache.
		orig.WriteHeaderNow()
	}
	if !x.ran {
		c.Abort() // answered by the cache: the handlers must not run
	}
}

// exchange is one request's state between serve and the engine, on
// serve's stack.
type exchange struct {
	c    *gin.Context
	orig gin.ResponseWriter
	errs int  // len(c.Errors) before the handlers ran
	ran  bool // the handlers ran
	sent bool // the handlers sent the header (a write, WriteHeaderNow, Flush)
}

// run runs the rest of the chain for the engine, through w.
func (x *exchange) run(w http.ResponseWriter, r *http.Request) error {
	x.ran = true
	c := x.c
	if req := c.Request; r != req {
		c.Request = r // the tracer's context
		defer func() { c.Request = req }()
	}
	if w == http.ResponseWriter(x.orig) {
		c.Next() // nothing to capture: the engine gave the writer back
		return nil
	}
	gw := &writer{w: w, orig: x.orig, status: http.StatusOK, size: unwritten}
	c.Writer = gw
	defer func() { c.Writer = x.orig }()
	c.Next()
	x.sent = gw.Written()
	if !x.sent {
		if len(c.Errors) > x.errs {
			// An error and no response (c.Error, c.AbortWithError without
			// a body): an error handler outside the cache writes it after
			// serve returns. Nothing is stored; the status the handler
			// chose goes to Gin's writer, which sends it at the end.
			if gw.status != x.orig.Status() {
				x.orig.WriteHeader(gw.status)
			}
			return c.Errors.Last()
		}
		// Gin sends the status at the end of the chain even when nothing
		// was written: the engine learns it now, and Gin's own writer
		// underneath still sends it at the end of the chain.
		gw.WriteHeaderNow()
	}
	return nil
}

// unwritten is a writer's size before anything was sent (gin's noWritten).
const unwritten = -1

// errHijackAfterWrite is what Gin's own writer answers too.
var errHijackAfterWrite = errors.New("hoardgin: response body already written")

// writer is the gin.ResponseWriter the handlers write to on a miss. It
// keeps Gin's semantics (WriteHeader only records the status, which is
// handed on with the first body byte, WriteHeaderNow or Flush, so headers
// set after c.Status still count) over w, the engine's writer, which sees
// the status, the header and every body byte and decides when they reach
// Gin's writer and the client.
type writer struct {
	w      http.ResponseWriter // the engine's
	orig   gin.ResponseWriter  // Gin's, under w
	status int
	size   int
}

var _ gin.ResponseWriter = (*writer)(nil)

// Header returns the response header.
func (w *writer) Header() http.Header { return w.w.Header() }

// WriteHeader sets the status to send; it is sent with the first write.
func (w *writer) WriteHeader(code int) {
	if code > 0 && w.status != code && !w.Written() {
		w.status = code
	}
}

// WriteHeaderNow hands the status and header to the engine's writer,
// once; the engine decides when they go out (serve has Gin's writer send
// them, if the engine left that to it, once the engine is done).
func (w *writer) WriteHeaderNow() {
	if !w.Written() {
		w.size = 0
		w.w.WriteHeader(w.status)
	}
}

// Write sends p.
func (w *writer) Write(p []byte) (int, error) {
	w.WriteHeaderNow()
	n, err := w.w.Write(p)
	w.size += n
	return n, err
}

// WriteString sends s.
func (w *writer) WriteString(s string) (int, error) {
	w.WriteHeaderNow()
	n, err := io.WriteString(w.w, s)
	w.size += n
	return n, err
}

// Status is the status set or sent.
func (w *writer) Status() int { return w.status }

// Size is the number of body bytes sent, -1 before the header is.
func (w *writer) Size() int { return w.size }

// Written reports whether the header was sent.
func (w *writer) Written() bool { return w.size != unwritten }

// Flush sends what was written so far at once.
func (w *writer) Flush() {
	w.WriteHeaderNow()
	_ = http.NewResponseController(w.w).Flush()
}

// Hijack hands the connection to the handler (a WebSocket upgrade); the
// response is then never stored.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.size > 0 {
		return nil, nil, errHijackAfterWrite
	}
	if w.size < 0 {
		w.size = 0
	}
	return http.NewResponseController(w.w).Hijack()
}

// CloseNotify is Gin's writer's.
//
// Deprecated: as http.CloseNotifier; use the request's context.
func (w *writer) CloseNotify() <-chan bool { return w.orig.CloseNotify() }

// Pusher is Gin's writer's: a push promise is not part of the response.
func (w *writer) Pusher() http.Pusher { return w.orig.Pusher() }

// Unwrap returns the engine's writer, for http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.w }
