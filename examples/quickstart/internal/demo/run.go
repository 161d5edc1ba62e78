// Package demo is the quickstart's demo API and program, shared by the
// default quickstart (net/http on the memory backend, nothing else to
// download) and examples/quickstart/all (every adapter and backend).
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"
)

// Adapter names the -adapter flag takes.
const (
	AdapterStdlib = "stdlib"
	AdapterEcho   = "echo"
	AdapterFiber  = "fiber"
	AdapterGin    = "gin"
)

// Adapters are every adapter the quickstart knows, in the order help
// lists them.
var Adapters = []string{AdapterStdlib, AdapterEcho, AdapterFiber, AdapterGin}

// FrameworkNames are the frameworks' names, for the banner and Index.
var FrameworkNames = map[string]string{AdapterStdlib: "net/http", AdapterEcho: "Echo", AdapterFiber: "Fiber", AdapterGin: "Gin"}

// ConnectTimeout bounds the start-up check that a server answers: a
// quickstart pointed at the wrong port should say so at once.
const ConnectTimeout = 3 * time.Second

// Config is what the flags and environment ask for.
type Config struct {
	Addr, Adapter, Backend string
	Verbose                bool
	// Args are the arguments the config was parsed from.
	Args []string
}

// ParseFlags parses the quickstart's flags; getenv supplies the
// HOARD_ADAPTER and HOARD_BACKEND defaults. note, when not empty, ends
// the help text. -h gives flag.ErrHelp.
func ParseFlags(args []string, getenv func(string) string, note string) (Config, error) {
	cfg := Config{Args: args}
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "listen address")
	fs.StringVar(&cfg.Adapter, "adapter", orDefault(getenv("HOARD_ADAPTER"), AdapterStdlib), "framework: "+adapterList()+" (env HOARD_ADAPTER)")
	fs.StringVar(&cfg.Backend, "backend", orDefault(getenv("HOARD_BACKEND"), "memory://"),
		"backend URL: memory://, redis://host:port/db, memcache://host:port[,host:port], dynamodb://table?endpoint=URL&region=R (env HOARD_BACKEND)")
	fs.BoolVar(&cfg.Verbose, "v", false, "log every cache event")
	if note != "" {
		fs.Usage = func() {
			fmt.Fprintln(fs.Output(), "Usage of quickstart:")
			fs.PrintDefaults()
			fmt.Fprintln(fs.Output(), "\n"+note)
		}
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "quickstart: unexpected argument %q\n", fs.Arg(0))
		return cfg, errors.New("unexpected argument")
	}
	return cfg, nil
}

func adapterList() string {
	return strings.Join(Adapters[:len(Adapters)-1], ", ") + " or " + Adapters[len(Adapters)-1]
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// CheckAdapter reports an unknown adapter name.
func CheckAdapter(name string) error {
	if !slices.Contains(Adapters, name) {
		return fmt.Errorf("unknown adapter %q (want %s)", name, adapterList())
	}
	return nil
}

// Server is the demo API served by one adapter's framework.
type Server interface {
	// Serve serves on ln until Shutdown; it returns nil after Shutdown.
	Serve(ln net.Listener) error
	Shutdown(ctx context.Context) error
}

// Program is what a quickstart binary can serve with: the adapters it
// has, by name, and how it opens a backend (checking, within ctx, that
// its server answers).
type Program struct {
	Servers map[string]func(*Demo) (Server, error)
	Open    func(ctx context.Context, b BackendURL) (hoard.Backend, error)
}

// Main is a quickstart's main: flags, signals, Run, and "quickstart:
// <error>" with exit status 1 on failure (2 for bad flags).
func Main(p Program) {
	cfg, err := ParseFlags(os.Args[1:], os.Getenv, "")
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		os.Exit(2) // the flag package said what is wrong
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, cfg, p, os.Stdout); err != nil {
		Fail(err)
	}
}

