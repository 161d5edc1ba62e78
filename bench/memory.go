package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

// MemoryOptions configures [MemoryBound].
type MemoryOptions struct {
	// Limit is the memory store's byte bound (memory.Options.MaxBytes).
	// Default 64 MiB.
	Limit int64
	// Factor is how many times Limit is written. Default 10.
	Factor int
	// Size is each response's body size. Default 4 KiB.
	Size int
	// SampleEvery is the number of requests between two samples of the
	// heap and the RSS. Default 256.
	SampleEvery int
	// AtEnd, if set, runs after the last request while the store still
	// holds its entries (e.g. to write a heap profile).
	AtEnd func()
}

// MemoryResult is what [MemoryBound] measured. Byte counts are bytes.
type MemoryResult struct {
	Limit    int64 `json:"limit"`
	Written  int64 `json:"written"`
	Requests int   `json:"requests"`
	// PeakHeap is the most heap memory held by objects, live or not yet
	// swept (runtime/metrics /memory/classes/heap/objects:bytes).
	PeakHeap uint64 `json:"peak_heap"`
	// RetainedHeap is the heap still in use after the last request and a
	// full GC: the store's real footprint (entries, keys, otter's nodes),
	// without garbage. (/gc/heap/live:bytes during the run also counts
	// what was allocated while a GC was marking, so it overstates.)
	RetainedHeap uint64 `json:"retained_heap"`
	// PeakRuntime is the most memory mapped by the Go runtime
	// (/memory/classes/total:bytes minus released).
	PeakRuntime uint64 `json:"peak_runtime"`
	// PeakRSS is the process's peak resident set (VmHWM), 0 where /proc is
	// missing.
	PeakRSS uint64 `json:"peak_rss"`
	// BaseRSS is the resident set before the first request.
	BaseRSS uint64 `json:"base_rss"`
	// LastHit reports whether the last response written was served from
	// the cache afterwards (the store kept recent entries).
	LastHit bool `json:"last_hit"`
	// GOGC and GOMEMLIMIT are the garbage collector's settings.
	GOGC       string        `json:"gogc"`
	GOMEMLIMIT string        `json:"gomemlimit"`
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// MemoryBound writes Factor*Limit bytes of distinct Size-byte responses
// through hoard's net/http middleware on a memory store bounded to Limit,
// sampling the heap and the RSS as it goes. Run it in a process of its own:
// the RSS is the whole process's.
func MemoryBound(opts MemoryOptions) (MemoryResult, error) {
	if opts.Limit <= 0 {
		opts.Limit = 64 << 20
	}
	if opts.Factor <= 0 {
		opts.Factor = 10
	}
	if opts.Size <= 0 {
		opts.Size = 4 << 10
	}
	if opts.SampleEvery <= 0 {
		opts.SampleEvery = 256
	}
	c, closeCache, err := MemoryCache(opts.Limit)
	if err != nil {
		return MemoryResult{}, err
	}
	defer closeCache()
	mw, err := hoardhttp.Middleware(c)
	if err != nil {
		return MemoryResult{}, fmt.Errorf("bench: %w", err)
	}
	body := JSONBody(opts.Size)
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(body)
	}))

	res := MemoryResult{
		Limit:      opts.Limit,
		Requests:   int(int64(opts.Factor) * opts.Limit / int64(opts.Size)),
		GOGC:       envOr("GOGC", "100"),
		GOMEMLIMIT: envOr("GOMEMLIMIT", "off"),
	}
	runtime.GC()
	res.BaseRSS = procStatus("VmRSS")
	s := newSampler()
	w := &nullWriter{h: http.Header{}}
	req, _ := http.NewRequest(http.MethodGet, "http://mem.example"+Path, nil)
	began := time.Now()
	last := ""
	for i := range res.Requests {
		w.reset()
		last = "id=" + strconv.Itoa(i)
		req.URL.RawQuery = last
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK || w.n != len(body) {
			return res, fmt.Errorf("bench: request %d: status %d, %d bytes", i, w.status, w.n)
		}
		res.Written += int64(w.n)
		if i%opts.SampleEvery == 0 {
			s.sample()
		}
	}
	res.Elapsed = time.Since(began)
	s.sample()
	w.reset()
	req.URL.RawQuery = last
	h.ServeHTTP(w, req)
	res.LastHit = w.h.Get("X-Cache") == "HIT"
	if opts.AtEnd != nil {
		opts.AtEnd()
	}
	res.PeakHeap, res.PeakRuntime = s.heap, s.runtime
	res.PeakRSS = max(procStatus("VmHWM"), s.rss)
	runtime.GC()
	s.sample()
	res.RetainedHeap = s.last
	return res, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	if name == "GOMEMLIMIT" {
		if l := debug.SetMemoryLimit(-1); l != 1<<63-1 {
			return strconv.FormatInt(l, 10)
		}
	}
	return def
}

// sampler keeps the peaks of the runtime's memory metrics and the RSS.
type sampler struct {
	samples            []metrics.Sample
	heap, runtime, rss uint64
	last               uint64 // heap objects at the last sample
}

func newSampler() *sampler {
	return &sampler{samples: []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
	}}
}

func (s *sampler) sample() {
	metrics.Read(s.samples)
	val := func(i int) uint64 {
		if s.samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s.samples[i].Value.Uint64()
	}
	s.last = val(0)
	s.heap = max(s.heap, s.last)
	s.runtime = max(s.runtime, val(1)-val(2))
	s.rss = max(s.rss, procStatus("VmRSS"))
}

// procStatus reads a "kB" field of /proc/self/status in bytes (0 when
// unavailable).
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}

// nullWriter is a reusable ResponseWriter that keeps only the status, the
// headers and the body's length.
type nullWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *nullWriter) Header() http.Header { return w.h }
func (w *nullWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *nullWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(p)
	return len(p), nil
}

func (w *nullWriter) reset() {
	clear(w.h)
	w.status, w.n = 0, 0
}

// RSSTarget is the resident-set bound the memory backend aims for with a
// byte limit of limit: 1.3 x limit + 30 MiB.
func RSSTarget(limit int64) int64 { return limit*13/10 + 30<<20 }

// MemLimitFor is a Go memory limit (GOMEMLIMIT) that keeps a process whose
// heap is mostly a memory store of limit bytes within [RSSTarget]: the
// target less 15 MiB for what the Go limit does not count (the binary's
// resident pages: the process starts at about 13 MiB of RSS).
func MemLimitFor(limit int64) int64 { return RSSTarget(limit) - 15<<20 }
