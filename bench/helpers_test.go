package bench_test

import (
	"context"
	"os/exec"
	"testing"
	"time"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/testserver"
	"github.com/hoard-go/hoard/core/tiered"

	"github.com/hoard-go/hoard/bench"
)

// redisServer is a throwaway redis-server for one benchmark run, or nil when
// redis-server is not installed.
func redisServer(tb testing.TB) *testserver.Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil
	}
	return testserver.Start(tb, testserver.Config{
		Name:    "redis-server",
		Command: bin,
		Args:    []string{"--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"},
		Ready:   testserver.RedisReady,
	})
}

// needRedis skips (or, under CI=true, fails) when there is no server.
func needRedis(tb testing.TB, srv *testserver.Server) {
	tb.Helper()
	if srv == nil {
		testserver.Missing(tb, "redis-server not found (make test installs it: see scripts/testdeps.sh)")
	}
}

// memoryCache is a hoard cache on a fresh memory store.
func memoryCache(tb testing.TB) *hoard.Cache {
	tb.Helper()
	c, closeCache, err := bench.MemoryCache(0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(closeCache)
	return c
}

// tieredCache is a hoard cache on a local memory tier over srv, kept
// coherent by a Redis pub/sub bus.
func tieredCache(tb testing.TB, srv *testserver.Server, prefix string) *hoard.Cache {
	tb.Helper()
	needRedis(tb, srv)
	store, err := hoardredis.New(context.Background(), hoardredis.Options{Addrs: []string{srv.Addr}})
	if err != nil {
		tb.Fatal(err)
	}
	bus, err := store.Bus("bench:" + prefix)
	if err != nil {
		_ = store.Close()
		tb.Fatal(err)
	}
	tier, err := tiered.New(context.Background(), tiered.Options{Remote: store, Bus: bus, MaxAge: time.Minute})
	if err != nil {
		_ = store.Close()
		tb.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !tier.Stats().BusUp; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal("the bus did not come up")
		}
	}
	c, err := hoard.New(tier, hoard.WithLogger(bench.Quiet), hoard.WithPrefix(prefix), hoard.WithTimeout(5*time.Second))
	if err != nil {
		_ = tier.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// redisCache is a hoard cache on srv; prefix keeps each target's entries
// apart on the shared server.
func redisCache(tb testing.TB, srv *testserver.Server, prefix string, opts ...hoard.Option) *hoard.Cache {
	tb.Helper()
	needRedis(tb, srv)
	store, err := hoardredis.New(context.Background(), hoardredis.Options{Addrs: []string{srv.Addr}})
	if err != nil {
		tb.Fatal(err)
	}
	// A generous timeout: on a loaded machine a slow round trip would
	// otherwise turn a hit into a (fail-open) miss.
	opts = append([]hoard.Option{hoard.WithLogger(bench.Quiet), hoard.WithPrefix(prefix), hoard.WithTimeout(5 * time.Second)}, opts...)
	c, err := hoard.New(store, opts...)
	if err != nil {
		_ = store.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
