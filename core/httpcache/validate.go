package httpcache

import "github.com/hoard-go/hoard/core/internal/envelope"

// A stale entry with a validator (an ETag of the origin's, or Last-Modified)
// is revalidated rather than fetched whole (RFC 9111 section 4.3): the
// handler runs on a conditional request made of the stored validators, and
// answers 304 when the entry is still current. The engine then freshens the
// entry with the 304's fields (run.go, freshen) and answers the client from
// it: a 304 when the client's own conditional matches (a browser reload
// costs the client no body and the handler only a conditional), the whole
// stored response otherwise. http.ServeContent, Echo's and Fiber's
// conditional helpers answer 304 by themselves: handlers get this for free.
// A client's Range is held back for the handler's run: the entry wants the
// whole response.

// conditionalFields are the request fields a revalidation replaces for
// the handler's run.
var conditionalFields = [...]string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "Range", "If-Range"}

// savedConditional is what setConditional replaced, to put back.
type savedConditional struct {
	values [len(conditionalFields)]string
}

// setConditional makes the request the handler sees conditional on x.prev's
// validators, saving the client's fields.
func (x *exchange) setConditional(get RequestHeader, set headerSetter, saved *savedConditional) {
	for i, name := range conditionalFields {
		saved.values[i] = get.Get(name)
		if saved.values[i] != "" {
			set.Del(name)
		}
	}
	if len(x.prev.ETag) > 0 && x.prev.Flags&envelope.FlagOwnETag == 0 {
		set.Set("If-None-Match", string(x.prev.ETag))
	}
	if lm := storedHeader(x.prev, "Last-Modified"); lm != "" {
		set.Set("If-Modified-Since", lm)
	}
}

// restoreConditional puts the client's fields back.
func restoreConditional(set headerSetter, saved *savedConditional) {
	for i, name := range conditionalFields {
		set.Del(name)
		if v := saved.values[i]; v != "" {
			set.Set(name, v)
		}
	}
}
