package hoardmemcache

import (
	"math"
	"time"
)

// maxRelativeExpiry is the largest expiration memcached reads as seconds
// from now (30 days); anything larger is read as an absolute Unix time.
const maxRelativeExpiry = 30 * 24 * 60 * 60

// expiration converts a TTL to memcached's expiration field at time now.
//
//   - ttl <= 0: 0, no expiry.
//   - up to 30 days: whole seconds from now, rounded up, so a sub-second
//     TTL becomes 1 second and never 0 (which would mean forever).
//   - over 30 days: the absolute Unix time now+ttl, rounded up; clamped to
//     the largest value the protocol carries (2038-01-19) rather than
//     wrapping or becoming forever. This uses the client's clock: a server
//     clock that is ahead shortens such items by the skew.
func expiration(ttl time.Duration, now time.Time) int32 {
	if ttl <= 0 {
		return 0
	}
	secs := ttl / time.Second
	if ttl%time.Second != 0 { // round up; ttl+time.Second-1 could overflow
		secs++
	}
	if secs <= maxRelativeExpiry {
		return int32(secs)
	}
	at := now.Add(ttl)
	unix := at.Unix()
	if at.Nanosecond() > 0 {
		unix++
	}
	if unix > math.MaxInt32 {
		return math.MaxInt32
	}
	return int32(unix)
}
