package chaos_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/testserver"

	"github.com/hoard-go/hoard/bench/chaos"
)

// Timings of the fault runs. The server's handler sleeps handlerTime and
// hoard gives each backend operation opTimeout, so a request should take
// about handlerTime + opTimeout at worst; that is reported, and only a
// generous liveness bound is asserted (a loaded machine stalls for
// hundreds of milliseconds).
const (
	handlerTime     = 10 * time.Millisecond
	opTimeout       = 100 * time.Millisecond
	breakerCooldown = time.Second
	bodySize        = 64
	warmUp          = 1500 * time.Millisecond // load before the fault
	faultTime       = 1500 * time.Millisecond // down or stalled, at least 10 x opTimeout
	steady          = time.Second             // load after hits resumed
	resumeWithin    = 20 * time.Second        // hits must be back by then
	livenessP99     = 2 * time.Second
	livenessMax     = 8 * time.Second // the client gives up after 10s
)

// The 10,000-distinct-URL run: each URL once, 4 KiB bodies, so about 2.5
// times the memory store's limit is written.
const (
	manyURLs       = 10_000
	manySize       = 4 << 10
	memoryLimit    = 16 << 20
	memoryRSSBound = 3*memoryLimit + 64<<20
)

// TestChaos is `make chaos`: it needs HOARD_CHAOS=1, since it runs for
// minutes and starts real servers.
func TestChaos(t *testing.T) {
	if os.Getenv("HOARD_CHAOS") != "1" {
		t.Skip("chaos run: set HOARD_CHAOS=1 (make chaos)")
	}
	// CHAOS_VERBOSE=1 logs the servers' backend failures and breaker
	// changes.
	verbose := os.Getenv("CHAOS_VERBOSE") == "1"
	bin := buildServer(t, t.TempDir())
	faults, memory := &chaos.Figures{}, &chaos.Figures{}
	t.Cleanup(func() {
		fmt.Println("\nfault scenarios (latency bound = handler time + operation timeout):")
		_ = faults.WriteTable(os.Stdout)
		fmt.Println("\n10,000 distinct URLs on the memory backend:")
		_ = memory.WriteTable(os.Stdout)
	})

	t.Run("memory-10k", func(t *testing.T) { runManyURLs(t, bin, memory) })
	t.Run("origin-down", func(t *testing.T) { runOriginDown(t, bin, faults) })
	t.Run("tiered", func(t *testing.T) { runTiered(t, bin, faults) })

	backends := []struct {
		name  string
		start func(*testing.T) *testserver.Server
		// timeout: DynamoDB Local is a JVM whose requests take tens of
		// milliseconds on a loaded machine.
		timeout   time.Duration
		scenarios []string
	}{
		{"redis", func(t *testing.T) *testserver.Server { return testserver.Redis(t) }, opTimeout, []string{"kill", "stall", "restart"}},
		{"memcache", func(t *testing.T) *testserver.Server { return testserver.Memcached(t) }, opTimeout, []string{"kill", "stall", "restart"}},
		{"dynamo", startDynamoDBLocal, 250 * time.Millisecond, []string{"kill"}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			backend := b.start(t)
			args := []string{"-backend", b.name, "-backend-addr", backend.Addr,
				"-timeout", b.timeout.String(), "-handler-time", handlerTime.String(),
				"-size", fmt.Sprint(bodySize), "-breaker-cooldown", breakerCooldown.String()}
			if verbose {
				args = append(args, "-v")
			}
			srv, base := startServer(t, bin, "chaosserver-"+b.name, args...)
			if verbose {
				t.Cleanup(func() { t.Logf("server output:\n%s", srv.Logs()) })
			}
			for _, sc := range b.scenarios {
				ok := t.Run(sc, func(t *testing.T) {
					runFault(t, faults, b.name+"/"+sc, base, b.timeout, backend, sc)
				})
				if !ok {
					t.Logf("server output:\n%s", tail(srv.Logs(), 4<<10))
				}
			}
		})
	}
}

