// Command chaosserver is the server `make chaos` drives: net/http and
// hoardhttp on a backend chosen by flag, with a short operation timeout.
//
//	GET /item/{id}?s=scenario  cached; sleeps -handler-time, answers chaos.Body
//	                           (503 while the origin is failing)
//	GET /stats                 chaos.ServerStats as JSON (uncached)
//	GET /healthz               "ok" (uncached)
//	POST /fail?on=1            the item handler's dependency fails (on=0: it is back)
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
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
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
	case "memcache":
		// gomemcache takes no context: its Timeout is what bounds a call to
		// a stalled server.
		return hoardmemcache.New(hoardmemcache.Options{Servers: []string{c.backendAddr}, Timeout: c.timeout})
	case "dynamo":
		return openDynamo(ctx, c)
	}
	return nil, fmt.Errorf("unknown -backend %q (memory, redis, memcache, dynamo)", c.backend)
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
