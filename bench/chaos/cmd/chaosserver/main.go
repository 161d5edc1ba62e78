// Command chaosserver is the server `make chaos` drives: net/http and
// hoardhttp on a backend chosen by flag, with a short operation timeout.
//
//	GET /item/{id}?s=scenario  cached; sleeps -handler-time, answers chaos.Body
//	                           (503 while the origin is failing)
//	GET /stats                 chaos.ServerStats as JSON (uncached)
//	GET /healthz               "ok" (uncached)
//	POST /fail?on=1            the item handler's dependency fails (on=0: it is back)
//	GET /v/{id}                cached (keyed by path alone, so instances share entries,
//	                           and tagged item:{id}); answers "<id> <version>" from the -db server
//	POST /v/{id}/changed       invalidates tag item:{id}: the version changed (502 if that failed)
//
// -backend tiered is Redis with a local memory tier (-tier-max-age), kept
// coherent over Redis pub/sub.
//
// It listens on 127.0.0.1 only and prints "LISTEN host:port" once ready.
//
//	chaosserver -backend redis -backend-addr 127.0.0.1:6379 -listen 127.0.0.1:8080
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/redis/go-redis/v9"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"
	"github.com/hoard-go/hoard/core/tiered"

	hoarddynamo "github.com/hoard-go/hoard/backends/dynamo"
	hoardmemcache "github.com/hoard-go/hoard/backends/memcache"
	hoardredis "github.com/hoard-go/hoard/backends/redis"

	"github.com/hoard-go/hoard/bench/chaos"
)

type config struct {
	listen          string
	backend         string
	backendAddr     string
	table           string
	timeout         time.Duration
	handlerTime     time.Duration
	size            int
	maxBytes        int64
	breakerFailures int
	breakerCooldown time.Duration
	ttl             time.Duration
	stale           time.Duration
	db              string
	tierMaxAge      time.Duration
	verbose         bool
}

func main() {
	var c config
	flag.StringVar(&c.listen, "listen", "127.0.0.1:0", "listen address (127.0.0.1 only)")
	flag.StringVar(&c.backend, "backend", "memory", "backend: memory, redis, memcache or dynamo")
	flag.StringVar(&c.backendAddr, "backend-addr", "", "backend server host:port (redis, memcache, dynamo)")
	flag.StringVar(&c.table, "table", "hoard-chaos", "DynamoDB table, created when missing")
	flag.DurationVar(&c.timeout, "timeout", 100*time.Millisecond, "hoard's per-operation timeout")
	flag.DurationVar(&c.handlerTime, "handler-time", 10*time.Millisecond, "time the item handler sleeps")
	flag.IntVar(&c.size, "size", 64, "item body size, bytes")
	flag.Int64Var(&c.maxBytes, "max-bytes", 16<<20, "memory backend byte limit")
	flag.IntVar(&c.breakerFailures, "breaker-failures", hoard.DefaultBreakerFailures, "consecutive failures that open the circuit breaker")
	flag.DurationVar(&c.breakerCooldown, "breaker-cooldown", time.Second, "circuit breaker cool-down")
	flag.DurationVar(&c.ttl, "ttl", 5*time.Minute, "TTL of cached items")
	flag.DurationVar(&c.stale, "stale", 0, "stale-while-revalidate and stale-if-error windows of cached items (0: none)")
	flag.StringVar(&c.db, "db", "", "base URL of the versions server /v/{id} reads (127.0.0.1 only)")
	flag.DurationVar(&c.tierMaxAge, "tier-max-age", 2*time.Second, "-backend tiered: the local tier's MaxAge")
	flag.BoolVar(&c.verbose, "v", false, "log backend failures and breaker changes to stderr")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "chaosserver:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	if host, _, err := net.SplitHostPort(c.listen); err != nil || host != "127.0.0.1" {
		return fmt.Errorf("listen address %q: only 127.0.0.1:port is allowed", c.listen)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	backend, err := openBackend(ctx, c)
	if err != nil {
		return err
	}
	logger := slog.New(slog.DiscardHandler)
	if c.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cache, err := hoard.New(backend, hoard.WithTimeout(c.timeout),
		hoard.WithCircuitBreaker(c.breakerFailures, c.breakerCooldown), hoard.WithLogger(logger))
	if err != nil {
		_ = closeBackend(backend)
		return err
	}
	defer cache.Close()

	mw, err := hoardhttp.Middleware(cache, httpcache.WithTTL(c.ttl),
		httpcache.WithStaleWhileRevalidate(c.stale), httpcache.WithStaleIfError(c.stale))
	if err != nil {
		return err
	}
	var runs atomic.Int64
	var failing atomic.Bool
	mux := http.NewServeMux()
	mux.Handle("GET /item/{id}", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		time.Sleep(c.handlerTime)
		if failing.Load() {
			http.Error(w, "dependency down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(chaos.Body(r.PathValue("id"), r.URL.Query().Get("s"), c.size))
	})))
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		s := chaos.ServerStats{Stats: cache.Stats(), Runs: runs.Load(), PID: os.Getpid()}
		s.RSS, s.PeakRSS, _ = chaos.ReadMemory(0)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	})
	if err := versioned(mux, cache, c); err != nil {
		return err
	}
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) {
		failing.Store(r.URL.Query().Get("on") == "1")
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})

	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Printf("LISTEN %s\n", ln.Addr())

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// openBackend builds the backend c names. Connection timeouts match the
// operation timeout, so a dead or stalled server costs a request no more
// than that.
func openBackend(ctx context.Context, c config) (hoard.Backend, error) {
	if c.backend != "memory" && c.backendAddr == "" {
		return nil, fmt.Errorf("-backend %s needs -backend-addr", c.backend)
	}
	switch c.backend {
	case "memory":
		return memory.New(memory.Options{MaxBytes: c.maxBytes})
	case "redis":
		redis.SetLogger(quietRedis{}) // hoard reports failures itself
		connect, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return hoardredis.New(connect, hoardredis.Options{Addrs: []string{c.backendAddr}, DialTimeout: c.timeout})
	case "tiered":
		redis.SetLogger(quietRedis{})
		connect, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		store, err := hoardredis.New(connect, hoardredis.Options{Addrs: []string{c.backendAddr}, DialTimeout: c.timeout,
			ReadTimeout: c.timeout})
		if err != nil {
			return nil, err
		}
		bus, err := store.Bus("chaos:invalidations")
		if err != nil {
			_ = store.Close()
			return nil, err
		}
		tier, err := tiered.New(ctx, tiered.Options{Remote: store, Bus: bus, MaxAge: c.tierMaxAge})
		if err != nil {
			_ = store.Close()
			return nil, err
		}
		return tier, nil
	case "memcache":
		// gomemcache takes no context: its Timeout is what bounds a call to
		// a stalled server.
		return hoardmemcache.New(hoardmemcache.Options{Servers: []string{c.backendAddr}, Timeout: c.timeout})
	case "dynamo":
		return openDynamo(ctx, c)
	}
	return nil, fmt.Errorf("unknown -backend %q (memory, redis, tiered, memcache, dynamo)", c.backend)
}