// runFault drives the server at base while fault happens to backend, and
// records the figures under name.
func runFault(t *testing.T, figs *chaos.Figures, name, base string, timeout time.Duration, backend *testserver.Server, fault string) {
	ctx := context.Background()
	client := &http.Client{Timeout: 10 * time.Second}
	before, err := chaos.FetchStats(ctx, client, base)
	if err != nil {
		t.Fatal(err)
	}
	run, err := chaos.Start(ctx, chaos.LoadOptions{Base: base, Scenario: name, Size: bodySize})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(warmUp)
	faultStart := time.Now()
	switch fault {
	case "kill": // down for faultTime, then back on the same port, empty
		backend.Stop()
		time.Sleep(faultTime)
		backend.Restart()
	case "stall": // SIGSTOP: connections stay open, nothing answers
		backend.Pause()
		time.Sleep(faultTime)
		backend.Resume()
	case "restart": // killed and started again at once: every entry gone
		backend.Restart()
	default:
		t.Fatalf("unknown fault %q", fault)
	}
	outage := time.Since(faultStart) // includes the restart's wait until ready
	run.Mark()
	resumed := backendHitsResume(ctx, t, client, base)
	select { // normally long closed by now
	case <-run.Resumed():
	case <-time.After(resumeWithin):
	}
	time.Sleep(steady)
	res := run.Stop()
	after, err := chaos.FetchStats(ctx, client, base)
	if err != nil {
		t.Fatal(err)
	}

	bound := handlerTime + timeout
	opened := after.BreakerOpens > before.BreakerOpens
	for _, f := range []struct {
		metric string
		value  any
	}{
		{"requests", res.Requests + res.Errors},
		{"non200", res.Non200},
		{"wrong_bodies", res.WrongBodies},
		{"no_response", res.Errors},
		{"hits", res.Hits},
		{"backend_hits", after.Hits - before.Hits},
		{"p50_ms", res.Percentile(50)},
		{"p99_ms", res.Percentile(99)},
		{"max_ms", res.Max()},
		{"bound_ms", bound},
		{"outage_s", outage},
		{"hits_resumed_s", resumed},
		{"xcache_hit_s", res.Resumed},
		{"breaker_opened", opened},
		{"breaker_now", after.Breaker},
		{"backend_errors", after.Errors - before.Errors},
	} {
		fmt.Println(figs.Add(name, f.metric, f.value))
	}
	for _, f := range res.Failures {
		t.Log(f)
	}
	if res.Requests == 0 {
		t.Errorf("no response at all")
	}
	if res.Non200 != 0 || res.WrongBodies != 0 || res.Errors != 0 {
		t.Errorf("%d non-200 responses, %d wrong bodies, %d requests without a response; want none", res.Non200, res.WrongBodies, res.Errors)
	}
	if resumed < 0 || res.Resumed < 0 {
		t.Errorf("no hit from the backend, or no X-Cache: HIT, within %v after it recovered", resumeWithin)
	}
	if p99, slowest := res.Percentile(99), res.Max(); p99 > livenessP99 || slowest > livenessMax {
		t.Errorf("p99 %v, slowest %v: over the liveness bounds %v, %v (expected about %v)", p99, slowest, livenessP99, livenessMax, bound)
	}
}

// The origin-down run: items live staleTTL and may be served stale for an
// hour; the handler's dependency fails for originDown under load.
const (
	staleTTL   = time.Second
	originDown = 10 * time.Second
	staleItems = 200
)

