package hoardfiber

import (
	"io"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/hoard-go/hoard/core/httpcache"
)

// Through fasthttp's API a header field costs about 260 instructions to set
// (SetCanonical searches the fields already set and copies name and value;
// the other setters also rewrite the name), and a hit sets six. Copying a
// whole header that already holds them (ResponseHeader.CopyTo) costs about
// a third of that. So a repeated hit copies a template: a header the
// middleware filled once with the same fields. The engine hands a hit on
// the same stored response the same fields, unchanged, for a second at a
// time (its hit plan), so a template serves every hit of that second.
//
// CopyTo replaces the whole header, so a template is only used where that
// loses nothing: the response holds no field yet but its Content-Type and
// Server (nothing before the cache set one), the app keeps fasthttp's defaults
// for the Date and Content-Type fields (the template carries them), and
// names are normalised. TestTemplateHitsMatch sends hits both ways through
// fasthttp's server and compares the bytes, so a fasthttp release that
// changed what CopyTo carries would fail it.

// hitTemplates is the process's table of hit headers: the engine's hit
// plans are unique to a stored response and an engine, so the table needs
// no owner.
var hitTemplates templates

// templates is a small table of hit headers.
type templates struct {
	slots [templateSlots]atomic.Pointer[template]
}

const templateSlots = 64

// template is a header holding a hit's fields (fields, a copy), with or
// without the body's Content-Length.
type template struct {
	fields  []httpcache.Field
	hasBody bool
	hdr     fasthttp.ResponseHeader
}

// write sets a hit's fields on h, from a template when it can.
func (t *templates) write(h *fasthttp.ResponseHeader, fields []httpcache.Field, hasBody bool) {
	if len(fields) == 0 || !pristine(h) {
		writeFields(h, fields, hasBody)
		return
	}
	slot := &t.slots[int(uintptr(unsafe.Pointer(unsafe.SliceData(fields)))>>6)%templateSlots]
	if tp := slot.Load(); tp != nil && tp.hasBody == hasBody && sameFields(tp.fields, fields) {
		tp.hdr.CopyTo(h)
		return
	}
	writeFields(h, fields, hasBody)
	// The slot holds another response's fields, or none: take it over,
	// though not on every request, so that two responses sharing a slot do
	// not rebuild it each time.
	if tp := slot.Load(); tp == nil || rand.Uint32()%8 == 0 {
		tp := &template{fields: slices.Clone(fields), hasBody: hasBody}
		writeFields(&tp.hdr, fields, hasBody)
		slot.Store(tp)
	}
}

// sameFields is slices.Equal for fields whose strings are usually the
// very same (a hit plan's): strings that share their bytes are equal
// without a comparison call.
func sameFields(a, b []httpcache.Field) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameString(a[i].Name, b[i].Name) || !sameString(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func sameString(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// pristine reports whether h holds nothing that copying a template over it
// would lose: no field but the Content-Type and the Server (which the
// server sets again after the handler when it finds none), no request to
// close the connection, no status message.
func pristine(h *fasthttp.ResponseHeader) bool {
	if h.ConnectionClose() || len(h.StatusMessage()) > 0 {
		return false
	}
	for k := range h.All() {
		if string(k) != fasthttp.HeaderContentType && string(k) != fasthttp.HeaderServer {
			return false
		}
	}
	return true
}

// templatedResponse is response for an app whose hits may copy a template.
type templatedResponse response

func (r *templatedResponse) WriteHit(status int, fields []httpcache.Field, body []byte) {
	resp := &(*fasthttp.RequestCtx)(r).Response
	hitTemplates.write(&resp.Header, fields, body != nil)
	resp.SetStatusCode(status)
	resp.SetBodyRaw(body)
}

func (r *templatedResponse) Header() httpcache.ResponseHeader { return (*response)(r).Header() }
func (r *templatedResponse) Status() int                      { return (*response)(r).Status() }
func (r *templatedResponse) Body() []byte                     { return (*response)(r).Body() }
func (r *templatedResponse) BodyStream() io.Reader            { return (*response)(r).BodyStream() }
func (r *templatedResponse) ReplaceBodyStream(t io.Reader) bool {
	return (*response)(r).ReplaceBodyStream(t)
}
func (r *templatedResponse) Hijacked() bool { return (*response)(r).Hijacked() }
