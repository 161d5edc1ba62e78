// Command quickstart is a small API cached by hoard: net/http, the
// in-memory backend, no server needed.
//
//	go run ./examples/quickstart
//
// It listens on 127.0.0.1:8080 (-addr to change) and prints curl commands
// to try: a slow endpoint that is fast once cached, conditional requests
// with the ETag, a cached function, and a namespace clear.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

// slowDelay is how long the uncached report takes: long enough to see.
const slowDelay = 400 * time.Millisecond

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	if err := run(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(addr string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	h, closeCache, err := newHandler()
	if err != nil {
		return err
	}
	defer closeCache()
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	base := "http://" + ln.Addr().String()
	fmt.Printf(`hoard quickstart on %[1]s (net/http adapter, memory backend)

  curl -i %[1]s/report                      # MISS: takes %[2]v
  curl -i %[1]s/report                      # HIT: instant, with Age and ETag
  curl -i -H 'If-None-Match: <etag>' %[1]s/report   # 304 Not Modified
  curl -i '%[1]s/square?n=12'               # a cached function result
  curl -i -X POST '%[1]s/clear?ns=reports'  # drop every cached report
  curl -i -H 'Cache-Control: no-cache' %[1]s/report  # refresh the entry

Ctrl-C stops.
`, base, slowDelay)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler builds the demo API over an in-memory cache.
func newHandler() (http.Handler, func(), error) {
	store, err := memory.New(memory.Options{MaxBytes: 32 << 20})
	if err != nil {
		return nil, nil, err
	}
	c, err := hoard.New(store, hoard.WithDefaultTTL(time.Minute))
	if err != nil {
		return nil, nil, err
	}
	reports, err := hoardhttp.Middleware(c, hoard.InNamespace("reports"), hoard.WithTTL(30*time.Second))
	if err != nil {
		return nil, nil, err
	}
	square, err := hoard.Wrap(c.Namespace("math"), "square", time.Minute, func(ctx context.Context, n int) (int, error) {
		time.Sleep(slowDelay) // pretend this is expensive
		return n * n, nil
	})
	if err != nil {
		return nil, nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /report", reports(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(slowDelay) // the slow database query hoard saves you
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"report":"quarterly","generated":%q}`+"\n", time.Now().UTC().Format(time.RFC3339Nano))
	})))
	mux.HandleFunc("GET /square", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.URL.Query().Get("n"))
		if err != nil {
			http.Error(w, "n must be an integer", http.StatusBadRequest)
			return
		}
		start := time.Now()
		v, err := square(r.Context(), n)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "%d squared is %d (took %v)\n", n, v, time.Since(start).Round(time.Millisecond))
	})
	mux.HandleFunc("POST /clear", func(w http.ResponseWriter, r *http.Request) {
		ns := r.URL.Query().Get("ns")
		if err := c.Clear(r.Context(), ns); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, "cleared namespace %q\n", ns)
	})
	closeCache := func() {
		if err := c.Close(); err != nil {
			log.Print(err)
		}
	}
	return mux, closeCache, nil
}
