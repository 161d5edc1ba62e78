package hoard

import (
	"math"
	"testing"
	"time"
)

// TestRefreshEarlyDistribution: in the last window of a TTL, a call starts
// a background load with a probability of 1 - left/window: none at the
// window's start, all at expiry, half halfway.
func TestRefreshEarlyDistribution(t *testing.T) {
	const window, calls = 10 * time.Second, 20000
	for _, tc := range []struct {
		left time.Duration
		want float64
	}{
		{window, 0}, {9 * time.Second, 0.1}, {5 * time.Second, 0.5}, {time.Second, 0.9}, {0, 1},
	} {
		n := 0
		for range calls {
			if refreshEarly(tc.left, window) {
				n++
			}
		}
		got := float64(n) / calls
		// Four standard deviations of a binomial proportion: a false
		// failure about once in 15,000 runs.
		tol := 4*math.Sqrt(tc.want*(1-tc.want)/calls) + 1e-9
		if math.Abs(got-tc.want) > tol {
			t.Errorf("left %v of %v: refreshed %.4f of calls, want %.2f ± %.4f", tc.left, window, got, tc.want, tol)
		}
	}
}

// RefreshesRunning is how many background refreshes of c have not ended,
// for tests that must wait for one to leave its flight.
func RefreshesRunning(c *Cache) int {
	c.refreshes.mu.Lock()
	defer c.refreshes.mu.Unlock()
	return c.refreshes.active
}
