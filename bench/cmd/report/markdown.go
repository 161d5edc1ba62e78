package main

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hoard-go/hoard/bench"
)

// peers are the libraries compared against, by module path.
var peers = []struct{ module, what string }{
	{"github.com/gofiber/fiber/v2", "Fiber v2 and its middleware/cache (hoardfiber adapts Fiber v2)"},
	{"github.com/gofiber/fiber/v3", "Fiber v3 and its middleware/cache"},
	{"github.com/SporkHubr/echo-http-cache", "echo-http-cache, memory adapter (LRU)"},
	{"github.com/chenyahui/gin-cache", "gin-cache, memory store"},
	{"github.com/gin-gonic/gin", "Gin, bare, under gin-cache and under hoardgin"},
	{"github.com/labstack/echo/v4", "Echo"},
	{"github.com/go-redis/cache/v9", "go-redis/cache Once, no local cache"},
	{"github.com/redis/go-redis/v9", "go-redis (both Redis clients)"},
	{"golang.org/x/perf", "benchstat and benchfmt"},
}

func markdown(in *inputs, cs []comparison) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# hoard benchmarks\n\n")
	p("Written by `make bench` (bench/run.sh, then bench/cmd/report) on %s. Do not edit: rerun `make bench`.\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	p("Every figure is a median over the runs; ratios are ours / reference, so below 1 is better, except for requests per second.\n\n")

	byName := map[string]comparison{}
	for _, c := range cs {
		byName[c.name] = c
	}
	p("## Targets\n\nHit-cost ratios are of CPU time per request (see Hit cost), the median of the runs, with the range of the runs' ratios taken pairwise (run i against run i, which ran moments apart); the wall-clock ratio is beside them.\n\n")
	p("| comparison | measured (range of runs) | wall clock (range) | target | verdict |\n|---|---|---|---|---|\n")
	for _, c := range cs {
		if c.target != "" {
			wall := ""
			if w, ok := byName[c.name+"_wall"]; ok {
				wall = w.withRange()
			}
			p("| %s <br>`%s` | %s | %s | %s | %s |\n", c.desc, c.name, c.withRange(), wall, c.target, c.verdict())
		}
	}

	p("\n## Machine\n\n")
	env := func(k string) string {
		if v := in.env[k]; v != "" {
			return v
		}
		return "unknown"
	}
	p("- CPU: %s, %s logical CPUs (`nproc`)\n", env("cpu"), env("nproc"))
	p("- Memory: %s\n", env("memory"))
	p("- Go: %s; OS: %s\n", env("go"), env("kernel"))
	p("- Load average (1, 5, 15 min) at the start: %s; at the end: %s.", env("loadavg_start"), env("loadavg_end"))
	p(" The machine may be shared with other work: a load average above the CPU count means the benchmarks competed for the CPUs, which adds noise to every absolute figure (ratios of benchmarks run side by side suffer less).\n")
	p("- Settings: %s\n", env("settings"))

	hitSection(&b, in)
	stormSection(&b, cs)
	memorySection(&b, in, cs)
	loadSection(&b, in, cs)

	p("\n## Where the time goes\n\n")
	if in.notes != "" {
		p("%s\n", strings.TrimSpace(in.notes))
	}
	for _, pr := range in.profiles {
		p("\n<details><summary>CPU profile of a hit: %s</summary>\n\n```\n%s```\n\n</details>\n", pr.name, pr.top)
	}

	p("\n## All comparisons (the BENCH lines)\n\n```\n")
	for _, c := range cs {
		p("BENCH %s %s\n", c.name, c.value())
	}
	p("```\n")

	p("\n## Peers\n\n")
	versions := in.versions
	p("| module | version | used as |\n|---|---|---|\n")
	for _, peer := range peers {
		v := versions[peer.module]
		if v == "" {
			v = "not available"
		}
		p("| %s | %s | %s |\n", peer.module, v, peer.what)
	}
	p("\nEvery peer the issue names was served by the module proxy (`go list -m -versions`); none was unavailable. On Gin, hoard's Gin adapter (hoardgin) sits on the route where gin-cache goes; the overhead factors (hoard net/http hit / bare net/http against gin-cache hit / bare Gin) are reported beside it. hoardfiber adapts Fiber v2, so the Fiber v3 cache is compared with hoard on Fiber v2.\n")

	p("\n## Reproduce\n\n```sh\n")
	p("make bench                                   # everything below, then BENCHMARKS.md (BENCH_COUNT=6 BENCH_TIME=500ms LOAD_SECONDS=5 LOAD_ROUNDS=3)\n")
	p("cd bench\n")
	p("for i in 1 2 3 4 5 6; do go test -run '^$' -bench '^BenchmarkHit(Parallel)?$' -benchmem -benchtime 500ms . >> hit.txt; done   # rounds, as run.sh\n")
	p("go tool benchstat hit.txt\n")
	p("go test -run '^$' -bench '^BenchmarkMissStorm$' -benchtime 1x . > storm.txt\n")
	p("go run ./cmd/membound                        # default GC, in a process of its own\n")
	p("go run ./cmd/membound -set-memlimit          # GOMEMLIMIT = 1.3 x limit + 15 MiB\n")
	p("./loadtest.sh                                # wrk against cmd/loadserver; make loadtest\n")
	p("go test -run '^$' -bench '^BenchmarkHit$/^nethttp$/^hoard-memory$' -benchtime 2s -cpuprofile cpu.prof . && go tool pprof -top bench.test cpu.prof\n")
	p("```\n")
	return b.String()
}