// runOriginDown caches every item once, then makes the item handler fail
// (503) for originDown while a load runs and every entry goes stale: no
// client may see the failure, since every key has a copy, and the handler
// may run at most once per key per TTL (a failed background refresh waits
// that long before the next).
func runOriginDown(t *testing.T, bin string, figs *chaos.Figures) {
	const name = "memory/origin-down"
	_, base := startServer(t, bin, "chaosserver-origin", "-backend", "memory", "-ttl", staleTTL.String(),
		"-stale", time.Hour.String(), "-handler-time", handlerTime.String(), "-size", fmt.Sprint(bodySize))
	ctx := context.Background()
	client := &http.Client{Timeout: 10 * time.Second}
	warm, err := chaos.Start(ctx, chaos.LoadOptions{Base: base, Scenario: name, Size: bodySize, Items: staleItems, Once: true})
	if err != nil {
		t.Fatal(err)
	}
	<-warm.Done()
	if w := warm.Stop(); w.Non200 != 0 || w.Errors != 0 {
		t.Fatalf("warm-up: %d non-200, %d without a response", w.Non200, w.Errors)
	}
	setFailing := func(on string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/fail?on="+on, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	before, err := chaos.FetchStats(ctx, client, base)
	if err != nil {
		t.Fatal(err)
	}
	setFailing("1")
	run, err := chaos.Start(ctx, chaos.LoadOptions{Base: base, Scenario: name, Size: bodySize, Items: staleItems})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(originDown)
	res := run.Stop()
	after, err := chaos.FetchStats(ctx, client, base)
	if err != nil {
		t.Fatal(err)
	}
	setFailing("0")
	runs := after.Runs - before.Runs
	bound := int64(staleItems) * (int64(originDown/staleTTL) + 2)
	for _, f := range []struct {
		metric string
		value  any
	}{
		{"requests", res.Requests + res.Errors},
		{"non200", res.Non200},
		{"wrong_bodies", res.WrongBodies},
		{"no_response", res.Errors},
		{"served_stale", after.Stale - before.Stale},
		{"handler_runs", runs},
		{"handler_runs_bound", bound},
		{"p99_ms", res.Percentile(99)},
	} {
		fmt.Println(figs.Add(name, f.metric, f.value))
	}
	for _, f := range res.Failures {
		t.Log(f)
	}
	if res.Non200 != 0 || res.WrongBodies != 0 || res.Errors != 0 {
		t.Errorf("%d non-200 responses, %d wrong bodies, %d requests without a response while the origin was down; want none (every key had a copy)",
			res.Non200, res.WrongBodies, res.Errors)
	}
	if after.Stale == before.Stale {
		t.Errorf("nothing was served stale")
	}
	if runs > bound {
		t.Errorf("the failing handler ran %d times for %d keys in %v: more than once per key per %v (%d)", runs, staleItems, originDown, staleTTL, bound)
	}
}

// backendHitsResume polls the server's hit counter from now on and returns
// how long it took to grow, or -1 if it did not within resumeWithin. The
// counter, not the X-Cache header, tells whether the backend serves again:
// a request arriving while another one's response is still being written
// to the backend is served from that response, labelled HIT, even when the
// write then fails.
func backendHitsResume(ctx context.Context, t *testing.T, client *http.Client, base string) time.Duration {
	start := time.Now()
	at, err := chaos.FetchStats(ctx, client, base)
	if err != nil {
		t.Fatal(err)
	}
	for time.Since(start) < resumeWithin {
		time.Sleep(20 * time.Millisecond)
		now, err := chaos.FetchStats(ctx, client, base)
		if err != nil {
			t.Fatal(err)
		}
		if now.Hits > at.Hits {
			return time.Since(start)
		}
	}
	return -1
}

// runManyURLs sends 10,000 distinct URLs, each once, to a server on a
// memory store bounded to memoryLimit, then checks the process's peak
// resident set stayed bounded.
func runManyURLs(t *testing.T, bin string, figs *chaos.Figures) {
	const name = "memory/10k-urls"
	srv, base := startServer(t, bin, "chaosserver-memory",
		"-backend", "memory", "-max-bytes", fmt.Sprint(memoryLimit),
		"-size", fmt.Sprint(manySize), "-handler-time", "0s")
	ctx := context.Background()
	client := &http.Client{Timeout: 10 * time.Second}
	before, err := chaos.FetchStats(ctx, client, base)
	if err != nil {
		t.Fatal(err)
	}
	opts := chaos.LoadOptions{Base: base, Scenario: name, Size: manySize, Items: manyURLs, Once: true, Workers: 16}
	pass := func() chaos.Result {
		run, err := chaos.Start(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		<-run.Done()
		return run.Stop()
	}
	first := pass()
	// A second pass shows how many entries the bound kept.
	second := pass()
	after, err := chaos.FetchStats(ctx, client, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		metric string
		value  any
	}{
		{"requests", first.Requests + first.Errors + second.Requests + second.Errors},
		{"non200", first.Non200 + second.Non200},
		{"wrong_bodies", first.WrongBodies + second.WrongBodies},
		{"no_response", first.Errors + second.Errors},
		{"written_mib", float64(manyURLs*manySize) / (1 << 20)},
		{"stores", after.Stores - before.Stores},
		{"second_pass_hits", second.Hits},
		{"limit_mib", float64(memoryLimit) / (1 << 20)},
		{"start_rss_mib", float64(before.RSS) / (1 << 20)},
		{"peak_rss_mib", float64(after.PeakRSS) / (1 << 20)},
		{"rss_bound_mib", float64(memoryRSSBound) / (1 << 20)},
	} {
		fmt.Println(figs.Add(name, f.metric, f.value))
	}
	for _, f := range append(first.Failures, second.Failures...) {
		t.Log(f)
	}
	if n := first.Requests + second.Requests; n != 2*manyURLs {
		t.Errorf("%d responses, want %d", n, 2*manyURLs)
	}
	if bad := first.Non200 + second.Non200 + first.WrongBodies + second.WrongBodies; bad != 0 {
		t.Errorf("%d non-200 or wrong responses; want none", bad)
	}
	if after.PeakRSS == 0 {
		t.Log("no /proc: peak RSS not measured")
	} else if after.PeakRSS > memoryRSSBound {
		t.Errorf("peak RSS %d MiB over the bound %d MiB (limit %d MiB)", after.PeakRSS>>20, memoryRSSBound>>20, memoryLimit>>20)
	}
	if t.Failed() {
		t.Logf("server output:\n%s", tail(srv.Logs(), 4<<10))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[strings.IndexByte(s[len(s)-n:], '\n')+len(s)-n+1:]
}
