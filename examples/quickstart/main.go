// Command quickstart is a small API cached by hoard. With no flags it uses
// net/http and the in-memory backend, and needs no server:
//
//	go run ./examples/quickstart
//
// It listens on 127.0.0.1:8080 and prints curl commands to try: a slow
// endpoint that is fast once cached, a conditional request with the ETag,
// a cached function, the cache's counters and a namespace clear.
//
// Flags (or environment variables) choose the framework and the backend:
//
//	-addr     listen address (default 127.0.0.1:8080)
//	-adapter  stdlib, echo or fiber ($HOARD_ADAPTER; default stdlib)
//	-backend  a URL ($HOARD_BACKEND; default memory://):
//	            memory://
//	            redis://127.0.0.1:6379/0          (rediss:// for TLS, user:password@ allowed)
//	            memcache://127.0.0.1:11211        (several servers: comma-separated)
//	            dynamodb://table?endpoint=http://127.0.0.1:8000&region=us-east-1
//	-v        log every cache event (hoard.SlogObserver at Debug)
//
// For DynamoDB the table is created when it is missing. Credentials come
// from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; with an endpoint and
// none set, dummy ones are used (DynamoDB Local accepts any).
//
// A bad URL or a server that does not answer within a few seconds ends the
// program with one line on stderr, "quickstart: <what is wrong>", and exit
// status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2) // the flag package said what is wrong
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", oneLine(err))
		os.Exit(1)
	}
}

// config is what the flags and environment ask for.
type config struct {
	addr, adapter, backend string
	verbose                bool
}

func parseFlags(args []string, getenv func(string) string) (config, error) {
	cfg := config{}
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&cfg.adapter, "adapter", orDefault(getenv("HOARD_ADAPTER"), adapterStdlib), "framework: stdlib, echo or fiber (env HOARD_ADAPTER)")
	fs.StringVar(&cfg.backend, "backend", orDefault(getenv("HOARD_BACKEND"), "memory://"),
		"backend URL: memory://, redis://host:port/db, memcache://host:port[,host:port], dynamodb://table?endpoint=URL&region=R (env HOARD_BACKEND)")
	fs.BoolVar(&cfg.verbose, "v", false, "log every cache event")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "quickstart: unexpected argument %q\n", fs.Arg(0))
		return cfg, errors.New("unexpected argument")
	}
	return cfg, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// run opens the backend, serves the demo until ctx ends, and shuts down.
// Everything that can fail does so before the banner is printed.
func run(ctx context.Context, cfg config, stdout io.Writer) error {
	if !slices.Contains(adapters, cfg.adapter) {
		return fmt.Errorf("unknown adapter %q (want stdlib, echo or fiber)", cfg.adapter)
	}
	b, err := parseBackendURL(cfg.backend)
	if err != nil {
		return err
	}
	connect, cancel := context.WithTimeout(ctx, connectTimeout)
	backend, err := openBackend(connect, b)
	cancel()
	if err != nil {
		return err
	}
	var opts []hoard.Option
	if cfg.verbose {
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, hoard.WithObserver(hoard.SlogObserver(logger)), hoard.WithLogger(logger))
	}
	d, err := newDemo(backend, opts...)
	if err != nil {
		return err
	}
	defer d.Close()
	srv, err := newServer(cfg.adapter, d)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	printBanner(stdout, "http://"+ln.Addr().String(), cfg.adapter, b)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	return <-served
}

var frameworkNames = map[string]string{adapterStdlib: "net/http", adapterEcho: "Echo", adapterFiber: "Fiber"}

func printBanner(w io.Writer, base, adapter string, b backendURL) {
	fmt.Fprintf(w, `hoard quickstart on %[1]s (%[3]s adapter, %[4]s backend)

  curl -i %[1]s/report                        # MISS: takes %[2]v
  curl -i %[1]s/report                        # HIT: instant, with Age and ETag
  curl -i -H 'If-None-Match: <etag>' %[1]s/report   # 304 Not Modified
  curl -i -H 'Cache-Control: no-cache' %[1]s/report # refresh the entry
  curl '%[1]s/square?n=12'                    # a cached function: slow once, then instant
  curl %[1]s/stats                            # hits, misses, stores, ... (Cache.Stats)
  curl -X POST '%[1]s/clear?ns=reports'       # drop every cached report
  curl -X POST '%[1]s/clear?ns=math'          # drop every cached square

Ctrl-C stops.
`, base, slowDelay, frameworkNames[adapter], b.Display)
}

// oneLine keeps an error message on one line, whatever a driver put in it.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
