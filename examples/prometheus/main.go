// Command prometheus exposes a hoard Cache's counters (Cache.Stats) to
// Prometheus, and logs cache events with hoard.SlogObserver.
//
//	go run ./examples/prometheus -addr 127.0.0.1:8080
//	curl -i 127.0.0.1:8080/hello/ada     # MISS, then HIT
//	curl -s 127.0.0.1:8080/metrics | grep ^hoard_
//
// The collector (collector.go) reads Stats at scrape time, so the request
// path pays nothing for metrics. The Prometheus client is a dependency of
// this examples module only, never of hoard itself.
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	verbose := flag.Bool("v", false, "log every cache event at Debug (errors and breaker changes are always logged)")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := hoard.New(store, hoard.WithObserver(hoard.SlogObserver(logger)), hoard.WithLogger(logger))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h, err := newHandler(c, reg)
	if err != nil {
		log.Fatal(err)
	}
	logger.Info("listening", "url", "http://"+*addr, "metrics", "http://"+*addr+"/metrics")
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newHandler serves a cached API and /metrics. It registers c's collector
// in reg.
func newHandler(c *hoard.Cache, reg *prometheus.Registry) (http.Handler, error) {
	if err := reg.Register(newStatsCollector(c, prometheus.Labels{"cache": "api"})); err != nil {
		return nil, err
	}
	cache, err := hoardhttp.Middleware(c, httpcache.WithTTL(time.Minute))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /hello/{name}", cache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s\n", r.PathValue("name"))
	})))
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux, nil
}