// withRange is human() with the runs' range, when known.
func (c comparison) withRange() string {
	if !c.measured || c.hi == 0 {
		return c.human()
	}
	return fmt.Sprintf("%s (%.2f-%.2f)", c.human(), c.lo, c.hi)
}

// human formats a comparison's value for people.
func (c comparison) human() string {
	if !c.measured {
		return "not measured"
	}
	switch c.kind {
	case bytes:
		return fmt.Sprintf("%.1f MiB", c.v/(1<<20))
	case ratio:
		return fmt.Sprintf("%.3f", c.v)
	case micros:
		return fmt.Sprintf("%.0f µs", c.v)
	default:
		return c.value()
	}
}

// hitFamilies orders the hit table.
var hitFamilies = []string{"nethttp", "gin", "echo", "fiber", "fiberv3", "remember"}

func hitSection(b *strings.Builder, in *inputs) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\n## Hit cost, in process\n\n")
	p("GET http://api.example/items?page=1; the origin writes a 1 KiB JSON body. net/http, Gin and Echo are driven through ServeHTTP with a reused discarding ResponseWriter, Fiber through app.Handler() with a reused fasthttp.RequestCtx: no sockets. Cached variants are warmed first and checked not to run the origin while timed. `remember` is the function-result cache (a ~1 KiB struct): hoard.Remember (JSON codec) against go-redis/cache Once (msgpack, s2) on the same redis-server.\n\n")
	if len(in.hits) == 0 {
		p("Not measured.\n")
		return
	}
	p("CPU ns/op is the process's CPU time (user + system, every goroutine and the GC) per request; wall ns/op is the usual `ns/op`. RunParallel runs GOMAXPROCS goroutines, so its CPU time per request counts both CPUs. The x bare columns and the verdicts above use CPU time: on a shared machine the wall clock also counts the time spent waiting for a CPU held by another process. Wall-clock ratios are among the BENCH lines (suffix `_wall`).\n\n")
	p("| framework | variant | CPU ns/op | CPU ns/op RunParallel | wall ns/op | wall ns/op RunParallel | B/op | allocs/op | x bare | x bare RunParallel |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var names []string
	for n := range in.hits {
		if v, ok := strings.CutPrefix(n, "Hit/"); ok {
			names = append(names, v)
		}
	}
	order := func(n string) (int, int, string) {
		fw, variant, _ := strings.Cut(n, "/")
		family := slices.Index(hitFamilies, fw)
		if family < 0 {
			family = len(hitFamilies)
		}
		rank := 3 // the peers last
		switch {
		case strings.HasPrefix(variant, "bare"):
			rank = 0
		case strings.HasPrefix(variant, "hoard-memory"):
			rank = 1
		case strings.HasPrefix(variant, "hoard-"):
			rank = 2
		}
		return family, rank, variant
	}
	sort.Slice(names, func(i, j int) bool {
		fi, ri, vi := order(names[i])
		fj, rj, vj := order(names[j])
		return cmp.Or(cmp.Compare(fi, fj), cmp.Compare(ri, rj), cmp.Compare(vi, vj)) < 0
	})
	num := func(mode, n, unit string, scale float64, format string) string {
		v, ok := in.hits[mode+"/"+n].median(unit)
		if !ok {
			return "-"
		}
		return fmt.Sprintf(format, v*scale)
	}
	vsBare := func(mode, n string) string {
		fw, variant, _ := strings.Cut(n, "/")
		if strings.HasPrefix(variant, "bare") || fw == "remember" {
			return ""
		}
		x, okX := in.hits[mode+"/"+n].median(cpuUnit)
		y, okY := in.hits[mode+"/"+fw+"/bare"].median(cpuUnit)
		if !okX || !okY {
			return "-"
		}
		return fmt.Sprintf("%.2f", x/y)
	}
	for _, n := range names {
		fw, variant, _ := strings.Cut(n, "/")
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", fw, variant,
			num("Hit", n, cpuUnit, 1e9, "%.0f"), num("HitParallel", n, cpuUnit, 1e9, "%.0f"),
			num("Hit", n, "sec/op", 1e9, "%.0f"), num("HitParallel", n, "sec/op", 1e9, "%.0f"),
			num("Hit", n, "B/op", 1, "%.0f"), num("Hit", n, "allocs/op", 1, "%.0f"),
			vsBare("Hit", n), vsBare("HitParallel", n))
	}
	if in.benchstat != "" {
		p("\n<details><summary>benchstat (all units, with confidence intervals)</summary>\n\n```\n%s```\n\n</details>\n", in.benchstat)
	}
}

