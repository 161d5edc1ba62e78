package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hoard-go/hoard/bench"
)

type kind int

const (
	ratio  kind = iota // ours / reference, lower is better unless said
	count              // a count (runs, allocations)
	bytes              // a size in bytes
	perSec             // requests per second
	micros             // a latency in microseconds
)

// comparison is one BENCH line and one row of the summary.
type comparison struct {
	name     string // BENCH name
	desc     string
	section  string
	kind     kind
	v        float64
	measured bool
	target   string // e.g. "<= 1.5"; empty: reported, no target
	met      bool
	// lo and hi bound the ratios of the runs taken pairwise (run i of one
	// benchmark against run i of the other, which ran moments apart);
	// both 0 when unknown.
	lo, hi float64
	limit  float64 // the target's bound
}

func (c comparison) value() string {
	if !c.measured {
		return "NaN"
	}
	switch c.kind {
	case ratio:
		return fmt.Sprintf("%.3f", c.v)
	case count, bytes:
		if c.v == math.Trunc(c.v) {
			return fmt.Sprintf("%.0f", c.v)
		}
		return fmt.Sprintf("%.2f", c.v)
	case perSec:
		return fmt.Sprintf("%.0f", c.v)
	default:
		return fmt.Sprintf("%.0f", c.v)
	}
}

// verdict is "met", "parity", "missed", "not measured" or "" (no
// target). "met" needs every run on the target's side: runs on both sides
// are parity, whatever the median says.
func (c comparison) verdict() string {
	switch {
	case c.target == "":
		return ""
	case !c.measured:
		return "not measured"
	case c.spans() && c.met:
		return "parity (runs on both sides; the median met)"
	case c.spans():
		return "parity (runs on both sides; the median missed)"
	case c.met:
		return "met"
	default:
		return "**missed**"
	}
}

// spans reports whether the runs' ratios fall on both sides of the target.
func (c comparison) spans() bool {
	return c.hi > 0 && c.lo <= c.limit && c.limit < c.hi
}

// limit sets a target "<= max" (or "= max" when exact).
func (c comparison) atMost(max float64, exact bool) comparison {
	c.limit = max
	if exact {
		c.target = fmt.Sprintf("= %g", max)
		c.met = c.measured && c.v == max
		return c
	}
	c.target = fmt.Sprintf("<= %g", max)
	if c.kind == bytes {
		c.target = fmt.Sprintf("<= %.1f MiB", max/(1<<20))
	}
	c.met = c.measured && c.v <= max
	return c
}

// cpuUnit is the process's CPU time per operation (cpu-ns/op as the
// benchmarks report it, tidied by benchfmt): on a shared machine it is far
// steadier than the wall clock, which also counts waiting for a CPU.
const cpuUnit = "cpu-sec/op"

func benchName(parts ...string) string {
	r := strings.NewReplacer("/", "_", "-", "_")
	return r.Replace(strings.Join(parts, "_"))
}

func compare(in *inputs) []comparison {
	var cs []comparison
	add := func(c comparison) { cs = append(cs, c) }

	hit := func(mode, a, b, unit string) (float64, bool) {
		x, okA := in.hits[mode+"/"+a].median(unit)
		y, okB := in.hits[mode+"/"+b].median(unit)
		if !okA || !okB || y == 0 {
			return 0, false
		}
		return x / y, true
	}
	// Verdicts use CPU time per operation (see timeUnit); the wall-clock
	// ratio of each is reported beside it with a _wall suffix.
	for _, mode := range []string{"Hit", "HitParallel"} {
		sfx, label := "", "single goroutine"
		if mode == "HitParallel" {
			sfx, label = "_parallel", "RunParallel"
		}
		r := func(name, desc, a, b string) comparison {
			v, ok := hit(mode, a, b, cpuUnit)
			wall, okWall := hit(mode, a, b, "sec/op")
			wlo, whi := pairedRange(in.hits[mode+"/"+a]["sec/op"], in.hits[mode+"/"+b]["sec/op"])
			add(comparison{name: name + sfx + "_wall", desc: desc + " (" + label + ", wall clock)", section: "wall", kind: ratio, v: wall, measured: okWall, lo: wlo, hi: whi})
			lo, hi := pairedRange(in.hits[mode+"/"+a][cpuUnit], in.hits[mode+"/"+b][cpuUnit])
			return comparison{name: name + sfx, desc: desc + " (" + label + ")", section: "hit", kind: ratio, v: v, measured: ok, lo: lo, hi: hi}
		}
		add(r("nethttp_hit_vs_bare", "net/http: hoard hit (memory) / bare handler", "nethttp/hoard-memory", "nethttp/bare").atMost(1.5, false))
		add(r("nethttp_hit_vs_bare_headers", "net/http: hoard hit (memory) / bare handler sending the same header fields as a hit", "nethttp/hoard-memory", "nethttp/bare-headers"))
		add(r("nethttp_lean_hit_vs_bare", "net/http: hoard hit with the fewest header fields (no X-Cache, no added Cache-Control) / bare handler", "nethttp/hoard-memory-lean", "nethttp/bare"))
		add(r("nethttp_redis_hit_vs_bare", "net/http: hoard hit (Redis) / bare handler", "nethttp/hoard-redis", "nethttp/bare"))
		add(r("echo_hit_vs_bare", "Echo: hoard hit (memory) / bare handler", "echo/hoard-memory", "echo/bare").atMost(1.5, false))
		add(r("echo_hit_vs_bare_headers", "Echo: hoard hit (memory) / bare handler sending the same header fields as a hit", "echo/hoard-memory", "echo/bare-headers"))
		add(r("echo_redis_hit_vs_bare", "Echo: hoard hit (Redis) / bare handler", "echo/hoard-redis", "echo/bare"))
		add(r("echo_hit_vs_echo_http_cache", "Echo: hoard hit / echo-http-cache hit", "echo/hoard-memory", "echo/echo-http-cache").atMost(0.1, false))
		fiberMax := 1.0
		if mode == "HitParallel" {
			fiberMax = 0.7
		}
		add(r("fiber_hit_vs_fiber_cache", "Fiber v2: hoard hit / Fiber v2 middleware/cache hit", "fiber/hoard-memory", "fiber/fiber-cache").atMost(fiberMax, false))
		add(r("fiber_hit_vs_fiberv3_cache", "Fiber: hoard hit (v2) / Fiber v3 middleware/cache hit", "fiber/hoard-memory", "fiberv3/fiber-cache").atMost(fiberMax, false))
		add(r("fiber_lean_hit_vs_fiber_cache", "Fiber v2: hoard hit with the fewest header fields / Fiber v2 middleware/cache hit", "fiber/hoard-memory-lean", "fiber/fiber-cache"))
		add(r("fiber_hit_vs_bare", "Fiber v2: hoard hit (memory) / bare handler", "fiber/hoard-memory", "fiber/bare"))
		add(r("fiber_hit_vs_bare_headers", "Fiber v2: hoard hit (memory) / bare handler sending the same header fields as a hit", "fiber/hoard-memory", "fiber/bare-headers"))
		add(r("fiber_bare_headers_vs_fiber_cache", "Fiber v2: bare handler sending a hoard hit's header fields / Fiber v2 middleware/cache hit (the floor of the Fiber target)", "fiber/bare-headers", "fiber/fiber-cache"))
		add(r("fiber_redis_hit_vs_bare", "Fiber v2: hoard hit (Redis) / bare handler", "fiber/hoard-redis", "fiber/bare"))
		add(r("fiber_cache_vs_bare", "Fiber v2: middleware/cache hit / bare handler", "fiber/fiber-cache", "fiber/bare"))
		add(r("fiberv3_cache_vs_bare", "Fiber v3: middleware/cache hit / bare handler", "fiberv3/fiber-cache", "fiberv3/bare"))
		add(r("gin_hit_vs_bare", "Gin: hoard hit (memory) / bare handler", "gin/hoard-memory", "gin/bare").atMost(1.5, false))
		add(r("gin_hit_vs_gin_cache", "Gin: hoard hit (hoardgin, memory) / gin-cache hit", "gin/hoard-memory", "gin/gin-cache").atMost(0.7, false))
		add(r("gin_outside_hit_vs_gin_cache", "Gin: hoard hit (net/http middleware around the Gin engine, memory) / gin-cache hit", "gin/hoard-outside-memory", "gin/gin-cache"))
		add(r("gin_cache_overhead_factor", "Gin: gin-cache hit / bare Gin", "gin/gin-cache", "gin/bare"))
		for _, u := range []struct{ unit, sfx, label string }{{cpuUnit, "", ""}, {"sec/op", "_wall", ", wall clock"}} {
			ours, okO := hit(mode, "nethttp/hoard-memory", "nethttp/bare", u.unit)
			theirs, okT := hit(mode, "gin/gin-cache", "gin/bare", u.unit)
			c := comparison{name: "nethttp_overhead_vs_gin_cache" + sfx + u.sfx, section: "hit", kind: ratio,
				desc: "overhead factors: (hoard hit / bare net/http) / (gin-cache hit / bare Gin) (" + label + u.label + ")",
				v:    ours / theirs, measured: okO && okT && theirs != 0}
			if u.sfx == "" {
				c = c.atMost(1, false)
			} else {
				c.section = "wall"
			}
			add(c)
		}
		add(r("nethttp_tiered_hit_vs_memory", "net/http: hoard hit from the local tier over Redis / memory-only hit", "nethttp/hoard-tiered", "nethttp/hoard-memory").atMost(1.2, false))
		add(r("nethttp_tiered_hit_vs_redis", "net/http: hoard hit from the local tier over Redis / hit from Redis", "nethttp/hoard-tiered", "nethttp/hoard-redis"))
		add(r("remember_tiered_vs_memory", "function cache: Remember hit from the local tier over Redis / memory-only hit", "remember/hoard-tiered", "remember/hoard-memory").atMost(1.2, false))
		add(r("remember_tiered_vs_redis", "function cache: Remember hit from the local tier over Redis / hit from Redis", "remember/hoard-tiered", "remember/hoard-redis"))
		add(r("remember_tiered_vs_go_redis_cache_local", "function cache: Remember hit from the local tier / go-redis/cache Once hit with its local cache", "remember/hoard-tiered", "remember/go-redis-cache-once-local").atMost(0.5, false))
		add(r("remember_redis_vs_go_redis_cache", "function cache over Redis: hoard.Remember hit / go-redis/cache Once hit", "remember/hoard-redis", "remember/go-redis-cache-once").atMost(1, false))
		add(r("remember_redis_msgpack_vs_go_redis_cache", "function cache over Redis: hoard.Remember hit with a msgpack codec / go-redis/cache Once hit", "remember/hoard-redis-msgpack", "remember/go-redis-cache-once"))
		add(r("remember_memory_vs_go_redis_cache", "function cache: hoard.Remember hit (memory) / go-redis/cache Once hit (Redis)", "remember/hoard-memory", "remember/go-redis-cache-once"))
	}
	allocs := func(name, desc, bench string, max float64) {
		v, ok := in.hits["Hit/"+bench].median("allocs/op")
		add(comparison{name: name, desc: desc, section: "allocs", kind: count, v: v, measured: ok}.atMost(max, false))
	}
	allocs("nethttp_allocs_per_hit", "net/http: allocations per hoard hit (memory)", "nethttp/hoard-memory", 3)
	allocs("echo_allocs_per_hit", "Echo: allocations per hoard hit (memory)", "echo/hoard-memory", 3)
	allocs("gin_allocs_per_hit", "Gin: allocations per hoard hit (memory)", "gin/hoard-memory", 3)
	allocs("fiber_allocs_per_hit", "Fiber: allocations per hoard hit (memory)", "fiber/hoard-memory", 1)

	var storms []string
	for name := range in.storms {
		storms = append(storms, name)
	}
	sort.Strings(storms)
	for _, name := range storms {
		target, _ := strings.CutPrefix(name, "MissStorm/")
		runs, ok := in.storms[name].median("handler-runs/op")
		c := comparison{name: benchName("storm", target, "runs"), section: "storm", kind: count, v: runs, measured: ok,
			desc: "miss storm, 1,000 concurrent requests: " + target + " handler runs"}
		if strings.HasPrefix(target, "remember/") {
			c.desc = "miss storm, 1,000 concurrent calls: " + target + " loader runs"
		}
		hoardTarget := bench.UsesHoard(target) || strings.HasPrefix(target, "remember/hoard")
		if hoardTarget {
			c = c.atMost(1, true)
		}
		add(c)
		if failed, ok := in.storms[name].median("failed/op"); ok && failed > 0 {
			add(comparison{name: benchName("storm", target, "failed"), section: "storm", kind: count, v: failed, measured: true,
				desc: "miss storm: " + target + " failed requests"})
		}
	}

	for _, m := range []struct {
		label, tag string
		res        *bench.MemoryResult
	}{{"default GC (GOGC=100, no GOMEMLIMIT)", "", in.memDefault}, {"GOMEMLIMIT = 1.3 x limit + 15 MiB", "_memlimit", in.memLimited}} {
		if m.res == nil {
			add(comparison{name: "memory" + m.tag + "_peak_rss_bytes", desc: "memory bound, " + m.label + ": peak RSS", section: "memory", kind: bytes}.atMost(float64(bench.RSSTarget(64<<20)), false))
			continue
		}
		r := m.res
		target := float64(bench.RSSTarget(r.Limit))
		add(comparison{name: "memory" + m.tag + "_peak_rss_bytes", desc: "memory bound, " + m.label + ": peak RSS (VmHWM)", section: "memory", kind: bytes, v: float64(r.PeakRSS), measured: r.PeakRSS > 0}.atMost(target, false))
		add(comparison{name: "memory" + m.tag + "_rss_vs_target", desc: "memory bound, " + m.label + ": peak RSS / (1.3 x limit + 30 MiB)", section: "memory", kind: ratio, v: float64(r.PeakRSS) / target, measured: r.PeakRSS > 0}.atMost(1, false))
		add(comparison{name: "memory" + m.tag + "_peak_heap_bytes", desc: "memory bound, " + m.label + ": peak heap (objects, live or not yet swept)", section: "memory", kind: bytes, v: float64(r.PeakHeap), measured: true})
		add(comparison{name: "memory" + m.tag + "_retained_heap_vs_limit", desc: "memory bound, " + m.label + ": heap retained after a full GC / limit", section: "memory", kind: ratio, v: float64(r.RetainedHeap) / float64(r.Limit), measured: true})
	}

	loads := map[string]loadTarget{}
	for _, t := range in.load {
		loads[t.name] = t
		rps, p99, _, _ := t.medians()
		add(comparison{name: benchName("load", t.name, "rps"), desc: "load: " + t.name + " requests/s (median of rounds)", section: "load", kind: perSec, v: rps, measured: true})
		add(comparison{name: benchName("load", t.name, "p99_us"), desc: "load: " + t.name + " p99 latency, µs (median of rounds)", section: "load", kind: micros, v: p99 * 1e6, measured: true})
	}
	loadRatio := func(a, b string) {
		ta, okA := loads[a]
		tb, okB := loads[b]
		if !okA || !okB {
			return
		}
		ra, pa, _, _ := ta.medians()
		rb, pb, _, _ := tb.medians()
		add(comparison{name: benchName("load", a, "vs", b, "rps"), desc: "load: " + a + " / " + b + " requests/s (higher is better)", section: "load", kind: ratio, v: ra / rb, measured: rb > 0})
		add(comparison{name: benchName("load", a, "vs", b, "p99"), desc: "load: " + a + " / " + b + " p99 latency", section: "load", kind: ratio, v: pa / pb, measured: pb > 0})
	}
	loadRatio("nethttp/hoard", "nethttp/bare")
	loadRatio("echo/hoard", "echo/bare")
	loadRatio("fiber/hoard", "fiber/bare")
	loadRatio("fiber/hoard", "fiber/fiber-cache")
	loadRatio("fiber/hoard", "fiberv3/fiber-cache")
	return cs
}

// pairedRange returns the smallest and largest of a[i]/b[i]: the samples
// are in run order, and run i of every sub-benchmark ran in the same pass.
func pairedRange(a, b []float64) (lo, hi float64) {
	if len(a) == 0 || len(a) != len(b) {
		return 0, 0
	}
	for i := range a {
		if b[i] == 0 {
			return 0, 0
		}
		r := a[i] / b[i]
		if i == 0 || r < lo {
			lo = r
		}
		if r > hi {
			hi = r
		}
	}
	return lo, hi
}
