package hoard

import (
	"testing"
	"time"
)

// TestWallNowFollowsTimeNow checks the default clock against time.Now,
// across re-anchoring.
func TestWallNowFollowsTimeNow(t *testing.T) {
	for i := range 2000 {
		before := time.Now().UnixNano()
		got := wallNow().UnixNano()
		after := time.Now().UnixNano()
		// Within the anchor's second the monotonic and wall clocks may
		// drift apart by a slew rate's worth: far below a millisecond.
		if got < before-int64(time.Millisecond) || got > after+int64(time.Millisecond) {
			t.Fatalf("reading %d: wallNow %d outside [%d, %d]", i, got, before, after)
		}
		if i == 1000 {
			clockAnchor.Store(&wallAnchor{mono: time.Since(clockStart) - 2*time.Second, wall: 0}) // stale: must re-anchor
		}
	}
}

var sinkTime time.Time

// BenchmarkClockWallNow and BenchmarkClockTimeNow compare the default
// clock with time.Now (bench/NOTES.md, "Hit path").
func BenchmarkClockWallNow(b *testing.B) {
	for b.Loop() {
		sinkTime = wallNow()
	}
}

func BenchmarkClockTimeNow(b *testing.B) {
	for b.Loop() {
		sinkTime = time.Now()
	}
}