func stormSection(b *strings.Builder, cs []comparison) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\n## Miss storm\n\n")
	p("1,000 connections to a fresh server on 127.0.0.1 each send, at once, a request for the same cold URL; the origin takes 100 ms. `remember/*` are 1,000 concurrent get-or-load calls for one cold key. hoard must run the handler once.\n\n")
	p("| target | handler runs | target |\n|---|--:|---|\n")
	n := 0
	for _, c := range cs {
		if c.section == "storm" && strings.HasSuffix(c.name, "_runs") {
			n++
			target := strings.TrimPrefix(strings.TrimPrefix(c.desc, "miss storm, 1,000 concurrent requests: "), "miss storm, 1,000 concurrent calls: ")
			target = strings.TrimSuffix(strings.TrimSuffix(target, " handler runs"), " loader runs")
			p("| %s | %s | %s |\n", target, c.value(), strings.TrimSpace(c.target+" "+c.verdict()))
		}
	}
	if n == 0 {
		p("| not measured | | |\n")
	}
	for _, c := range cs {
		if c.section == "storm" && strings.HasSuffix(c.name, "_failed") {
			p("\n%s: %s\n", c.desc, c.value())
		}
	}
}

func memorySection(b *strings.Builder, in *inputs, cs []comparison) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\n## Memory bound\n\n")
	p("cmd/membound, in a process of its own: 10 x the memory store's byte limit of distinct 4 KiB responses written through hoard's net/http middleware. Peak heap is /memory/classes/heap/objects (live and not yet swept); retained heap is what is left after the last request and a full GC; RSS is VmHWM. Target: RSS <= 1.3 x limit + 30 MiB.\n\n")
	p("| GC setting | limit | written | requests | peak heap | retained heap | peak RSS | RSS target | verdict | time |\n|---|--:|--:|--:|--:|--:|--:|--:|---|--:|\n")
	mib := func(v uint64) string { return fmt.Sprintf("%.1f MiB", float64(v)/(1<<20)) }
	for _, m := range []struct {
		label string
		res   *bench.MemoryResult
	}{{"default", in.memDefault}, {"GOMEMLIMIT = 1.3 x limit + 15 MiB", in.memLimited}} {
		r := m.res
		if r == nil {
			p("| %s | not measured | | | | | | | | |\n", m.label)
			continue
		}
		target := uint64(bench.RSSTarget(r.Limit))
		verdict := "met"
		if r.PeakRSS > target {
			verdict = "**missed**"
		}
		memlimit := r.GOMEMLIMIT
		if n, err := strconv.ParseInt(memlimit, 10, 64); err == nil {
			memlimit = mib(uint64(n))
		}
		p("| %s (GOGC=%s, GOMEMLIMIT=%s) | %s | %s | %d | %s | %s | %s | %s | %s | %.1f s |\n", m.label, r.GOGC, memlimit,
			mib(uint64(r.Limit)), mib(uint64(r.Written)), r.Requests, mib(r.PeakHeap), mib(r.RetainedHeap), mib(r.PeakRSS), mib(target), verdict, r.Elapsed.Seconds())
	}
}

func loadSection(b *strings.Builder, in *inputs, cs []comparison) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("\n## Load over real sockets\n\n")
	p("bench/loadtest.sh: cmd/loadserver serves each target on 127.0.0.1 (hoard on the memory store), warmed by one short run; the load generator runs on the same machine. The targets take turns, round after round; figures are medians of the rounds. Settings: %s.\n\n", in.loadSettings)
	if len(in.load) == 0 {
		p("Not measured.\n")
		return
	}
	p("| target | requests/s | p99 | origin runs (most in a round) | rounds |\n|---|--:|--:|--:|--:|\n")
	for _, t := range in.load {
		rps, p99, runs, _ := t.medians()
		r := "?"
		if runs >= 0 {
			r = fmt.Sprint(runs)
		}
		p("| %s | %.0f | %.2f ms | %s | %d |\n", t.name, rps, p99*1e3, r, len(t.runs))
	}
	p("\n")
	for _, c := range cs {
		if c.section == "load" && c.kind == ratio {
			p("- %s: %s\n", c.desc, c.value())
		}
	}
}
