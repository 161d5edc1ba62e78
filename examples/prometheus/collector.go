package main

import (
	"github.com/prometheus/client_golang/prometheus"

	hoard "github.com/hoard-go/hoard/core"
)

// breakerStates are the values of Stats.Breaker, one gauge series each.
var breakerStates = []string{"closed", "open", "half-open", "disabled"}

// statsCollector exposes a Cache's counters to Prometheus. It reads
// c.Stats() at scrape time: nothing is counted twice and the request path
// does no extra work (no observer needed).
type statsCollector struct {
	cache   *hoard.Cache
	hits    *prometheus.Desc
	misses  *prometheus.Desc
	stores  *prometheus.Desc
	bypass  *prometheus.Desc
	errors  *prometheus.Desc
	opens   *prometheus.Desc
	breaker *prometheus.Desc
}

var _ prometheus.Collector = (*statsCollector)(nil)

// newStatsCollector returns a collector for c. labels (for example
// {"cache": "products"}) tell several Caches apart in one registry.
func newStatsCollector(c *hoard.Cache, labels prometheus.Labels) *statsCollector {
	desc := func(name, help string, variable ...string) *prometheus.Desc {
		return prometheus.NewDesc("hoard_"+name, help, variable, labels)
	}
	return &statsCollector{
		cache:   c,
		hits:    desc("hits_total", "Fresh entries served from the cache."),
		misses:  desc("misses_total", "Lookups that found nothing usable: absent, expired, corrupt, or the backend failed."),
		stores:  desc("stores_total", "Entries written to the backend."),
		bypass:  desc("bypasses_total", "Requests not eligible for caching (no-store, Authorization, ...)."),
		errors:  desc("errors_total", "Backend, codec and loader errors."),
		opens:   desc("breaker_opens_total", "Times the circuit breaker opened."),
		breaker: desc("breaker_state", "Circuit breaker state: 1 for the current state, 0 for the others.", "state"),
	}
}

// Describe sends the metrics' descriptions.
func (s *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{s.hits, s.misses, s.stores, s.bypass, s.errors, s.opens, s.breaker} {
		ch <- d
	}
}

// Collect reads the Cache's counters once per scrape.
func (s *statsCollector) Collect(ch chan<- prometheus.Metric) {
	st := s.cache.Stats()
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	counter(s.hits, st.Hits)
	counter(s.misses, st.Misses)
	counter(s.stores, st.Stores)
	counter(s.bypass, st.Bypasses)
	counter(s.errors, st.Errors)
	counter(s.opens, st.BreakerOpens)
	for _, state := range breakerStates {
		v := 0.0
		if state == st.Breaker {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(s.breaker, prometheus.GaugeValue, v, state)
	}
}
