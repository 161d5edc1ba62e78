package httpcache

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Handler returns next with its responses cached: net/http middleware.
func (e *Engine) Handler(next http.Handler) http.Handler {
	return &handler{e: e, next: next}
}

type handler struct {
	e    *Engine
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = h.e.serveHTTP(w, w, r, h, h.next, nil)
}

// ServeHTTP runs one request through the cache, for frameworks built on
// net/http types (Echo, Gin, chi, ...). A hit is written to w. Otherwise
// next runs the handler, which must send its response through the writer
// next is given: on a miss it wraps w, so the engine sees the status, the
// header and every body byte as they go out. The handler must also see the
// request next is given: it is r, or r with the context of the Cache's
// Tracer span for the handler, under which the handler's own spans nest.
// next's error is returned
// unchanged; an error, a panic (which keeps unwinding), a hijacked
// connection, a failed write, a request whose context ended or a body
// shorter than its Content-Length stores nothing.
//
// Adapters call it from their middleware; they hold no other logic. See
// the hoardecho adapter for a framework whose handlers write through a
// response object of their own.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request, next func(w http.ResponseWriter, r *http.Request) error) error {
	return e.serveHTTP(w, w, r, nil, nil, next)
}

// ServeHTTPWrapped is ServeHTTP for a framework whose handlers write to a
// response object of its own, w, that writes to an underlying writer,
// under (as *echo.Response writes to its Writer): a hit goes through w, so
// the framework's hooks and accounting see it, while on a miss the
// handler's writer wraps under, and next must put it in under's place for
// the handler's run (and put under back).
func (e *Engine) ServeHTTPWrapped(w, under http.ResponseWriter, r *http.Request, next func(w http.ResponseWriter, r *http.Request) error) error {
	return e.serveHTTP(w, under, r, nil, nil, next)
}

// serveHTTP serves r: hits to w, the handler through a writer wrapping
// under; the handler is h or next.
func (e *Engine) serveHTTP(w, under http.ResponseWriter, r *http.Request, app, h http.Handler, next func(http.ResponseWriter, *http.Request) error) error {
	req := Request{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   netRequestHeader(r.Header),
		app:      app,
		hreq:     r,
	}
	ctx := r.Context()
	x := e.begin(ctx, &req)
	defer x.release()
	switch x.outcome {
	case hit:
		writeHit(w, x)
		if x.refreshKey != "" && !x.background {
			x.startRefresh(ctx, &req)
		}
		return nil
	case unsatisfiable:
		x.writeStatusHeaders(netResponseHeader(w.Header()))
		w.WriteHeader(http.StatusGatewayTimeout)
		return nil
	case bypass, run:
		x.prepare(netResponseHeader(w.Header()))
		if x.runsHandler() {
			return x.runHTTP(ctx, w, under, r, h, next)
		}
		return callNext(under, r, h, next)
	}
	if len(x.invalidate) > 0 {
		return x.watchHTTP(ctx, under, r, h, next)
	}
	return callNext(under, r, h, next)
}

// writeHit sends x's hit through w.
func writeHit(w http.ResponseWriter, x *exchange) {
	netResponseHeader(w.Header()).setFields(x.hit.fields)
	w.WriteHeader(x.hitStatus())
	if body := x.hitBody(); len(body) > 0 {
		_, _ = w.Write(body)
	}
}

func callNext(w http.ResponseWriter, r *http.Request, h http.Handler, next func(http.ResponseWriter, *http.Request) error) error {
	if h != nil {
		h.ServeHTTP(w, r)
		return nil
	}
	return next(w, r)
}

