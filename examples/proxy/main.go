// Command proxy is a caching reverse proxy: hoard as a shared cache (RFC
// 9111), in front of an origin it knows nothing about, the job Varnish or
// Souin do.
//
//	go run ./examples/proxy -listen 127.0.0.1:8081 -upstream http://127.0.0.1:8080
//	go run ./examples/proxy -upstream http://127.0.0.1:8080 -backend redis://127.0.0.1:6379/0
//
// Every method is forwarded (httputil.ReverseProxy); GET and HEAD are
// answered from the cache when the origin's Cache-Control, Expires or
// CDN-Cache-Control allow it, stale responses are revalidated with a
// conditional request, and a successful POST, PUT, PATCH or DELETE drops
// what it changed. Each request is logged on one line with its
// Cache-Status.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.listen, "listen", "127.0.0.1:8081", "address to serve on")
	flag.StringVar(&cfg.upstream, "upstream", "", "origin base URL, e.g. http://127.0.0.1:8080 (required)")
	flag.StringVar(&cfg.backend, "backend", "memory", `"memory" or a redis:// or rediss:// URL, e.g. redis://user:password@host:port/db`)
	flag.Float64Var(&cfg.heuristic, "heuristic", 0, "fraction of Last-Modified's age a response without explicit freshness stays fresh (RFC 9111 4.2.2; 0: off)")
	flag.StringVar(&cfg.targeted, "targeted", "", "a response field only this proxy reads, in Cache-Control's syntax, e.g. Surrogate-Control (RFC 9213)")
	flag.DurationVar(&cfg.staleIfError, "stale-if-error", 10*time.Second, "serve a response stale by up to this long when the origin fails or cannot be reached (RFC 5861; 0: only when the response asks)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, logger); err != nil {
		fmt.Fprintln(os.Stderr, "proxy:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	listen, upstream, backend string
	heuristic                 float64
	targeted                  string
	staleIfError              time.Duration
}

func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	origin, err := url.Parse(cfg.upstream)
	if err != nil || origin.Scheme == "" || origin.Host == "" {
		return fmt.Errorf("-upstream %q must be an absolute URL like http://127.0.0.1:8080", cfg.upstream)
	}
	store, err := openBackend(ctx, cfg.backend)
	if err != nil {
		return err
	}
	defer store.Close()
	cache, err := hoard.New(store, hoard.WithLogger(logger))
	if err != nil {
		return err
	}
	h, err := newProxy(origin, cache, cfg, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Info("proxy: serving", "listen", ln.Addr().String(), "upstream", origin.String(), "backend", cfg.backend)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newProxy is the caching reverse proxy for origin, logging each request.
func newProxy(origin *url.URL, cache *hoard.Cache, cfg config, logger *slog.Logger) (http.Handler, error) {
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(origin)
			r.Out.Host = r.In.Host // the origin sees the host the client asked for
			r.SetXForwarded()
		},
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	opts := []httpcache.Option{
		httpcache.WithMode(httpcache.SharedCache),
		httpcache.WithHeuristicFreshness(cfg.heuristic),
		httpcache.WithStaleIfError(cfg.staleIfError),
		httpcache.WithCacheHeader(""), // a proxy speaks RFC 9211's Cache-Status only
	}
	if cfg.targeted != "" {
		opts = append(opts, httpcache.WithTargetedField(cfg.targeted))
	}
	engine, err := httpcache.New(cache, opts...)
	if err != nil {
		return nil, err
	}
	return logged(engine.Handler(rp), logger), nil
}

// logged logs one line per request: method, path, status, Cache-Status and
// duration.
func logged(next http.Handler, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.RequestURI()),
			slog.Int("status", sw.statusOr200()), slog.String("cache", w.Header().Get("Cache-Status")),
			slog.Duration("took", time.Since(start)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the writer (flushes).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// openBackend opens "memory" or a redis:// or rediss:// URL, parsed by
// hoardredis (user, password, database, TLS and go-redis's query options).
func openBackend(ctx context.Context, spec string) (interface {
	hoard.Backend
	io.Closer
}, error) {
	if spec == "" || spec == "memory" {
		return memory.New(memory.Options{})
	}
	connect, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	store, err := hoardredis.New(connect, hoardredis.Options{URL: spec})
	if errors.Is(err, hoard.ErrInvalidOption) {
		return nil, fmt.Errorf("-backend: want memory or redis[s]://[user:password@]host:port/db: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach redis: %w", err)
	}
	return store, nil
}
