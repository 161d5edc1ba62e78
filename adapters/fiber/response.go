package hoardfiber

import (
	"io"
	"reflect"

	"github.com/valyala/fasthttp"

	"github.com/hoard-go/hoard/core/httpcache"
)

// response is the engine's view of a fasthttp response. Converting the
// request context to it costs no allocation.
type response fasthttp.RequestCtx

var _ httpcache.Response = (*response)(nil)

func (r *response) ctx() *fasthttp.RequestCtx { return (*fasthttp.RequestCtx)(r) }

func (r *response) Header() httpcache.ResponseHeader {
	return (*responseHeader)(&r.ctx().Response.Header)
}

// WriteHit sets the hit's fields, status and body. The body is read-only
// and outlives the response: fasthttp gets it without a copy.
func (r *response) WriteHit(status int, fields []httpcache.Field, body []byte) {
	resp := &r.ctx().Response
	writeFields(&resp.Header, fields, body != nil)
	resp.SetStatusCode(status)
	resp.SetBodyRaw(body)
}

// writeFields sets a hit's fields: a name's first value replaces the field
// (fasthttp keeps names canonical in an app that normalises them), its
// other values are added. fasthttp computes Content-Length itself from a
// body it sends, so the engine's is only set when there is none (HEAD,
// 304).
func writeFields(h *fasthttp.ResponseHeader, fields []httpcache.Field, hasBody bool) {
	for i := range fields {
		f := &fields[i]
		switch {
		case i > 0 && f.Name == fields[i-1].Name:
			h.AddBytesKV(s2b(f.Name), s2b(f.Value))
		case f.Name == fasthttp.HeaderContentType:
			h.SetContentTypeBytes(s2b(f.Value)) // what SetCanonical would call
		case hasBody && f.Name == fasthttp.HeaderContentLength:
		default:
			h.SetCanonical(s2b(f.Name), s2b(f.Value))
		}
	}
}

func (r *response) Status() int  { return r.ctx().Response.StatusCode() }
func (r *response) Body() []byte { return r.ctx().Response.Body() }

func (r *response) BodyStream() io.Reader { return r.ctx().Response.BodyStream() }

// ReplaceBodyStream puts t in front of the body stream through fasthttp's
// SetBodyStream, which first closes (or, for fasthttp's own streams,
// recycles) the stream it replaces. That is only harmless for a plain
// reader of the application's: a stream with a Close method (a file, the
// pipe of SetBodyStreamWriter) or one of fasthttp's own (a proxied client
// body) is left in place and its response is not stored.
func (r *response) ReplaceBodyStream(t io.Reader) bool {
	resp := &r.ctx().Response
	orig := resp.BodyStream()
	if !replaceable(orig) {
		return false
	}
	n := resp.Header.ContentLength()
	if lr, ok := orig.(*io.LimitedReader); ok && n < 0 && lr.N >= 0 && int64(int(lr.N)) == lr.N {
		// fasthttp reads a LimitedReader's size when no length was set;
		// behind the tee it would not see it.
		n = int(lr.N)
	}
	resp.SetBodyStream(t, n)
	return true
}

func replaceable(r io.Reader) bool {
	switch r.(type) {
	case io.Closer, fasthttp.ReadCloserWithError:
		return false
	}
	t := reflect.TypeOf(r) // the type's package only: no field is read
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() != fasthttpPackage
}

var fasthttpPackage = reflect.TypeFor[fasthttp.Response]().PkgPath()

func (r *response) Hijacked() bool { return r.ctx().Hijacked() }

// exactResponse serves apps with DisableHeaderNormalizing, where a field
// may be set under any spelling of its name: a hit first removes every
// spelling of the names it sends.
type exactResponse response

func (r *exactResponse) Header() httpcache.ResponseHeader { return (*response)(r).Header() }
func (r *exactResponse) Status() int                      { return (*response)(r).Status() }
func (r *exactResponse) Body() []byte                     { return (*response)(r).Body() }
func (r *exactResponse) BodyStream() io.Reader            { return (*response)(r).BodyStream() }
func (r *exactResponse) ReplaceBodyStream(t io.Reader) bool {
	return (*response)(r).ReplaceBodyStream(t)
}
func (r *exactResponse) Hijacked() bool { return (*response)(r).Hijacked() }
func (r *exactResponse) WriteHit(status int, fields []httpcache.Field, body []byte) {
	resp := &(*fasthttp.RequestCtx)(r).Response
	for i, f := range fields {
		if i == 0 || f.Name != fields[i-1].Name {
			headerDel(&resp.Header, f.Name)
		}
	}
	writeFields(&resp.Header, fields, body != nil)
	resp.SetStatusCode(status)
	resp.SetBodyRaw(body)
}
