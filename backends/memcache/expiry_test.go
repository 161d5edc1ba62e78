package hoardmemcache

import (
	"github.com/hoard-go/hoard/core/testserver"
	"math"
	"testing"
	"time"
)

func TestExpiration(t *testing.T) {
	const day = 24 * time.Hour
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	withNanos := now.Add(300 * time.Millisecond)
	tests := []struct {
		name string
		ttl  time.Duration
		now  time.Time
		want int32
	}{
		{"zero is no expiry", 0, now, 0},
		{"negative is no expiry", -time.Second, now, 0},
		{"one nanosecond rounds up to a second, not forever", time.Nanosecond, now, 1},
		{"sub-second rounds up", 999 * time.Millisecond, now, 1},
		{"one second", time.Second, now, 1},
		{"just over a second rounds up", time.Second + time.Millisecond, now, 2},
		{"one hour", time.Hour, now, 3600},
		{"exactly 30 days stays relative", 30 * day, now, 30 * 24 * 3600},
		{"30 days and a bit is absolute", 30*day + time.Millisecond, now, int32(now.Unix()) + 30*24*3600 + 1},
		{"31 days is absolute", 31 * day, now, int32(now.Unix()) + 31*24*3600},
		{"absolute rounds the clock's fraction up", 31 * day, withNanos, int32(now.Unix()) + 31*24*3600 + 1},
		{"one year", 365 * day, now, int32(now.Add(365 * day).Unix())},
		{"past 2038 clamps instead of wrapping", 100 * 365 * day, now, math.MaxInt32},
		{"largest duration clamps", time.Duration(math.MaxInt64), now, math.MaxInt32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := expiration(tc.ttl, tc.now); got != tc.want {
				t.Fatalf("expiration(%v, %v) = %d, want %d", tc.ttl, tc.now, got, tc.want)
			}
		})
	}
}

// TestLongTTL stores with TTLs past memcached's 30-day relative limit: sent
// as relative seconds they would read as a time in 1970, already expired.
func TestLongTTL(t *testing.T) {
	srv := testserver.Memcached(t)
	s := newTestStore(t, srv.Addr)
	ctx := t.Context()
	const day = 24 * time.Hour
	for _, tc := range []struct {
		name string
		ttl  time.Duration
		want int64 // seconds left as memcached reports them; -1: none
	}{
		{"30 days", 30 * day, int64(30 * day / time.Second)},
		{"31 days", 31 * day, int64(31 * day / time.Second)},
		{"1 year", 365 * day, int64(365 * day / time.Second)},
		{"none", 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := "ttl:ns:" + tc.name[:2]
			if err := s.Set(ctx, k, []byte("v"), tc.ttl); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Get(ctx, k); err != nil || string(got) != "v" {
				t.Fatalf("Get = %q, %v; want v", got, err)
			}
			left := metaTTL(t, srv.Addr, ItemKey(k))
			if tc.want < 0 {
				if left != -1 {
					t.Fatalf("server reports %ds left, want no expiry", left)
				}
				return
			}
			// memcached's clock ticks once a second and lags a little.
			if left < tc.want-5 || left > tc.want+5 {
				t.Fatalf("server reports %ds left, want about %d", left, tc.want)
			}
		})
	}
}