// runHTTP runs the handler through x's capture writer and stores what it
// sent, if it may; a revalidation answered 304 is answered from the
// freshened entry instead.
func (x *exchange) runHTTP(ctx context.Context, w, under http.ResponseWriter, r *http.Request, h http.Handler, next func(http.ResponseWriter, *http.Request) error) error {
	cw := &x.cw
	cw.w = under
	var saved savedConditional
	validating := x.validate
	if validating {
		x.setConditional(netRequestHeader(r.Header), netRequestHeader(r.Header), &saved)
	}
	done := false
	tctx, end := x.e.cache.Trace(ctx, "handler", x.key)
	if tctx != ctx {
		r = r.WithContext(tctx) // the handler's own spans nest under the tracer's
	}
	defer func() {
		if validating {
			restoreConditional(netRequestHeader(r.Header), &saved)
		}
		if !done {
			if end != nil {
				end(errHandlerPanicked)
			}
			if x.onFailure != failoverNone && !cw.sent && !cw.hijacked {
				// stale-if-error (or a 504) instead of the panic
				// (http.ErrAbortHandler too: nothing was sent, so the
				// client may as well have an answer).
				if v := recover(); v != nil {
					x.failOver(ctx, 0, panicError(v))
					x.writeFailoverHTTP(under)
					return
				}
			}
			x.noteOutcome(true)
			x.abort() // a panic: nothing is stored, and it keeps unwinding
		}
	}()
	err := callNext(cw, r, h, next)
	done = true
	if end != nil {
		end(err)
	}
	if x.onFailure != failoverNone && !cw.sent && !cw.hijacked && (err != nil || cw.failover) {
		// The handler failed before a byte went out.
		code := 0
		if cw.failover {
			code = cw.code
		}
		x.failOver(ctx, code, err)
		x.writeFailoverHTTP(under)
		return nil
	}
	if err != nil || cw.hijacked {
		x.noteOutcome(err != nil)
		if cw.hold && !cw.hijacked {
			_ = cw.release() // the handler's own error response, as it wrote it
		}
		x.abort()
		return err
	}
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK) // the handler wrote nothing: net/http sends 200
	}
	switch {
	case x.run.validated:
		x.finish(ctx)
		if x.outcome == hit {
			// Through under: a framework's own response object (w) saw
			// the handler's 304 go out, and may refuse a second status.
			writeHit(under, x)
		}
	case cw.hold:
		cw.sendHeld(ctx)
	default:
		x.finish(ctx)
	}
	return nil
}

// watchHTTP runs an unsafe request's handler, watching its status and
// Location fields, and invalidates what its success changed.
func (x *exchange) watchHTTP(ctx context.Context, under http.ResponseWriter, r *http.Request, h http.Handler, next func(http.ResponseWriter, *http.Request) error) error {
	cw := &x.cw
	cw.w, cw.watch = under, true
	err := callNext(cw, r, h, next)
	code := cw.code
	if code == 0 && err == nil {
		code = http.StatusOK
	}
	if err == nil {
		x.invalidateAfter(ctx, code, netResponseHeader(under.Header()))
	}
	return err
}

// captureWriter is the http.ResponseWriter the handler writes to on a
// miss. A response that may be stored is held until the handler returns,
// so that the miss carries the ETag its hits will (the body's, when the
// handler set none) and a Content-Length, and is stored before it is
// sent; a flush, or a body past the size limit, sends it at once and
// streams the rest (that response then carries no ETag, and is stored only
// if it completes within the limit). Anything else goes through at once. A
// revalidation's 304 never reaches the client: the engine answers from the
// entry it freshens. It keeps http.Flusher, http.Hijacker and Unwrap, so
// http.ResponseController works through it.
type captureWriter struct {
	w           http.ResponseWriter
	x           *exchange
	code        int
	wroteHeader bool // the handler sent its status
	sent        bool // the status went to the client
	hold        bool // the body is held, not sent
	swallow     bool // a 304 to the engine's conditional: sent nowhere
	watch       bool // an unsafe request's writer: only the status matters
	hijacked    bool
	failover    bool // a failure status the stale response replaces (stale.go)
}

func (w *captureWriter) reset() {
	w.w, w.code = nil, 0
	w.wroteHeader, w.sent, w.hold, w.swallow, w.watch, w.hijacked, w.failover = false, false, false, false, false, false, false
}

// Header returns the response header.
func (w *captureWriter) Header() http.Header { return w.w.Header() }

// WriteHeader commits the response to the exchange, then sends it, holds
// it or (a revalidation's 304) drops it.
func (w *captureWriter) WriteHeader(code int) {
	if w.wroteHeader {
		if w.sent {
			w.w.WriteHeader(code) // let net/http log the superfluous call
		}
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		// Informational (103 Early Hints): not the final response.
		w.w.WriteHeader(code)
		return
	}
	w.wroteHeader, w.code = true, code
	if w.watch {
		w.send()
		return
	}
	x := w.x
	if x.failsOver(code) {
		// The stale response (or a 504) goes out instead, once the
		// handler returns (runHTTP); this one goes nowhere.
		w.failover, w.swallow = true, true
		return
	}
	x.commit(code, netResponseHeader(w.w.Header()), -1)
	switch {
	case x.run.validated:
		w.swallow = true
	case x.run.store && !x.head:
		w.hold = true
	default:
		w.send()
	}
}