// Fail prints err on one line and exits with status 1.
func Fail(err error) {
	fmt.Fprintln(os.Stderr, "quickstart:", OneLine(err))
	os.Exit(1)
}

// Run opens the backend, serves the demo until ctx ends, and shuts down.
// Everything that can fail does so before the banner is printed.
func Run(ctx context.Context, cfg Config, p Program, stdout io.Writer) error {
	if err := CheckAdapter(cfg.Adapter); err != nil {
		return err
	}
	newServer, ok := p.Servers[cfg.Adapter]
	if !ok {
		return fmt.Errorf("adapter %q is not in this program", cfg.Adapter)
	}
	b, err := ParseBackendURL(cfg.Backend)
	if err != nil {
		return err
	}
	connect, cancel := context.WithTimeout(ctx, ConnectTimeout)
	backend, err := p.Open(connect, b)
	cancel()
	if err != nil {
		return err
	}
	var opts []hoard.Option
	if cfg.Verbose {
		logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, hoard.WithObserver(hoard.SlogObserver(logger)), hoard.WithLogger(logger))
	}
	d, err := New(backend, opts...)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Framework, d.Backend = FrameworkNames[cfg.Adapter], b.Display
	srv, err := newServer(d)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	printBanner(stdout, "http://"+ln.Addr().String(), d)

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

func printBanner(w io.Writer, base string, d *Demo) {
	fmt.Fprintf(w, `hoard quickstart on %[1]s (%[3]s adapter, %[4]s backend)

  curl %[1]s/                                 # the endpoints
  curl -i %[1]s/report                        # MISS: takes %[2]v
  curl -i %[1]s/report                        # HIT: instant, with Age and ETag
  curl -I %[1]s/report                        # HEAD: the HIT's headers, no body
  curl -i -H 'If-None-Match: <etag>' %[1]s/report   # 304 Not Modified
  curl -i -H 'Cache-Control: no-cache' %[1]s/report # refresh the entry
  curl '%[1]s/square?n=12'                    # a cached function: slow once, then instant
  curl %[1]s/stats                            # hits, misses, stores, ... (Cache.Stats)
  curl -X POST '%[1]s/clear?ns=reports'       # drop every cached report
  curl -X POST '%[1]s/clear?ns=math'          # drop every cached square

Ctrl-C stops.
`, base, SlowDelay, d.Framework, d.Backend)
}

// OneLine keeps an error message on one line, whatever a driver put in it.
func OneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// OpenMemory opens the in-process backend (memory://).
func OpenMemory(_ context.Context, b BackendURL) (hoard.Backend, error) {
	if b.Kind != KindMemory {
		return nil, fmt.Errorf("backend %s is not in this program", b.Display)
	}
	return memory.New(memory.Options{MaxBytes: 32 << 20})
}

// NewStdlibServer serves the demo with net/http's ServeMux, the report
// cached by hoard's engine as net/http middleware (what hoardhttp returns),
// so it needs no module beyond hoard's core. ServeMux routes HEAD to GET
// patterns.
func NewStdlibServer(d *Demo) (Server, error) {
	engine, err := httpcache.New(d.Cache(), ReportOptions...)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, d.Index())
	})
	mux.Handle("GET /report", engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := d.Report()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})))
	mux.HandleFunc("GET /square", func(w http.ResponseWriter, r *http.Request) {
		code, body := d.SquareOf(r.Context(), r.URL.Query().Get("n"))
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	})
	mux.HandleFunc("POST /clear", func(w http.ResponseWriter, r *http.Request) {
		code, body := d.Clear(r.Context(), r.URL.Query().Get("ns"))
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(d.Stats())
	})
	return NewHTTPServer(mux), nil
}

// httpServer serves a net/http handler (net/http, Echo, Gin).
type httpServer struct{ srv *http.Server }

// NewHTTPServer is a Server for a net/http handler.
func NewHTTPServer(h http.Handler) Server {
	return httpServer{&http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
}

func (s httpServer) Serve(ln net.Listener) error {
	if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s httpServer) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }
