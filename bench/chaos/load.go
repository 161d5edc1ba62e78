package chaos

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of [LoadOptions].
const (
	DefaultWorkers       = 8
	DefaultItems         = 200
	DefaultClientTimeout = 10 * time.Second
	maxFailureExamples   = 10
)

// LoadOptions configures [Start].
type LoadOptions struct {
	// Base is the server's URL, "http://127.0.0.1:port". Required.
	Base string
	// Client sends the requests. Default: a client with a
	// [DefaultClientTimeout] timeout that keeps one idle connection per
	// worker.
	Client *http.Client
	// Workers is the number of requests in flight at once. Default
	// [DefaultWorkers].
	Workers int
	// Scenario is sent as the s= parameter, so each scenario has keys of
	// its own. Default "load".
	Scenario string
	// Items is the number of distinct item ids. Default [DefaultItems].
	Items int
	// Once sends every item exactly once, spread over the workers, then
	// stops; otherwise workers pick items at random until stopped.
	Once bool
	// Size is the body size the server was started with (its -size).
	Size int
	// CacheHeader names the header telling HIT from MISS. Default
	// "X-Cache".
	CacheHeader string
}

// Result is what a load run saw. Requests, Non200 and WrongBodies count
// responses; Errors counts requests that got no response at all.
type Result struct {
	Requests    int64
	Non200      int64
	WrongBodies int64
	Errors      int64
	Hits        int64
	Misses      int64
	// Latency holds every response's time, sorted.
	Latency []time.Duration
	// Resumed is the time from [Run.Mark] to the first HIT of a request
	// sent after it; -1 if there was none (or no mark).
	Resumed time.Duration
	// Failures are a few examples of what went wrong.
	Failures []string
	Elapsed  time.Duration
}

// Percentile returns the p-th percentile (0-100) of the latencies, 0
// without any.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latency) == 0 {
		return 0
	}
	i := int(float64(len(r.Latency))*p/100+0.5) - 1
	return r.Latency[min(max(i, 0), len(r.Latency)-1)]
}

// Max returns the slowest response's time.
func (r Result) Max() time.Duration { return r.Percentile(100) }

// Run is a load run started by [Start].
type Run struct {
	opts    LoadOptions
	ctx     context.Context
	cancel  context.CancelFunc
	start   time.Time
	wg      sync.WaitGroup
	done    chan struct{}
	workers []*tally

	mark        atomic.Int64 // UnixNano of the mark, 0 before
	resumedAt   atomic.Int64 // UnixNano of the first hit after the mark
	resumed     chan struct{}
	resumedOnce sync.Once
}

type tally struct {
	requests, non200, wrong, errors, hits, misses int64
	latency                                       []time.Duration
	failures                                      []string
}

