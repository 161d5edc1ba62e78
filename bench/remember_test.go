package bench_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	rediscache "github.com/go-redis/cache/v9"
	"github.com/redis/go-redis/v9"
	"github.com/vmihailenco/msgpack/v5"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/testserver"
)

// profile is the cached function result: about 1 KiB once encoded, with
// text that does not compress to nothing (go-redis/cache compresses values
// over 64 bytes with s2; hoard's JSON codec does not compress).
type profile struct {
	ID    int64    `json:"id"`
	Name  string   `json:"name"`
	Email string   `json:"email"`
	Bio   string   `json:"bio"`
	Tags  []string `json:"tags"`
}

var benchProfile = func() profile {
	r := rand.New(rand.NewPCG(1, 2))
	text := func(n int) string {
		const letters = "abcdefghijklmnopqrstuvwxyz     "
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		return string(b)
	}
	return profile{ID: 42, Name: text(24), Email: text(24), Bio: text(850), Tags: []string{text(8), text(8), text(8)}}
}()

const rememberKey = "profile:42"

var errUnexpectedLoad = errors.New("load ran on a hit")

// benchRemember is the function-result cache on a hit: hoard.Remember on
// the memory store and on Redis, against go-redis/cache's Once on the same
// Redis (no local cache: both answer every call from Redis).
func benchRemember(b *testing.B, srv *testserver.Server, parallel bool) {
	load := func(context.Context) (profile, error) { return benchProfile, nil }
	b.Run("remember/hoard-memory", func(b *testing.B) {
		benchHoardRemember(b, memoryCache(b), load, parallel)
	})
	b.Run("remember/hoard-redis", func(b *testing.B) {
		benchHoardRemember(b, redisCache(b, srv, "remember"), load, parallel)
	})
	// A local memory tier in front of the same Redis, coherent over a bus.
	b.Run("remember/hoard-tiered", func(b *testing.B) {
		benchHoardRemember(b, tieredCache(b, srv, "remember-tiered"), load, parallel)
	})
	// The same over more keys than hoard keeps decoded values for (see
	// core's decodeValue), in turn: every hit decodes, as when values
	// change between hits.
	b.Run("remember/hoard-redis-many-keys", func(b *testing.B) {
		benchHoardRememberKeys(b, redisCache(b, srv, "remember-many"), load, parallel, manyKeys)
	})
	// The same on Redis with go-redis/cache's codec (msgpack), to tell the
	// codec's share from the rest.
	b.Run("remember/hoard-redis-msgpack", func(b *testing.B) {
		c := redisCache(b, srv, "remember-msgpack", hoard.WithCodec(msgpackCodec{}))
		benchHoardRemember(b, c, load, parallel)
	})
	b.Run("remember/go-redis-cache-once", func(b *testing.B) {
		needRedis(b, srv)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
		b.Cleanup(func() { _ = rdb.Close() })
		cd := rediscache.New(&rediscache.Options{Redis: rdb})
		once := func(ctx context.Context, loaded bool) (profile, error) {
			var p profile
			err := cd.Once(&rediscache.Item{Ctx: ctx, Key: rememberKey, Value: &p, TTL: time.Hour,
				Do: func(*rediscache.Item) (any, error) {
					if loaded {
						return nil, errUnexpectedLoad
					}
					return benchProfile, nil
				}})
			return p, err
		}
		call := func(ctx context.Context) (profile, error) { return once(ctx, true) }
		if _, err := once(b.Context(), false); err != nil {
			b.Fatal(err)
		}
		benchCalls(b, call, parallel)
	})
	// go-redis/cache with its local cache (TinyLFU, 1,000 items, a minute):
	// what hoard's local tier is compared with. It is not coherent: another
	// process's write is seen when the local copy expires.
	b.Run("remember/go-redis-cache-once-local", func(b *testing.B) {
		needRedis(b, srv)
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
		b.Cleanup(func() { _ = rdb.Close() })
		cd := rediscache.New(&rediscache.Options{Redis: rdb, LocalCache: rediscache.NewTinyLFU(1000, time.Minute)})
		once := func(ctx context.Context, loaded bool) (profile, error) {
			var p profile
			err := cd.Once(&rediscache.Item{Ctx: ctx, Key: rememberKey + "-local", Value: &p, TTL: time.Hour,
				Do: func(*rediscache.Item) (any, error) {
					if loaded {
						return nil, errUnexpectedLoad
					}
					return benchProfile, nil
				}})
			return p, err
		}
		if _, err := once(b.Context(), false); err != nil {
			b.Fatal(err)
		}
		benchCalls(b, func(ctx context.Context) (profile, error) { return once(ctx, true) }, parallel)
	})
}

func benchHoardRemember(b *testing.B, c *hoard.Cache, load func(context.Context) (profile, error), parallel bool) {
	benchHoardRememberKeys(b, c, load, parallel, []string{rememberKey})
}

// manyKeys are four times as many keys as hoard keeps decoded values for.
var manyKeys = func() []string {
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s-%d", rememberKey, i)
	}
	return keys
}()

// benchHoardRememberKeys times hits on keys, in turn.
func benchHoardRememberKeys(b *testing.B, c *hoard.Cache, load func(context.Context) (profile, error), parallel bool, keys []string) {
	ctx := b.Context()
	for _, k := range keys {
		if _, err := hoard.Remember(ctx, c, k, time.Hour, load); err != nil {
			b.Fatal(err)
		}
	}
	hit := func(context.Context) (profile, error) { return profile{}, errUnexpectedLoad }
	var next atomic.Uint64
	benchCalls(b, func(ctx context.Context) (profile, error) {
		k := keys[(next.Add(1)-1)%uint64(len(keys))]
		return hoard.Remember(ctx, c, k, time.Hour, hit)
	}, parallel)
}

// benchCalls times call, which must return benchProfile.
func benchCalls(b *testing.B, call func(context.Context) (profile, error), parallel bool) {
	ctx := b.Context()
	check := func(p profile, err error) bool {
		return err == nil && p.ID == benchProfile.ID && p.Bio == benchProfile.Bio
	}
	if p, err := call(ctx); !check(p, err) {
		b.Fatalf("hit: %+v, %v", p.ID, err)
	}
	defer reportCPU(b)()
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if p, err := call(ctx); !check(p, err) {
					b.Errorf("hit: %v, %v", p.ID, err)
					return
				}
			}
		})
		return
	}
	for b.Loop() {
		if p, err := call(ctx); !check(p, err) {
			b.Fatalf("hit: %v, %v", p.ID, err)
		}
	}
}

// msgpackCodec is go-redis/cache's encoding (vmihailenco/msgpack, without
// its s2 compression) as a hoard.Codec.
type msgpackCodec struct{}

func (msgpackCodec) Marshal(v any) ([]byte, error)      { return msgpack.Marshal(v) }
func (msgpackCodec) Unmarshal(data []byte, v any) error { return msgpack.Unmarshal(data, v) }
