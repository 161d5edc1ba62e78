package bench_test

import (
	"context"
	"errors"
	"math/rand/v2"
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
}

func benchHoardRemember(b *testing.B, c *hoard.Cache, load func(context.Context) (profile, error), parallel bool) {
	ctx := b.Context()
	if _, err := hoard.Remember(ctx, c, rememberKey, time.Hour, load); err != nil {
		b.Fatal(err)
	}
	hit := func(context.Context) (profile, error) { return profile{}, errUnexpectedLoad }
	benchCalls(b, func(ctx context.Context) (profile, error) {
		return hoard.Remember(ctx, c, rememberKey, time.Hour, hit)
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
