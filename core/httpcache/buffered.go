package httpcache

import (
	"context"
	"io"
	"net/http"
)

// Serve runs one request through the cache, for frameworks that hand the
// whole response over once the handler has returned (fasthttp, Fiber). A
// hit is written with resp.WriteHit. Otherwise next runs the rest of the
// chain, and the engine reads what it left in resp. next's error is
// returned unchanged (the framework's error handler answers it); an error,
// a panic (which keeps unwinding), a hijacked connection, or a body stream
// that ends early or cannot be put behind the engine's reader stores
// nothing.
//
// The engine reads r only during the lookup. It keeps nothing of resp's
// strings beyond the call, except for a body stream: the engine's reader
// then finishes the exchange when the framework reads the stream's end
// (or closes it early), and uses ctx to store it.
func (e *Engine) Serve(ctx context.Context, r *Request, resp Response, next func() error) error {
	x := e.begin(ctx, r)
	switch x.outcome {
	case hit:
		resp.WriteHit(x.hitStatus(), x.hit.fields, x.hitBody())
		if x.refreshKey != "" && !x.background {
			x.startRefresh(ctx, r)
		}
		x.release()
		return nil
	case unsatisfiable:
		x.writeGatewayTimeout(resp)
		x.release()
		return nil
	case bypass, run:
		x.prepare(resp.Header())
		if x.runsHandler() {
			return x.runBuffered(ctx, r.Header, resp, next)
		}
	}
	if len(x.invalidate) > 0 {
		err := next()
		if err == nil {
			x.invalidateAfter(ctx, statusOr200(resp.Status()), resp.Header())
		}
		x.release()
		return err
	}
	x.release()
	return next()
}

func statusOr200(status int) int {
	if status == 0 {
		return http.StatusOK
	}
	return status
}

// runBuffered runs the rest of the chain and offers its response to the
// store; a revalidation answered 304 is answered from the freshened entry.
func (x *exchange) runBuffered(ctx context.Context, reqHeader RequestHeader, resp Response, next func() error) error {
	var saved savedConditional
	set, _ := reqHeader.(headerSetter)
	validating := x.validate
	if validating {
		x.setConditional(reqHeader, set, &saved)
	}
	done := false
	// The span's context cannot reach a buffered framework's handler (its
	// context is the adapter's to set): the span is a sibling of theirs.
	_, end := x.e.cache.Trace(ctx, "handler", x.key)
	defer func() {
		if validating {
			restoreConditional(set, &saved)
		}
		if !done {
			if end != nil {
				end(errHandlerPanicked)
			}
			if x.onFailure != failoverNone && !resp.Hijacked() && resp.BodyStream() == nil {
				// stale-if-error (or a 504) instead of the panic.
				if v := recover(); v != nil {
					x.failOver(ctx, 0, panicError(v))
					x.writeFailover(resp)
					return
				}
			}
			x.noteOutcome(true)
			x.abort() // a panic: nothing is stored, and it keeps unwinding
			x.release()
		}
	}()
	err := next()
	done = true
	if end != nil {
		end(err)
	}
	if x.onFailure != failoverNone && !resp.Hijacked() && resp.BodyStream() == nil {
		if code := statusOr200(resp.Status()); err != nil || x.failsOver(code) {
			// The handler failed; its response goes nowhere.
			if err != nil {
				code = 0
			}
			x.failOver(ctx, code, err)
			x.writeFailover(resp)
			return nil
		}
	}
	if err != nil || resp.Hijacked() {
		x.noteOutcome(err != nil)
		x.abort()
		x.release()
		return err
	}
	status := statusOr200(resp.Status())
	if stream := resp.BodyStream(); stream != nil {
		x.runStream(ctx, resp, stream, status)
		return nil
	}
	body := resp.Body()
	x.commit(status, resp.Header(), int64(len(body)))
	if x.run.validated {
		x.finish(ctx)
		if x.outcome == hit {
			resp.WriteHit(x.hitStatus(), x.hit.fields, x.hitBody())
		}
		x.release()
		return nil
	}
	if x.run.store {
		// A view, not a copy: the body is encoded before Serve returns
		// (commit checked its size).
		x.run.body = body
		x.announceStore(resp.Header())
	}
	x.finish(ctx)
	x.release()
	return nil
}

// runStream puts a tee in front of a body stream the framework reads after
// Serve has returned; the tee finishes the exchange at the stream's end.
func (x *exchange) runStream(ctx context.Context, resp Response, stream io.Reader, status int) {
	t := &tee{r: stream, x: x, ctx: ctx}
	if !resp.ReplaceBodyStream(t) {
		x.abort()
		x.release()
		return
	}
	x.commit(status, resp.Header(), -1)
	if !x.run.store {
		t.end() // passes the stream through
	}
}

// tee passes a response body stream through and gives the exchange its
// bytes; the exchange ends with the stream: finish at EOF, abort on a read
// error or when the stream is closed before its end. One is allocated per
// streamed miss: frameworks may call both of its close methods, so it must
// outlive the first.
type tee struct {
	r   io.Reader
	x   *exchange // nil once the exchange is over
	ctx context.Context
}

var (
	_ io.ReadCloser   = (*tee)(nil)
	_ closerWithError = (*tee)(nil)
)

// closerWithError is the close method fasthttp (v1.52 and later) calls
// besides Close to report how writing the stream went.
type closerWithError interface {
	CloseWithError(err error) error
}

func (t *tee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.x == nil {
		return n, err
	}
	if n > 0 {
		t.x.capture(p[:n])
	}
	switch err {
	case nil:
	case io.EOF:
		t.x.finish(t.ctx)
		t.end()
	default:
		t.x.abort()
		t.end()
	}
	return n, err
}

// Close is called once the response is written (or dropped). A stream
// closed before its end is incomplete: nothing is stored.
func (t *tee) Close() error {
	t.abortEarly()
	if c, ok := t.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// CloseWithError is Close for frameworks that report the write's outcome
// to the stream; it is forwarded as such.
func (t *tee) CloseWithError(err error) error {
	t.abortEarly()
	if c, ok := t.r.(closerWithError); ok {
		return c.CloseWithError(err)
	}
	return nil
}

func (t *tee) abortEarly() {
	if t.x != nil {
		t.x.abort()
		t.end()
	}
}

func (t *tee) end() {
	t.x.release()
	t.x, t.ctx = nil, nil
}

// writeFailover sends, in place of what the handler left in resp, x's
// stale hit or a 504, and ends the exchange.
func (x *exchange) writeFailover(resp Response) {
	x.restorePreset(resp.Header())
	if x.outcome == hit {
		resp.WriteHit(x.hitStatus(), x.hit.fields, x.hitBody())
	} else {
		x.writeGatewayTimeout(resp)
	}
	x.release()
}

// writeGatewayTimeout answers 504 with hoard's status fields.
func (x *exchange) writeGatewayTimeout(resp Response) {
	x.hit.fields = append(x.hit.fieldBuf[:0], Field{"Content-Length", "0"})
	if x.e.cfg.cacheHeader != "" {
		x.hit.fields = append(x.hit.fields, Field{x.e.cfg.cacheHeader, x.label})
	}
	x.hit.fields = append(x.hit.fields, Field{"Cache-Status", x.status})
	resp.WriteHit(http.StatusGatewayTimeout, x.hit.fields, nil)
}