func (w *captureWriter) send() {
	w.sent = true
	w.w.WriteHeader(w.code)
}

// Write holds, sends or drops p, and keeps a copy while the response may
// still be stored. A failed write (the client left) means the response is
// not complete.
func (w *captureWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.sniff(p)
		w.WriteHeader(http.StatusOK)
	}
	switch {
	case w.swallow:
		return len(p), nil
	case w.hold:
		if len(w.x.run.body)+len(p) <= w.x.e.cfg.maxBody {
			w.x.capture(p)
			return len(p), nil
		}
		if err := w.release(); err != nil {
			return 0, err
		}
	}
	n, err := w.w.Write(p)
	if !w.watch {
		w.x.capture(p[:n])
		if err != nil {
			w.x.abort()
		}
	}
	return n, err
}

// release stops holding: the status and what was held go out now, and the
// rest streams. The response keeps no ETag of the engine's.
func (w *captureWriter) release() error {
	w.hold = false
	w.send()
	if body := w.x.run.body; len(body) > 0 {
		if _, err := w.w.Write(body); err != nil {
			w.x.abort()
			return err
		}
	}
	return nil
}

// sendHeld finishes a held response: its ETag and Content-Length, then the
// store, then the bytes to the client (a complete response is stored even
// if the client has left by the time it is sent: it came whole from the
// handler).
func (w *captureWriter) sendHeld(ctx context.Context) {
	x := w.x
	r := &x.run
	h := w.w.Header()
	body := r.body
	x.announceStore(netResponseHeader(h))
	if !fieldIn(h, "Content-Length") && !fieldIn(h, "Transfer-Encoding") && bodyAllowed(w.code) && !x.head {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	x.finish(ctx)
	w.hold = false
	w.send()
	if len(body) > 0 {
		_, _ = w.w.Write(body)
	}
}

// bodyAllowed reports whether a status may carry a body (and so a
// Content-Length).
func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// sniff sets Content-Type as net/http would on the first write, so the
// stored response carries the type the client got.
func (w *captureWriter) sniff(p []byte) {
	h := w.w.Header()
	if len(p) == 0 || fieldIn(h, "Content-Type") || fieldIn(h, "Transfer-Encoding") {
		return
	}
	h.Set("Content-Type", http.DetectContentType(p))
}

// fieldIn reports whether h has name in any spelling (a nil value counts:
// it tells net/http not to send the field).
func fieldIn(h http.Header, name string) bool {
	if _, ok := h[name]; ok {
		return true
	}
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// FlushError sends what was written so far to the client at once; it is
// what http.ResponseController.Flush calls. A held response goes out and
// streams from then on; the copy keeps growing: a finite stream within
// the limit is still stored.
func (w *captureWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return nil
	}
	if w.hold {
		if err := w.release(); err != nil {
			return err
		}
	}
	err := http.NewResponseController(w.w).Flush()
	if err != nil && !errors.Is(err, http.ErrNotSupported) && !w.watch {
		w.x.abort() // the client did not get what was written
	}
	return err
}

// Flush is http.Flusher, for code that type-asserts the writer.
func (w *captureWriter) Flush() { _ = w.FlushError() }

// Hijack hands the connection to the handler; the response is then never
// stored.
func (w *captureWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.hijacked = true
	if !w.watch {
		w.x.abort()
	}
	return http.NewResponseController(w.w).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.w }

// writeFailoverHTTP sends, in place of the handler's failure, x's stale
// hit or a 504.
func (x *exchange) writeFailoverHTTP(w http.ResponseWriter) {
	x.restorePreset(netResponseHeader(w.Header()))
	if x.outcome == hit {
		writeHit(w, x)
		return
	}
	x.writeStatusHeaders(netResponseHeader(w.Header()))
	w.Header()["Content-Length"] = []string{"0"}
	w.WriteHeader(http.StatusGatewayTimeout)
}
