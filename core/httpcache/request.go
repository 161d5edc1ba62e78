package httpcache

import (
	"net/http"
	"strings"
	"time"
)

// Request is the engine's view of an incoming request, for adapters that
// call [Engine.Serve]. The engine reads it only during the call's lookup,
// so its strings may view the framework's reused buffers.
type Request struct {
	Method string
	// Host is the request's Host (never X-Forwarded-Host: an unkeyed,
	// client-controlled header must not pick the entry).
	Host string
	// Path is the escaped path, as sent.
	Path string
	// RawQuery is the query without '?', as sent.
	RawQuery string
	Header   RequestHeader
	// Time is when the request arrived, if the framework already read the
	// clock for it (fasthttp does, for every request). On the Cache's
	// default clock the engine takes it as the current time rather than
	// read the clock again; when it is zero, or the Cache has a clock of
	// its own (hoard.WithClock), the engine reads the clock.
	Time time.Time
	// Refresh, when set, runs the request through the whole application
	// again, in the background: it makes stale-while-revalidate possible
	// (see [Refresher]). Without it such a stale response is revalidated
	// while the request waits.
	Refresh Refresher

	// hreq is a net/http request, replayed through its server's handler
	// for the same purpose; app is the handler to replay it through when
	// it came through none (Engine.Handler's, in tests).
	hreq *http.Request
	app  http.Handler
}

// RequestHeader reads request header fields. The engine always asks for
// canonical names ("Cache-Control", "If-None-Match"), so an implementation
// may skip canonicalisation, but it must find a field whatever the case the
// client sent it in.
//
// An implementation may also have the method VisitAll(fn func(name, value
// string)), calling fn for every field: the engine then reads every field
// it needs in one pass instead of one Get per name, which pays where a
// lookup is dear (fasthttp copies and normalises the name on every Peek).
// Names may come in any case; where a name repeats, the first value counts,
// as with Get.
//
// And it may have Set(name, value string) and Del(name string): the engine
// then revalidates a stale entry with a conditional request, setting
// If-None-Match and If-Modified-Since on the request the handler sees for
// the length of the handler's run. Without them a stale entry is fetched
// whole.
type RequestHeader interface {
	Get(name string) string
}

// headerVisitor is the optional interface of a RequestHeader.
type headerVisitor interface {
	VisitAll(fn func(name, value string))
}

// headerSetter is the other optional interface of a RequestHeader: with it
// the engine revalidates a stale entry by a conditional request, setting
// If-None-Match and If-Modified-Since on the request the handler sees (and
// putting the client's back afterwards). Without it a stale entry is
// fetched whole.
type headerSetter interface {
	Set(name, value string)
	Del(name string)
}

// netRequestHeader is a net/http request's header. net/http canonicalises
// the names of the fields a request arrives with.
type netRequestHeader http.Header

func (h netRequestHeader) Get(name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (h netRequestHeader) Set(name, value string) { h[name] = []string{value} }
func (h netRequestHeader) Del(name string)        { delete(h, name) }

// requestFields are the request header fields the engine reads, each
// looked up once per request.
type requestFields struct {
	cacheControl, pragma, authorization, ifNoneMatch, ifModifiedSince string
	rangeSpec, ifRange                                                string
	// vary holds the values of the route's Vary names, in their order.
	vary   []string
	varyBy []string // the names, while a visit runs
}

// read fills f from h.
func (f *requestFields) read(h RequestHeader, varyBy []string, visit func(name, value string)) {
	f.cacheControl, f.pragma, f.authorization, f.ifNoneMatch, f.ifModifiedSince = "", "", "", "", ""
	f.rangeSpec, f.ifRange = "", ""
	if cap(f.vary) < len(varyBy) {
		f.vary = make([]string, len(varyBy))
	}
	f.vary = f.vary[:len(varyBy)]
	clear(f.vary)
	if h == nil {
		return
	}
	if v, ok := h.(headerVisitor); ok {
		f.varyBy = varyBy
		v.VisitAll(visit)
		f.varyBy = nil
		f.finish()
		return
	}
	f.cacheControl = h.Get("Cache-Control")
	if f.cacheControl == "" {
		f.pragma = h.Get("Pragma") // only read without Cache-Control
	}
	f.authorization = h.Get("Authorization")
	f.ifNoneMatch = h.Get("If-None-Match")
	if f.ifNoneMatch == "" {
		f.ifModifiedSince = h.Get("If-Modified-Since") // ignored with If-None-Match
	}
	if f.rangeSpec = h.Get("Range"); f.rangeSpec != "" {
		f.ifRange = h.Get("If-Range")
	}
	for i, name := range varyBy {
		f.vary[i] = h.Get(name)
	}
}

// take keeps name's value if the engine needs it and has none yet.
func (f *requestFields) take(name, value string) {
	switch len(name) {
	case len("Range"):
		keepFirst(&f.rangeSpec, name, "Range", value)
	case len("Pragma"):
		keepFirst(&f.pragma, name, "Pragma", value)
	case len("Cache-Control"): // = len("Authorization") = len("If-None-Match")
		if !keepFirst(&f.cacheControl, name, "Cache-Control", value) &&
			!keepFirst(&f.authorization, name, "Authorization", value) {
			keepFirst(&f.ifNoneMatch, name, "If-None-Match", value)
		}
	case len("If-Modified-Since"):
		keepFirst(&f.ifModifiedSince, name, "If-Modified-Since", value)
	case len("If-Range"):
		keepFirst(&f.ifRange, name, "If-Range", value)
	}
	for i, v := range f.varyBy {
		if len(v) == len(name) && f.vary[i] == "" && strings.EqualFold(v, name) {
			f.vary[i] = value
		}
	}
}

// finish applies the precedence rules a visit cannot: Pragma counts only
// without Cache-Control, If-Modified-Since only without If-None-Match.
func (f *requestFields) finish() {
	if f.cacheControl != "" {
		f.pragma = ""
	}
	if f.ifNoneMatch != "" {
		f.ifModifiedSince = ""
	}
	if f.rangeSpec == "" {
		f.ifRange = ""
	}
}

// keepFirst stores value in *dst when name is want (in any case) and *dst
// is still empty; it reports whether name was want.
func keepFirst(dst *string, name, want, value string) bool {
	if name != want && !strings.EqualFold(name, want) {
		return false
	}
	if *dst == "" {
		*dst = value
	}
	return true
}
