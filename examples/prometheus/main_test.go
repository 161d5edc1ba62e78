package main

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

// TestMetrics scrapes /metrics before and after requests and checks that
// the counters moved by exactly what the requests did.
func TestMetrics(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := hoard.New(store)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h, err := newHandler(c, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(path string, hdr ...string) *http.Response {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(hdr) == 2 {
			req.Header.Set(hdr[0], hdr[1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	before := scrape(t, srv.URL)
	for _, name := range []string{"hits_total", "misses_total", "stores_total", "bypasses_total", "errors_total", "breaker_opens_total"} {
		if v, ok := before[`hoard_`+name+`{cache="api"}`]; !ok || v != 0 {
			t.Errorf("before any request: hoard_%s = %v (present %v); want 0", name, v, ok)
		}
	}
	if before[`hoard_breaker_state{cache="api",state="disabled"}`] != 1 || before[`hoard_breaker_state{cache="api",state="open"}`] != 0 {
		t.Errorf("breaker state gauges: %v; want disabled=1 (memory has no breaker), open=0", before)
	}

	get("/hello/ada")                                                  // miss, store
	get("/hello/ada")                                                  // hit
	get("/hello/ada")                                                  // hit
	get("/hello/ada", "Cache-Control", "no-store")                     // bypass
	if res := get("/hello/bob"); res.Header.Get("X-Cache") != "MISS" { // miss, store
		t.Fatalf("X-Cache %q", res.Header.Get("X-Cache"))
	}

	after := scrape(t, srv.URL)
	want := map[string]float64{"hits_total": 2, "misses_total": 2, "stores_total": 2, "bypasses_total": 1, "errors_total": 0}
	for name, delta := range want {
		key := `hoard_` + name + `{cache="api"}`
		if got := after[key] - before[key]; got != delta {
			t.Errorf("%s moved by %v, want %v", key, got, delta)
		}
	}
}

// scrape fetches /metrics and returns every sample by its series name,
// e.g. `hoard_hits_total{cache="api"}`.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/metrics: %s", res.Status)
	}
	samples := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		samples[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return samples
}
