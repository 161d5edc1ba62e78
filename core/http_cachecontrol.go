package hoard

import (
	"strconv"
	"strings"
)

// cacheControl holds the Cache-Control directives hoard acts on. Ages are
// -1 when absent.
type cacheControl struct {
	noStore, noCache, private, public bool
	maxAge, sMaxAge                   int64
}

// parseCacheControl reads the directives of one or more Cache-Control
// field values (RFC 9111 section 5.2). Unknown directives are ignored, a
// malformed age counts as absent, and a quoted argument may contain commas.
// It never allocates.
func parseCacheControl(values ...string) cacheControl {
	cc := cacheControl{maxAge: -1, sMaxAge: -1}
	for _, v := range values {
		for v != "" {
			var directive string
			directive, v = nextDirective(v)
			name, arg, _ := strings.Cut(directive, "=")
			name = strings.TrimSpace(name)
			arg = strings.Trim(strings.TrimSpace(arg), `"`)
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
				cc.maxAge = parseDeltaSeconds(arg)
			case strings.EqualFold(name, "s-maxage"):
				cc.sMaxAge = parseDeltaSeconds(arg)
			}
		}
	}
	return cc
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

// parseDeltaSeconds parses a delta-seconds value; out-of-range values are
// capped (RFC 9111 section 1.2.2) and malformed ones are -1.
func parseDeltaSeconds(s string) int64 {
	if s == "" {
		return -1
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxDeltaSeconds {
		return maxDeltaSeconds
	}
	return n
}

const maxDeltaSeconds = 1<<31 - 1
