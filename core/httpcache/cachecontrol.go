package httpcache

import (
	"strconv"
	"strings"
	"time"
)

// cacheControl holds the Cache-Control directives hoard acts on, of a
// request or a response (RFC 9111 section 5.2). Ages are in seconds, -1
// when absent.
type cacheControl struct {
	noStore, noCache, private, public bool
	mustRevalidate, proxyRevalidate   bool
	immutable, onlyIfCached           bool
	mustUnderstand                    bool
	// noCacheFields and privateFields are the field lists of no-cache="a,
	// b" and private="a, b" (quotes removed), when given.
	noCacheFields, privateFields string
	maxAge, sMaxAge              int64
	// maxStale is -1 when absent; maxStaleAny is a max-stale without a
	// value: any staleness.
	maxStale    int64
	maxStaleAny bool
	minFresh    int64
	// staleWhileRevalidate and staleIfError (RFC 5861), -1 when absent.
	staleWhileRevalidate, staleIfError int64
}

func newCacheControl() cacheControl {
	return cacheControl{maxAge: -1, sMaxAge: -1, maxStale: -1, minFresh: -1, staleWhileRevalidate: -1, staleIfError: -1}
}

// parseCacheControl reads the directives of one Cache-Control field value;
// add more values with add. It never allocates.
func parseCacheControl(value string) cacheControl {
	cc := newCacheControl()
	cc.add(value)
	return cc
}

// add reads the directives of one more Cache-Control field value. Unknown
// directives are ignored and a quoted argument may contain commas. A
// directive given twice counts the first time only, and an age that is not
// a valid delta-seconds (negative, empty, not a number) is 0, which makes
// the response stale: RFC 9111 sections 4.2.1 and 1.2.2.
func (cc *cacheControl) add(v string) {
	for v != "" {
		var directive string
		directive, v = nextDirective(v)
		name, arg, hasArg := strings.Cut(directive, "=")
		name = strings.TrimSpace(name)
		switch {
		case strings.EqualFold(name, "no-store"):
			cc.noStore = true
		case strings.EqualFold(name, "no-cache"):
			if hasArg && !cc.noCache {
				cc.noCacheFields = joinFields(cc.noCacheFields, unquote(arg))
			} else {
				cc.noCache, cc.noCacheFields = true, ""
			}
		case strings.EqualFold(name, "private"):
			if hasArg && !cc.private {
				cc.privateFields = joinFields(cc.privateFields, unquote(arg))
			} else {
				cc.private, cc.privateFields = true, ""
			}
		case strings.EqualFold(name, "public"):
			cc.public = true
		case strings.EqualFold(name, "must-revalidate"):
			cc.mustRevalidate = true
		case strings.EqualFold(name, "proxy-revalidate"):
			cc.proxyRevalidate = true
		case strings.EqualFold(name, "must-understand"):
			cc.mustUnderstand = true
		case strings.EqualFold(name, "immutable"):
			cc.immutable = true
		case strings.EqualFold(name, "only-if-cached"):
			cc.onlyIfCached = true
		case strings.EqualFold(name, "max-age"):
			first64(&cc.maxAge, arg)
		case strings.EqualFold(name, "s-maxage"):
			first64(&cc.sMaxAge, arg)
		case strings.EqualFold(name, "min-fresh"):
			first64(&cc.minFresh, arg)
		case strings.EqualFold(name, "stale-while-revalidate"):
			first64(&cc.staleWhileRevalidate, arg)
		case strings.EqualFold(name, "stale-if-error"):
			first64(&cc.staleIfError, arg)
		case strings.EqualFold(name, "max-stale"):
			if cc.maxStale < 0 && !cc.maxStaleAny {
				if hasArg {
					cc.maxStale = parseDeltaSeconds(arg)
				} else {
					cc.maxStaleAny = true
				}
			}
		}
	}
}

// first64 sets the age *dst from arg unless the directive was given
// before (an age given is never negative, see parseDeltaSeconds).
func first64(dst *int64, arg string) {
	if *dst < 0 {
		*dst = parseDeltaSeconds(arg)
	}
}

// revalidate reports whether a stored response may never be served stale:
// must-revalidate, or in a shared cache proxy-revalidate or s-maxage
// (which carries proxy-revalidate's semantics, RFC 9111 section 5.2.2.10).
func (cc *cacheControl) revalidate(shared bool) bool {
	return cc.mustRevalidate || shared && (cc.proxyRevalidate || cc.sMaxAge >= 0)
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	return s
}

func joinFields(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "," + b
}

// nextDirective splits off the first comma-separated directive, honouring
// quoted strings (with backslash escapes).
func nextDirective(s string) (directive, rest string) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// parseDeltaSeconds parses a delta-seconds argument (RFC 9111 section
// 1.2.2), in its quoted form too, which recipients may accept. A value too
// large is capped; anything else that is not digits is 0: stale.
func parseDeltaSeconds(arg string) int64 {
	s := unquote(arg)
	if !digits(s) {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxDeltaSeconds {
		return maxDeltaSeconds
	}
	return n
}

const maxDeltaSeconds = 1<<31 - 1

// containsToken reports whether a comma-separated header value holds tok
// (case-insensitively).
func containsToken(v, tok string) bool {
	for v != "" {
		var t string
		t, v = nextDirective(v)
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}

// noExpiry is the lifetime of an entry stored without expiry.
const noExpiry time.Duration = -1

// oneYear is what max-age says for an entry without expiry: the longest
// lifetime a server should promise (RFC 9111 section 5.3 on Expires; RFC
// 2616 section 14.21 said it plainly).
const oneYear = 365 * 24 * time.Hour

// appendMaxAge appends "max-age=<seconds>" for an entry of lifetime d
// (noExpiry: one year). A lifetime under a second is max-age=0: the
// response is stale to a client at once, on the miss as on every hit.
func appendMaxAge(b []byte, d time.Duration) []byte {
	if d == noExpiry || d < 0 {
		d = oneYear
	}
	b = append(b, "max-age="...)
	return strconv.AppendInt(b, int64(d/time.Second), 10)
}
