package httpcache

import (
	"strconv"
	"strings"
	"time"
)

// cacheControl holds the Cache-Control directives hoard acts on. Ages are
// -1 when absent.
type cacheControl struct {
	noStore, noCache, private, public bool
	maxAge, sMaxAge                   int64
	seen                              uint8 // which ages were given, see add
}

const (
	seenMaxAge uint8 = 1 << iota
	seenSMaxAge
)

// parseCacheControl reads the directives of one Cache-Control field value
// (RFC 9111 section 5.2); add more values with add. It never allocates.
func parseCacheControl(value string) cacheControl {
	cc := cacheControl{maxAge: -1, sMaxAge: -1}
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
		name, arg, _ := strings.Cut(directive, "=")
		name = strings.TrimSpace(name)
		switch {
		case strings.EqualFold(name, "no-store"):
			cc.noStore = true
		case strings.EqualFold(name, "no-cache"):
			cc.noCache = true
		case strings.EqualFold(name, "private"):
			cc.private = true
		case strings.EqualFold(name, "public"):
			cc.public = true
		case strings.EqualFold(name, "max-age"):
			if cc.seen&seenMaxAge == 0 {
				cc.seen |= seenMaxAge
				cc.maxAge = parseDeltaSeconds(arg)
			}
		case strings.EqualFold(name, "s-maxage"):
			if cc.seen&seenSMaxAge == 0 {
				cc.seen |= seenSMaxAge
				cc.sMaxAge = parseDeltaSeconds(arg)
			}
		}
	}
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
	s := strings.TrimSpace(arg)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if s == "" {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0
		}
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