// openDynamo talks to DynamoDB Local at c.backendAddr with dummy
// credentials (nothing is looked up in the environment, so no request can
// reach AWS) and creates the table when missing.
func openDynamo(ctx context.Context, c config) (hoard.Backend, error) {
	client := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String("http://" + c.backendAddr),
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "hoard", SecretAccessKey: "chaos", Source: "chaosserver"}, nil
		}),
		// A cache would rather miss than retry a dead server.
		RetryMaxAttempts: 1,
	})
	create, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := hoarddynamo.CreateTable(create, client, hoarddynamo.TableOptions{Table: c.table}); err != nil {
		return nil, fmt.Errorf("creating table %q: %w", c.table, err)
	}
	return hoarddynamo.NewFromClient(client, hoarddynamo.Options{Table: c.table})
}

func closeBackend(b hoard.Backend) error {
	if c, ok := b.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// versioned mounts /v/{id}: an item whose version lives in the -db server
// (the application's database, outside the cache), cached under its path
// alone so that every instance shares its entry, and tagged, so that POST
// /v/{id}/changed on any instance invalidates it. (A tag rather than a URL
// purge: a response made from the old version but stored after the change
// is invalid too, which a purge cannot promise.)
func versioned(mux *http.ServeMux, cache *hoard.Cache, c config) error {
	if c.db == "" {
		return nil
	}
	if u, err := url.Parse(c.db); err != nil || u.Hostname() != "127.0.0.1" {
		return fmt.Errorf("-db %q: only http://127.0.0.1:port is allowed", c.db)
	}
	byPath := httpcache.WithKeyFunc(func(r httpcache.Request) string { return r.Path })
	tag := httpcache.WithTagsFunc(func(r httpcache.Request) []string { return []string{"item:" + strings.TrimPrefix(r.Path, "/v/")} })
	mw, err := hoardhttp.Middleware(cache, httpcache.WithTTL(c.ttl), byPath, tag)
	if err != nil {
		return err
	}
	db := &http.Client{Timeout: 5 * time.Second}
	mux.Handle("GET /v/{id}", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := db.Get(c.db + "/ver/" + r.PathValue("id"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		v, _ := io.ReadAll(resp.Body)
		fmt.Fprintf(w, "%s %s", r.PathValue("id"), v)
	})))
	mux.HandleFunc("POST /v/{id}/changed", func(w http.ResponseWriter, r *http.Request) {
		if err := cache.InvalidateTags(r.Context(), []string{"item:" + r.PathValue("id")}); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	return nil
}
