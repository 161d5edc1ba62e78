package hoardfiber

import (
	"context"
	"io"
	"reflect"
	"unsafe"

	"github.com/valyala/fasthttp"

	hoard "github.com/hoard-go/hoard/core"
)

// A response with a body stream (SendStream, SetBodyStream,
// SetBodyStreamWriter, SendFile) is written by fasthttp after the handler
// chain has returned. hoard puts a tee in front of the stream: every read
// reaches the client as before, a bounded copy goes to the engine, and the
// exchange ends with the stream: Finish at EOF, Abort on a read error or
// when the stream is closed before its end.

// tee passes a response body stream through and gives the engine its bytes.
// One is allocated per streamed miss: fasthttp may call both of its close
// methods, so it must outlive the first.
type tee struct {
	r io.Reader
	x *hoard.Exchange // nil once the exchange is over
	// ctx is the request's context, for the Finish that the end of the
	// stream triggers: the stream outlives the handler call.
	ctx    context.Context
	status int
	hdr    *fasthttp.ResponseHeader
}

var (
	_ io.ReadCloser   = (*tee)(nil)
	_ closerWithError = (*tee)(nil)
)

// closerWithError is fasthttp's ReadCloserWithError (v1.52 and later),
// whose CloseWithError fasthttp calls besides Close.
type closerWithError interface {
	CloseWithError(err error) error
}

func (t *tee) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.x == nil {
		return n, err
	}
	if n > 0 {
		t.x.Capture(p[:n])
	}
	switch err {
	case nil:
	case io.EOF:
		t.x.Finish(t.ctx, t.status, (*responseHeader)(t.hdr))
		t.end()
	default:
		t.x.Abort()
		t.end()
	}
	return n, err
}

// Close is called by fasthttp once the response is written (or dropped).
// A stream closed before its EOF is incomplete: nothing is stored.
func (t *tee) Close() error {
	t.abort()
	if c, ok := t.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// CloseWithError is Close for fasthttp releases that report the write's
// outcome to the stream; it is forwarded as such.
func (t *tee) CloseWithError(err error) error {
	t.abort()
	if c, ok := t.r.(closerWithError); ok {
		return c.CloseWithError(err)
	}
	return nil
}

func (t *tee) abort() {
	if t.x != nil {
		t.x.Abort()
		t.end()
	}
}

func (t *tee) end() {
	t.x.Release()
	t.x, t.ctx, t.hdr = nil, nil, nil
}

// streamOffset locates fasthttp.Response's body stream field. fasthttp has
// no way to put a reader in front of a response's stream: SetBodyStream
// closes the current stream first, and closing the pipe that
// SetBodyStreamWriter made would lose what the handler writes. The field is
// looked up by name and type once; should a fasthttp release change it,
// streams whose reader has a Close method are passed through unstored
// instead (see canReplaceStream).
var streamOffset, streamFieldOK = func() (uintptr, bool) {
	f, ok := reflect.TypeFor[fasthttp.Response]().FieldByName("bodyStream")
	if !ok || len(f.Index) != 1 || f.Type != reflect.TypeFor[io.Reader]() {
		return 0, false
	}
	return f.Offset, true
}()

// canReplaceStream reports whether replaceStream can put a reader in front
// of orig.
func canReplaceStream(orig io.Reader) bool {
	if streamFieldOK {
		return true
	}
	// Closing a reader without Close is a no-op: the public setter is safe.
	_, closer := orig.(io.Closer)
	return !closer
}

// replaceStream replaces resp's body stream orig by r without closing orig
// (r's Close closes it). canReplaceStream(orig) must be true.
func replaceStream(resp *fasthttp.Response, r io.Reader) {
	if streamFieldOK {
		*(*io.Reader)(unsafe.Add(unsafe.Pointer(resp), streamOffset)) = r
		return
	}
	resp.SetBodyStream(r, resp.Header.ContentLength())
}

// streamLength is the body length fasthttp will announce for resp's stream
// orig, or -1 when it will be chunked. fasthttp reads an *io.LimitedReader's
// remaining size when no length was given; the tee hides that type, so the
// length is set here instead.
func streamLength(resp *fasthttp.Response, orig io.Reader) int {
	n := resp.Header.ContentLength()
	if n >= 0 {
		return n
	}
	if lr, ok := orig.(*io.LimitedReader); ok && lr.N >= 0 && int64(int(lr.N)) == lr.N {
		resp.Header.SetContentLength(int(lr.N))
		return int(lr.N)
	}
	return -1
}
