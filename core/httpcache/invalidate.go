package httpcache

import (
	"context"
	"net/url"
	"strings"
)

// An unsafe request (POST, PUT, PATCH, DELETE, or a method the engine does
// not know) that succeeds may have changed the resource: the stored
// responses for its URL, and for the same-host URL in its response's
// Location or Content-Location, are dropped (RFC 9111 section 4.4), from
// the backend, so every instance sharing it sees the change. A URL's key
// holds its response or its vary record, so dropping it drops every
// variant too. The request's own values of the route's WithVaryBy headers
// and its credential pick the key, as for a GET: other values' entries of
// such a route stay until they expire.

// unsafeMethod prepares the invalidations of an unsafe request: the
// request's own URL's key now, while the request view is valid.
func (e *Engine) unsafeMethod(x *exchange, r *Request) *exchange {
	x.outcome = pass
	x.req.read(r.Header, e.cfg.varyBy, x.visit)
	if x.req.authorization != "" && !e.cfg.authorization && e.cfg.mode == ApplicationCache {
		return x // such requests never fill the cache
	}
	get := Request{Method: "GET", Host: r.Host, Path: r.Path, RawQuery: r.RawQuery, Header: r.Header}
	x.invalidate = append(x.invalidate[:0], string(e.appendKey(nil, &get, &x.req)))
	x.key = "//" + r.Host + r.Path // what Location and Content-Location resolve against
	x.host = r.Host
	return x
}

// invalidateAfter drops the stored responses an unsafe request changed,
// once its response (status, Location, Content-Location and, in shared
// mode, RFC 9875 Cache-Group-Invalidation) is known: only a success or a
// redirect invalidates.
func (x *exchange) invalidateAfter(ctx context.Context, status int, h ResponseHeader) {
	if len(x.invalidate) == 0 || status < 200 || status >= 400 {
		return
	}
	// Whatever the case its names were written in; a name's first value.
	var location, contentLocation, groups string
	h.Range(func(name, value string) {
		_ = keepFirst(&location, name, "Location", value) ||
			keepFirst(&contentLocation, name, "Content-Location", value) ||
			keepFirst(&groups, name, "Cache-Group-Invalidation", value)
	})
	if groups != "" && x.e.cfg.mode == SharedCache {
		if tags := groupInvalidations(x.host, groups); len(tags) > 0 {
			_ = x.e.cache.InvalidateTags(context.WithoutCancel(ctx), tags)
		}
	}
	for _, loc := range [...]string{location, contentLocation} {
		if k := x.e.keyOfLocation(x.key, loc, &x.req); k != "" {
			x.invalidate = append(x.invalidate, k)
		}
	}
	ctx = context.WithoutCancel(ctx) // the write happened: the client may leave
	for _, k := range x.invalidate {
		_ = x.e.cache.Delete(ctx, k)
	}
}

// keyOfLocation is the key of a GET for a Location or Content-Location
// value, resolved against the request's URL base ("//host/path"), or ""
// for another host or an invalid reference.
func (e *Engine) keyOfLocation(base, ref string, f *requestFields) string {
	if ref == "" {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	u, err := b.Parse(ref)
	if err != nil || u.Opaque != "" || !strings.EqualFold(u.Host, b.Host) {
		return "" // RFC 9111 section 4.4: another host's entries are not ours to drop
	}
	get := Request{Method: "GET", Host: b.Host, Path: u.EscapedPath(), RawQuery: u.RawQuery}
	return string(e.appendKey(nil, &get, f))
}
