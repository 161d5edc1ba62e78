// Command quickstart is a small API cached by hoard. With no flags it uses
// net/http and the in-memory backend, needs no server, and builds from
// hoard's core module alone:
//
//	go run ./examples/quickstart
//
// It listens on 127.0.0.1:8080 and prints curl commands to try: the list
// of endpoints, a slow endpoint that is fast once cached, HEAD and a
// conditional request with the ETag, a cached function, the cache's
// counters and a namespace clear.
//
// Flags (or environment variables) choose the framework and the backend:
//
//	-addr     listen address (default 127.0.0.1:8080)
//	-adapter  stdlib, echo, fiber or gin ($HOARD_ADAPTER; default stdlib)
//	-backend  a URL ($HOARD_BACKEND; default memory://):
//	            memory://
//	            redis://127.0.0.1:6379/0          (rediss:// for TLS, user:password@ allowed)
//	            memcache://127.0.0.1:11211        (several servers: comma-separated)
//	            dynamodb://table?endpoint=http://127.0.0.1:8000&region=us-east-1
//	-v        log every cache event (hoard.SlogObserver at Debug)
//
// Any other adapter than stdlib, or backend than memory://, is served by
// examples/quickstart/all, a module of its own that requires every
// adapter and backend: this program builds it with the go command (its
// first build downloads Echo, Fiber, Gin, go-redis, gomemcache and the
// AWS SDK), runs it with the same flags, and passes signals and its exit
// status on. `go run ./examples/quickstart/all ...` does the same directly.
//
// For DynamoDB the table is created when it is missing. Credentials come
// from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; with an endpoint and
// none set, dummy ones are used (DynamoDB Local accepts any).
//
// A bad flag value ends the program with one line on stderr,
// "quickstart: <what is wrong>", and exit status 1; so does a server that
// does not answer within a few seconds, after the line that says the
// program hands over to examples/quickstart/all.
package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// handoverNote ends the help text.
const handoverNote = `Adapters other than stdlib and backends other than memory:// are served by
examples/quickstart/all (every adapter and backend in one module): this
program builds and runs it with the same flags; its first build downloads
their drivers. Or run it yourself: go run ./examples/quickstart/all -h`

func main() {
	cfg, err := demo.ParseFlags(os.Args[1:], os.Getenv, handoverNote)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2) // the flag package said what is wrong
	}
	err = start(cfg)
	var code exitCode
	if errors.As(err, &code) {
		os.Exit(int(code))
	}
	if err != nil {
		demo.Fail(err)
	}
}

// start serves net/http on the memory backend itself, and hands anything
// else over to examples/quickstart/all. Bad settings fail here, before
// anything is built.
func start(cfg demo.Config) error {
	if err := demo.CheckAdapter(cfg.Adapter); err != nil {
		return err
	}
	b, err := demo.ParseBackendURL(cfg.Backend)
	if err != nil {
		return err
	}
	if cfg.Adapter != demo.AdapterStdlib || b.Kind != demo.KindMemory {
		return handOver(cfg, b.Display)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return demo.Run(ctx, cfg, program, os.Stdout)
}

// program is what this binary serves with: hoard's core and nothing else.
var program = demo.Program{
	Servers: map[string]func(*demo.Demo) (demo.Server, error){demo.AdapterStdlib: demo.NewStdlibServer},
	Open:    demo.OpenMemory,
}