// Start sends requests until [Run.Stop] (or, with Once, until every item
// was sent).
func Start(ctx context.Context, opts LoadOptions) (*Run, error) {
	if opts.Base == "" {
		return nil, errors.New("chaos: LoadOptions.Base is empty")
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Items <= 0 {
		opts.Items = DefaultItems
	}
	if opts.Scenario == "" {
		opts.Scenario = "load"
	}
	if opts.CacheHeader == "" {
		opts.CacheHeader = "X-Cache"
	}
	if opts.Client == nil {
		opts.Client = &http.Client{
			Timeout:   DefaultClientTimeout,
			Transport: &http.Transport{MaxIdleConnsPerHost: opts.Workers, DisableCompression: true},
		}
	}
	r := &Run{opts: opts, start: time.Now(), done: make(chan struct{}), resumed: make(chan struct{})}
	r.ctx, r.cancel = context.WithCancel(ctx)
	r.workers = make([]*tally, opts.Workers)
	for w := range r.workers {
		r.workers[w] = &tally{}
		r.wg.Add(1)
		go r.work(w, r.workers[w])
	}
	go func() { r.wg.Wait(); close(r.done) }()
	return r, nil
}

func (r *Run) work(w int, t *tally) {
	defer r.wg.Done()
	rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
	want := map[string][]byte{} // expected bodies, built once per id
	for i := 0; r.ctx.Err() == nil; i++ {
		n := rng.IntN(r.opts.Items)
		if r.opts.Once {
			n = i*r.opts.Workers + w
			if n >= r.opts.Items {
				return
			}
		}
		id := strconv.Itoa(n)
		body, ok := want[id]
		if !ok {
			body = Body(id, r.opts.Scenario, r.opts.Size)
			if !r.opts.Once {
				want[id] = body
			}
		}
		r.request(t, id, body)
	}
}

// request sends one GET and checks the answer against body.
func (r *Run) request(t *tally, id string, body []byte) {
	path := Path(id, r.opts.Scenario)
	sent := time.Now()
	req, err := http.NewRequestWithContext(r.ctx, http.MethodGet, r.opts.Base+path, nil)
	if err != nil {
		t.fail("GET %s: %v", path, err)
		t.errors++
		return
	}
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		if r.ctx.Err() == nil { // not just the run being stopped
			t.errors++
			t.fail("GET %s: %v", path, err)
		}
		return
	}
	got, err := io.ReadAll(io.LimitReader(resp.Body, int64(len(body))+1<<10))
	resp.Body.Close()
	took := time.Since(sent)
	if err != nil {
		if r.ctx.Err() == nil {
			t.errors++
			t.fail("GET %s: reading the body: %v", path, err)
		}
		return
	}
	t.requests++
	t.latency = append(t.latency, took)
	switch {
	case resp.StatusCode != http.StatusOK:
		t.non200++
		t.fail("GET %s: status %d, body %.80q", path, resp.StatusCode, got)
		return
	case !bytes.Equal(got, body):
		t.wrong++
		t.fail("GET %s (%s): wrong body %.80q", path, resp.Header.Get(r.opts.CacheHeader), got)
		return
	}
	switch resp.Header.Get(r.opts.CacheHeader) {
	case "HIT":
		t.hits++
		if m := r.mark.Load(); m != 0 && sent.UnixNano() >= m {
			r.resumedOnce.Do(func() {
				r.resumedAt.Store(time.Now().UnixNano())
				close(r.resumed)
			})
		}
	case "MISS":
		t.misses++
	}
}

func (t *tally) fail(format string, args ...any) {
	if len(t.failures) < maxFailureExamples {
		t.failures = append(t.failures, fmt.Sprintf(format, args...))
	}
}

// Mark records the moment the backend recovered: [Run.Resumed] is closed
// by the first HIT of a request sent after it. Call it once.
func (r *Run) Mark() { r.mark.CompareAndSwap(0, time.Now().UnixNano()) }

// Resumed is closed once a request sent after [Run.Mark] was a HIT.
func (r *Run) Resumed() <-chan struct{} { return r.resumed }

// Done is closed when every worker has finished (with Once, after the
// last item).
func (r *Run) Done() <-chan struct{} { return r.done }

// Stop ends the run, waits for the requests in flight and returns what
// every worker saw.
func (r *Run) Stop() Result {
	r.cancel()
	<-r.done
	res := Result{Elapsed: time.Since(r.start), Resumed: -1}
	for _, t := range r.workers {
		res.Requests += t.requests
		res.Non200 += t.non200
		res.WrongBodies += t.wrong
		res.Errors += t.errors
		res.Hits += t.hits
		res.Misses += t.misses
		res.Latency = append(res.Latency, t.latency...)
		for _, f := range t.failures {
			if len(res.Failures) < maxFailureExamples {
				res.Failures = append(res.Failures, f)
			}
		}
	}
	slices.Sort(res.Latency)
	if at := r.resumedAt.Load(); at != 0 {
		res.Resumed = time.Duration(at - r.mark.Load())
	}
	return res
}
