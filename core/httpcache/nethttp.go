package httpcache

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
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
	_ = h.e.serveHTTP(w, w, r, h.next, nil)
}

// ServeHTTP runs one request through the cache, for frameworks built on
// net/http types (Echo, Gin, chi, ...). A hit is written to w. Otherwise
// next runs the handler, which must send its response through the writer
// next is given: on a miss it wraps w, so the engine sees the status, the
// header and every body byte as they go out. next's error is returned
// unchanged; an error, a panic (which keeps unwinding), a hijacked
// connection, a failed write, a request whose context ended or a body
// shorter than its Content-Length stores nothing.
//
// Adapters call it from their middleware; they hold no other logic. See
// the hoardecho adapter for a framework whose handlers write through a
// response object of their own.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request, next func(w http.ResponseWriter) error) error {
	return e.serveHTTP(w, w, r, nil, next)
}

// ServeHTTPWrapped is ServeHTTP for a framework whose handlers write to a
// response object of its own, w, that writes to an underlying writer,
// under (as *echo.Response writes to its Writer): a hit goes through w, so
// the framework's hooks and accounting see it, while on a miss the
// handler's writer wraps under, and next must put it in under's place for
// the handler's run (and put under back).
func (e *Engine) ServeHTTPWrapped(w, under http.ResponseWriter, r *http.Request, next func(w http.ResponseWriter) error) error {
	return e.serveHTTP(w, under, r, nil, next)
}

// serveHTTP serves r: hits to w, the handler through a writer wrapping
// under; the handler is h or next.
func (e *Engine) serveHTTP(w, under http.ResponseWriter, r *http.Request, h http.Handler, next func(http.ResponseWriter) error) error {
	req := Request{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   netRequestHeader(r.Header),
	}
	ctx := r.Context()
	x := e.begin(ctx, &req)
	defer x.release()
	switch x.outcome {
	case hit:
		netResponseHeader(w.Header()).setFields(x.hit.fields)
		w.WriteHeader(x.hitStatus())
		if body := x.hitBody(); len(body) > 0 {
			_, _ = w.Write(body)
		}
		return nil
	case bypass, run:
		x.prepare(netResponseHeader(w.Header()))
		if x.run.store {
			return x.runHTTP(ctx, under, r, h, next)
		}
		return callNext(under, r, h, next)
	}
	return callNext(under, r, h, next)
}

func callNext(w http.ResponseWriter, r *http.Request, h http.Handler, next func(http.ResponseWriter) error) error {
	if h != nil {
		h.ServeHTTP(w, r)
		return nil
	}
	return next(w)
}

// runHTTP runs the handler through x's capture writer and stores what it
// sent, if it may.
func (x *exchange) runHTTP(ctx context.Context, w http.ResponseWriter, r *http.Request, h http.Handler, next func(http.ResponseWriter) error) error {
	cw := &x.cw
	cw.w = w
	done := false
	end := x.e.cache.Trace(ctx, "handler", x.key)
	defer func() {
		if !done {
			if end != nil {
				end(errHandlerPanicked)
			}
			x.abort() // a panic: nothing is stored, and it keeps unwinding
		}
	}()
	err := callNext(cw, r, h, next)
	done = true
	if end != nil {
		end(err)
	}
	if err != nil || cw.hijacked {
		x.abort()
		return err
	}
	if !cw.wroteHeader {
		cw.commit(http.StatusOK) // the handler wrote nothing: net/http sends 200
	}
	x.finish(ctx)
	return nil
}

// captureWriter is the http.ResponseWriter the handler writes to on a
// miss. Everything goes through to the client at once; the exchange gets
// the status and header before they are sent (commit) and a bounded copy
// of the body (capture). It keeps http.Flusher, http.Hijacker and Unwrap,
// so http.ResponseController works through it.
type captureWriter struct {
	w           http.ResponseWriter
	x           *exchange
	wroteHeader bool
	hijacked    bool
}

func (w *captureWriter) reset() { w.w, w.wroteHeader, w.hijacked = nil, false, false }

// Header returns the response header.
func (w *captureWriter) Header() http.Header { return w.w.Header() }

// WriteHeader commits the response to the exchange, then sends it.
func (w *captureWriter) WriteHeader(code int) {
	if w.wroteHeader {
		w.w.WriteHeader(code) // let net/http log the superfluous call
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		// Informational (103 Early Hints): not the final response.
		w.w.WriteHeader(code)
		return
	}
	w.commit(code)
	w.w.WriteHeader(code)
}

func (w *captureWriter) commit(code int) {
	w.wroteHeader = true
	w.x.commit(code, netResponseHeader(w.w.Header()), -1)
}

// Write sends p and keeps a copy while the response may still be stored.
// A failed write (the client left) means the response is not complete.
func (w *captureWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.sniff(p)
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.w.Write(p)
	w.x.capture(p[:n])
	if err != nil {
		w.x.abort()
	}
	return n, err
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
		if equalFoldASCII(k, name) {
			return true
		}
	}
	return false
}

// FlushError sends what was written so far to the client at once; it is
// what http.ResponseController.Flush calls. The copy keeps growing: a
// finite stream within the limit is still stored.
func (w *captureWriter) FlushError() error {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	err := http.NewResponseController(w.w).Flush()
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
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
	w.x.abort()
	return http.NewResponseController(w.w).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *captureWriter) Unwrap() http.ResponseWriter { return w.w }
