package httpcache

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// A Range request answered from a stored 200 (RFC 9110 section 14): one
// byte range gets a 206 with that part of the stored body; If-Range that
// does not match the stored validator, several ranges, or a unit other than
// bytes get the whole 200; a range past the end gets 416.

// byteRange is a satisfiable range of a body: [start, end).
type byteRange struct{ start, end int64 }

// rangeResult is what a Range header asks of a body of length n.
type rangeResult uint8

const (
	rangeWhole         rangeResult = iota // ignore it: send the whole body
	rangePart                             // 206
	rangeUnsatisfiable                    // 416
)

// parseRange reads a Range value for a body of n bytes.
func parseRange(spec string, n int64) (byteRange, rangeResult) {
	unit, set, ok := strings.Cut(strings.TrimSpace(spec), "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") || strings.Contains(set, ",") {
		return byteRange{}, rangeWhole
	}
	first, last, ok := strings.Cut(strings.TrimSpace(set), "-")
	if !ok {
		return byteRange{}, rangeWhole
	}
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	if first == "" {
		// A suffix: the last N bytes.
		k, err := strconv.ParseInt(last, 10, 64)
		if err != nil || k < 0 || !digits(last) {
			return byteRange{}, rangeWhole
		}
		if k == 0 || n == 0 {
			return byteRange{}, rangeUnsatisfiable
		}
		return byteRange{max(0, n-k), n}, rangePart
	}
	a, err := strconv.ParseInt(first, 10, 64)
	if err != nil || !digits(first) {
		return byteRange{}, rangeWhole
	}
	b := n - 1
	if last != "" {
		if b, err = strconv.ParseInt(last, 10, 64); err != nil || !digits(last) || b < a {
			return byteRange{}, rangeWhole
		}
	}
	if a >= n {
		return byteRange{}, rangeUnsatisfiable
	}
	return byteRange{a, min(b, n-1) + 1}, rangePart
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ifRangeMatches reports whether an If-Range value names what ent stores:
// a strong ETag equal to the stored one, or the stored Last-Modified date
// exactly (RFC 9110 section 13.1.5).
func ifRangeMatches(ifRange string, ent *envelope.Entry) bool {
	if ifRange == "" {
		return true
	}
	if strings.HasPrefix(ifRange, `"`) || strings.HasPrefix(ifRange, "W/") {
		etag := unsafeString(ent.ETag)
		return !strings.HasPrefix(ifRange, "W/") && !strings.HasPrefix(etag, "W/") && ifRange == etag
	}
	lm := storedHeader(ent, "Last-Modified")
	t, err := http.ParseTime(ifRange)
	l, err2 := http.ParseTime(lm)
	return err == nil && err2 == nil && t.Equal(l)
}
