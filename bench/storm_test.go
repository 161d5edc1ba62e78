package bench_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rediscache "github.com/go-redis/cache/v9"
	"github.com/redis/go-redis/v9"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/testserver"

	"github.com/hoard-go/hoard/bench"
)

// The miss storm: many concurrent requests for one cold URL, over real
// loopback sockets; hoard must run the handler once, the peers are counted.

// BenchmarkMissStorm runs one storm of 1,000 requests per target per
// iteration (run it with -benchtime 1x) and reports the origin's runs.
func BenchmarkMissStorm(b *testing.B) {
	for _, name := range stormTargets() {
		b.Run(name, func(b *testing.B) {
			var total, failed int64
			for b.Loop() {
				res := storm(b, name, 1000)
				total += res.Runs
				failed += int64(res.Requests - res.OK)
			}
			b.ReportMetric(float64(total)/float64(b.N), "handler-runs/op")
			b.ReportMetric(float64(failed)/float64(b.N), "failed/op")
		})
	}
	srv := redisServer(b)
	for _, name := range []string{"remember/hoard-redis", "remember/go-redis-cache-once"} {
		b.Run(name, func(b *testing.B) {
			var total int64
			for b.Loop() {
				total += rememberStorm(b, srv, name, 1000)
			}
			b.ReportMetric(float64(total)/float64(b.N), "handler-runs/op")
		})
	}
}

// TestMissStorm is the quick version: 100 requests, every hoard target
// must run its handler once and answer every request.
func TestMissStorm(t *testing.T) {
	for _, name := range stormTargets() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := storm(t, name, 100)
			if bench.UsesHoard(name) {
				if res.Runs != 1 {
					t.Errorf("handler ran %d times for %d concurrent requests, want 1", res.Runs, res.Requests)
				}
				if res.OK != res.Requests {
					t.Errorf("%d of %d requests failed; first: %v", res.Requests-res.OK, res.Requests, res.FirstError)
				}
			} else {
				t.Logf("peer: handler ran %d times for %d requests (%d ok)", res.Runs, res.Requests, res.OK)
			}
		})
	}
}

func TestRememberStorm(t *testing.T) {
	srv := redisServer(t)
	for _, name := range []string{"remember/hoard-memory", "remember/hoard-redis", "remember/go-redis-cache-once"} {
		t.Run(name, func(t *testing.T) {
			runs := rememberStorm(t, srv, name, 100)
			if name != "remember/go-redis-cache-once" && runs != 1 {
				t.Errorf("load ran %d times for 100 concurrent calls, want 1", runs)
			}
			t.Logf("load ran %d times", runs)
		})
	}
}

// stormTargets are the targets but the bare one sending hit headers (a
// hit-cost reference only).
func stormTargets() []string {
	var out []string
	for _, n := range bench.Names() {
		if !strings.HasSuffix(n, "/bare-headers") {
			out = append(out, n)
		}
	}
	return out
}

func storm(tb testing.TB, name string, n int) bench.StormResult {
	tb.Helper()
	var c *hoard.Cache
	if bench.UsesHoard(name) {
		c = memoryCache(tb)
	}
	res, err := bench.Storm(context.Background(), name, c, bench.StormOptions{Requests: n})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// stormKeys makes every storm's key cold on the shared server.
var stormKeys atomic.Int64

// rememberStorm makes n concurrent get-or-load calls for one cold key and
// returns how often the loader ran.
func rememberStorm(tb testing.TB, srv *testserver.Server, name string, n int) int64 {
	tb.Helper()
	var runs atomic.Int64
	load := func() profile {
		runs.Add(1)
		time.Sleep(100 * time.Millisecond)
		return benchProfile
	}
	key := fmt.Sprintf("storm:%d:%d", time.Now().UnixNano(), stormKeys.Add(1))
	var call func(ctx context.Context) (profile, error)
	switch name {
	case "remember/hoard-memory", "remember/hoard-redis":
		var c *hoard.Cache
		if name == "remember/hoard-memory" {
			c = memoryCache(tb)
		} else {
			c = redisCache(tb, srv, "storm")
		}
		call = func(ctx context.Context) (profile, error) {
			return hoard.Remember(ctx, c, key, time.Hour, func(context.Context) (profile, error) { return load(), nil })
		}
	case "remember/go-redis-cache-once":
		needRedis(tb, srv)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: n})
		tb.Cleanup(func() { _ = rdb.Close() })
		cd := rediscache.New(&rediscache.Options{Redis: rdb})
		call = func(ctx context.Context) (profile, error) {
			var p profile
			err := cd.Once(&rediscache.Item{Ctx: ctx, Key: key, Value: &p, TTL: time.Hour,
				Do: func(*rediscache.Item) (any, error) { return load(), nil }})
			return p, err
		}
	default:
		tb.Fatalf("unknown storm %q", name)
	}
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for range n {
		wg.Go(func() {
			<-start
			p, err := call(context.Background())
			if err != nil || p.ID != benchProfile.ID {
				tb.Errorf("call: %v, %v", p.ID, err)
			}
		})
	}
	close(start)
	wg.Wait()
	return runs.Load()
}
