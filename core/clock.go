package hoard

import (
	"sync/atomic"
	"time"
)

// The default clock reads the wall time through the monotonic clock: one
// vDSO call per reading instead of the two time.Now makes (a hit reads the
// clock for expiry and Age, so the second call was a few percent of it). It
// re-anchors to the wall clock once a second, so a stepped or slewed system
// clock is followed within a second, as time.Now would.
var (
	clockStart  = time.Now()
	clockAnchor atomic.Pointer[wallAnchor]
)

// wallAnchor pairs a wall-clock reading with the monotonic offset it was
// taken at.
type wallAnchor struct {
	mono time.Duration // since clockStart
	wall int64         // Unix nanoseconds
}

// wallNow is the default clock.
func wallNow() time.Time { return time.Unix(0, wallNowNano()) }

// wallNowNano is wallNow in Unix nanoseconds, what the hit path compares
// with an entry's times: no time.Time to build and take apart again.
func wallNowNano() int64 {
	m := time.Since(clockStart) // monotonic only
	a := clockAnchor.Load()
	if a == nil || m < a.mono || m-a.mono >= time.Second {
		t := time.Now()
		clockAnchor.Store(&wallAnchor{mono: t.Sub(clockStart), wall: t.UnixNano()})
		return t.UnixNano()
	}
	return a.wall + int64(m-a.mono)
}
