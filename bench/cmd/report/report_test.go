package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoard-go/hoard/bench"
)

const wrkOutput = `Running 3s test @ http://127.0.0.1:36945/items?page=1
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.07ms    6.90ms  77.93ms   95.82%
    Req/Sec    25.40k    14.62k   56.60k    66.67%
  Latency Distribution
     50%    1.33ms
     75%    3.03ms
     90%    5.90ms
     99%   41.83ms
  75967 requests in 3.02s, 89.55MB read
Requests/sec:  25141.87
Transfer/sec:     29.64MB
`

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		rps, p99 float64
		wantErr  bool
	}{
		{"wrk", wrkOutput, 25141.87, 0.04183, false},
		{"microseconds", "     99%  812.00us\nRequests/sec: 10\n", 10, 812e-6, false},
		{"seconds", "     99%    1.50s\nRequests/sec: 1\n", 1, 1.5, false},
		{"no latency", "Requests/sec: 10\n", 0, 0, true},
		{"bad unit", "     99%  3parsecs\nRequests/sec: 10\n", 0, 0, true},
		{"empty", "", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rps, p99, err := parseWrk(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && (!near(rps, tt.rps) || !near(p99, tt.p99)) {
				t.Errorf("rps %v p99 %v, want %v %v", rps, p99, tt.rps, tt.p99)
			}
		})
	}
}

func FuzzParseWrk(f *testing.F) {
	f.Add(wrkOutput)
	f.Add("     99%  812.00us\nRequests/sec: 10\n")
	f.Add("99% m\nRequests/sec: x")
	f.Fuzz(func(t *testing.T, s string) {
		rps, p99, err := parseWrk(s)
		if err != nil && (rps != 0 || p99 != 0) {
			t.Errorf("error %v with figures %v %v", err, rps, p99)
		}
	})
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestReadBenchAndCompare(t *testing.T) {
	hits, err := readBench("testdata/hit.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := hits["Hit/nethttp/bare"].median("sec/op"); !near(got, 400e-9) {
		t.Errorf("median of 400, 500, 300 ns = %v s", got)
	}
	if got, _ := hits["Hit/nethttp/hoard-memory"].median("sec/op"); !near(got, 750e-9) {
		t.Errorf("median of 800, 700 ns = %v s", got)
	}
	in := &inputs{hits: hits, storms: hits}
	byName := map[string]comparison{}
	for _, c := range compare(in) {
		byName[c.name] = c
	}
	tests := []struct {
		name     string
		v        float64
		measured bool
		verdict  string
	}{
		{"nethttp_hit_vs_bare", 1600.0 / 200, true, "**missed**"},
		{"nethttp_hit_vs_bare_wall", 750.0 / 400, true, ""},
		{"fiber_hit_vs_fiber_cache", 600.0 / 800, true, "met"},
		{"fiber_hit_vs_fiber_cache_parallel", 0, false, "not measured"},
		{"nethttp_overhead_vs_gin_cache_wall", (750.0 / 400) / (1500.0 / 1000), true, ""},
		{"gin_hit_vs_gin_cache", 900.0 / 1500, true, "met"},
		{"gin_hit_vs_gin_cache_parallel", 0, false, "not measured"},
		{"gin_hit_vs_bare", 900.0 / 1000, true, "met"},
		{"gin_hit_vs_bare_wall", 900.0 / 1000, true, ""},
		{"gin_allocs_per_hit", 1, true, "met"},
		{"nethttp_allocs_per_hit", 2, true, "met"},
		{"storm_nethttp_hoard_runs", 1, true, "met"},
		{"storm_fiber_fiber_cache_runs", 1000, true, ""},
		{"memory_peak_rss_bytes", 0, false, "not measured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := byName[tt.name]
			if !ok {
				t.Fatal("no such comparison")
			}
			if c.measured != tt.measured || (tt.measured && !near(c.v, tt.v)) || c.verdict() != tt.verdict {
				t.Errorf("got %v measured=%v %q, want %v measured=%v %q", c.v, c.measured, c.verdict(), tt.v, tt.measured, tt.verdict)
			}
		})
	}
}

func TestRunWritesMarkdown(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("testdata/hit.txt")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "hit.txt"), b, 0o644))
	must(os.MkdirAll(filepath.Join(dir, "load"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "load", "fiber_fiber-cache.r1.wrk"), []byte(wrkOutput), 0o644))
	must(os.WriteFile(filepath.Join(dir, "load", "fiber_fiber-cache.r1.server"), []byte("LISTEN 127.0.0.1:1\nRUNS 1\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "memory-default.json"),
		[]byte(`{"limit":67108864,"written":671088640,"requests":163840,"peak_rss":198537216,"peak_heap":1,"retained_heap":1}`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "env.txt"), []byte("nproc=2\ncpu=Test CPU\n"), 0o644))
	out := filepath.Join(dir, "BENCHMARKS.md")
	must(run(dir, out, filepath.Join(dir, "no-notes.md"), "../../go.mod"))
	md, err := os.ReadFile(out)
	must(err)
	for _, want := range []string{
		"## Targets", "Test CPU, 2 logical CPUs", "| nethttp | hoard-memory |",
		"BENCH load_fiber_fiber_cache_rps 25142", "| fiber/fiber-cache | 25142 | 41.83 ms | 1 | 1 |",
		"| 189.3 MiB | 113.2 MiB | **missed** |", "| github.com/go-redis/cache/v9 | v9.0.0 |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if bench.RSSTarget(64<<20) != 118698803 {
		t.Errorf("RSSTarget(64 MiB) = %d", bench.RSSTarget(64<<20))
	}
}
