package hoardotel_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	nooptrace "go.opentelemetry.io/otel/trace/noop"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"

	hoardotel "github.com/hoard-go/hoard/otel"
)

// errDown is what the flaky backend answers while it fails.
var errDown = errors.New("connection refused")

// flaky is a backend that fails every call while fail is set.
type flaky struct {
	hoard.Backend
	fail atomic.Bool
}

func (f *flaky) Get(ctx context.Context, key string) ([]byte, error) {
	if f.fail.Load() {
		return nil, errDown
	}
	return f.Backend.Get(ctx, key)
}

func (f *flaky) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if f.fail.Load() {
		return errDown
	}
	return f.Backend.Set(ctx, key, v, ttl)
}

func newFlaky(t testing.TB) *flaky {
	t.Helper()
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return &flaky{Backend: store}
}

func newCache(t testing.TB, b hoard.Backend, obs hoard.Observer) *hoard.Cache {
	t.Helper()
	c, err := hoard.New(b, hoard.WithObserver(obs), hoard.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// points reads every data point from r: sums as their value, histograms
// as their count, each under "metric{attr=value,...}".
func points(t *testing.T, r sdkmetric.Reader) map[string]float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != hoardotel.ScopeName {
			t.Errorf("scope %q, want %q", sm.Scope.Name, hoardotel.ScopeName)
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if !d.IsMonotonic {
					t.Errorf("%s is not monotonic", m.Name)
				}
				for _, p := range d.DataPoints {
					out[m.Name+attrs(p.Attributes)] += float64(p.Value)
				}
			case metricdata.Histogram[float64]:
				if m.Unit != "s" {
					t.Errorf("%s unit %q, want s", m.Name, m.Unit)
				}
				for _, p := range d.DataPoints {
					out[m.Name+attrs(p.Attributes)] += float64(p.Count)
					if p.Sum <= 0 || p.Sum > 5 {
						t.Errorf("%s%s: sum %v s, want a positive duration", m.Name, attrs(p.Attributes), p.Sum)
					}
				}
			default:
				t.Errorf("%s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return out
}

func attrs(s attribute.Set) string {
	var kv []string
	for _, a := range s.ToSlice() {
		kv = append(kv, string(a.Key)+"="+a.Value.Emit())
	}
	sort.Strings(kv)
	return "{" + strings.Join(kv, ",") + "}"
}

// newMetrics returns an Observer recording into a manual reader.
func newMetrics(t *testing.T, opts ...hoardotel.Option) (*hoardotel.Observer, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	obs, err := hoardotel.New(append([]hoardotel.Option{hoardotel.WithMeterProvider(mp)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return obs, reader
}

// TestMetrics drives a Cache through a miss, a hit and a backend failure
// and reads the metrics back from the reader.
func TestMetrics(t *testing.T) {
	obs, reader := newMetrics(t, hoardotel.WithBackendName("flaky"))
	b := newFlaky(t)
	users := newCache(t, b, obs).Namespace("users")
	ctx := context.Background()
	loads := 0
	load := func(context.Context) (string, error) { loads++; return "Ada", nil }
	for _, step := range []struct {
		key  string
		fail bool
	}{
		{"user:42", false}, // miss, then a store
		{"user:42", false}, // hit
		{"user:43", true},  // the lookup fails (an error and a miss), the loader runs, the store fails
	} {
		b.fail.Store(step.fail)
		if v, err := hoard.Remember(ctx, users, step.key, time.Minute, load); err != nil || v != "Ada" {
			t.Fatalf("Remember(%s) = %q, %v", step.key, v, err)
		}
	}
	if loads != 2 {
		t.Fatalf("loader ran %d times, want 2", loads)
	}

	const on = "hoard.backend=flaky,hoard.namespace=hoard:users,"
	got := points(t, reader)
	counters := map[string]float64{
		"hoard.cache.misses{" + on + "hoard.operation=get}":                   1,
		"hoard.cache.misses{error.type=_OTHER," + on + "hoard.operation=get}": 1,
		"hoard.cache.hits{" + on + "hoard.operation=get}":                     1,
		"hoard.cache.stores{" + on + "hoard.operation=set}":                   1,
		"hoard.cache.errors{error.type=_OTHER," + on + "hoard.operation=get}": 1,
		"hoard.cache.errors{error.type=_OTHER," + on + "hoard.operation=set}": 1,
	}
	durations := map[string]float64{
		"hoard.backend.operation.duration{" + on + "hoard.operation=get,hoard.outcome=miss}":                   1,
		"hoard.backend.operation.duration{" + on + "hoard.operation=get,hoard.outcome=hit}":                    1,
		"hoard.backend.operation.duration{" + on + "hoard.operation=set,hoard.outcome=store}":                  1,
		"hoard.backend.operation.duration{error.type=_OTHER," + on + "hoard.operation=get,hoard.outcome=miss}": 1,
	}
	for _, want := range []map[string]float64{counters, durations} {
		for name, v := range want {
			if got[name] != v {
				t.Errorf("%s = %v, want %v", name, got[name], v)
			}
		}
	}
	for name, v := range got {
		_, inCounters := counters[name]
		_, inDurations := durations[name]
		// A failed operation may be timed too (hoard.outcome=error).
		if !inCounters && !inDurations && !strings.Contains(name, "hoard.outcome=error") {
			t.Errorf("unexpected series %s = %v", name, v)
		}
	}
}

// TestObserve feeds events to the Observer directly: each kind goes to its
// counter, a duration is recorded in seconds only when a backend call is
// behind the event, and unknown kinds are dropped.
func TestObserve(t *testing.T) {
	const key = "app:orders:x1"
	tests := []struct {
		name   string
		events []hoard.Event
		want   map[string]float64 // series -> value (sums) or count (histograms)
		sum    float64            // the histogram's total, in seconds
	}{
		{"hits timed and not", []hoard.Event{
			{Kind: hoard.EventHit, Op: "get", Key: key, Duration: 3 * time.Millisecond},
			{Kind: hoard.EventHit, Op: "get", Key: key, Duration: 5 * time.Millisecond},
			{Kind: hoard.EventHit, Op: "get", Key: key}, // the engine's hot table: no backend call
		}, map[string]float64{
			"hoard.cache.hits{hoard.namespace=app:orders,hoard.operation=get}":                                   3,
			"hoard.backend.operation.duration{hoard.namespace=app:orders,hoard.operation=get,hoard.outcome=hit}": 2,
		}, 0.008},
		{"bypass and breaker", []hoard.Event{
			{Kind: hoard.EventBypass, Op: "http"},
			{Kind: hoard.EventBreakerOpen, Op: "get"},
			{Kind: hoard.EventBreakerClose, Op: "get"},
		}, map[string]float64{
			"hoard.cache.bypasses{hoard.operation=http}":      1,
			"hoard.cache.breaker.opens{hoard.operation=get}":  1,
			"hoard.cache.breaker.closes{hoard.operation=get}": 1,
		}, 0},
		{"error types", []hoard.Event{
			{Kind: hoard.EventError, Op: "get", Key: key, Err: context.DeadlineExceeded, Duration: 250 * time.Millisecond},
			{Kind: hoard.EventError, Op: "set", Key: key, Err: hoard.ErrTooLarge},
			{Kind: hoard.EventMiss, Op: "get", Key: key, Err: hoard.ErrUnavailable},
			{Kind: hoard.EventError, Op: "decode", Key: key, Err: errors.New("bad json")},
		}, map[string]float64{
			"hoard.cache.errors{error.type=timeout,hoard.namespace=app:orders,hoard.operation=get}":                                   1,
			"hoard.cache.errors{error.type=too_large,hoard.namespace=app:orders,hoard.operation=set}":                                 1,
			"hoard.cache.misses{error.type=unavailable,hoard.namespace=app:orders,hoard.operation=get}":                               1,
			"hoard.cache.errors{error.type=_OTHER,hoard.namespace=app:orders,hoard.operation=decode}":                                 1,
			"hoard.backend.operation.duration{error.type=timeout,hoard.namespace=app:orders,hoard.operation=get,hoard.outcome=error}": 1,
		}, 0.25},
		{"stale", []hoard.Event{
			{Kind: hoard.EventStale, Op: "http", Key: key},
			{Kind: hoard.EventStale, Op: "load", Key: key},
		}, map[string]float64{
			"hoard.cache.stale{hoard.namespace=app:orders,hoard.operation=http}": 1,
			"hoard.cache.stale{hoard.namespace=app:orders,hoard.operation=load}": 1,
		}, 0},
		{"unknown kind and no key", []hoard.Event{
			{Kind: 0, Op: "get", Key: key},
			{Kind: 200, Op: "get", Key: key},
			{Kind: hoard.EventStore, Op: "set", Key: "no-namespace"},
		}, map[string]float64{
			"hoard.cache.stores{hoard.operation=set}": 1,
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, reader := newMetrics(t)
			for _, ev := range tt.events {
				obs.Observe(context.Background(), ev)
			}
			got := points(t, reader)
			if len(got) != len(tt.want) {
				t.Errorf("%d series, want %d: %v", len(got), len(tt.want), got)
			}
			for name, v := range tt.want {
				if got[name] != v {
					t.Errorf("%s = %v, want %v", name, got[name], v)
				}
			}
			if sum := histogramSum(t, reader); math.Abs(sum-tt.sum) > 1e-9 {
				t.Errorf("durations add up to %v s, want %v", sum, tt.sum)
			}
		})
	}
}

func histogramSum(t *testing.T, r sdkmetric.Reader) float64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok {
				for _, p := range h.DataPoints {
					sum += p.Sum
				}
			}
		}
	}
	return sum
}

// TestObserveAllocs: with the no-op providers (what an application that
// never set any gets), observing allocates nothing once an attribute set
// is prepared.
func TestObserveAllocs(t *testing.T) {
	obs, err := hoardotel.New(hoardotel.WithMeterProvider(noopmetric.NewMeterProvider()), hoardotel.WithTracerProvider(nooptrace.NewTracerProvider()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ev := hoard.Event{Kind: hoard.EventHit, Op: "get", Key: "hoard:products:abc", Duration: time.Microsecond}
	obs.Observe(ctx, ev)
	if n := testing.AllocsPerRun(100, func() { obs.Observe(ctx, ev) }); n != 0 {
		t.Errorf("Observe allocates %v times per event, want 0", n)
	}
}

// TestGlobalProviders: without options, New uses the global providers.
func TestGlobalProviders(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	prev := otel.GetMeterProvider()
	otel.SetMeterProvider(mp)
	t.Cleanup(func() { otel.SetMeterProvider(prev) })
	obs, err := hoardotel.New()
	if err != nil {
		t.Fatal(err)
	}
	obs.Observe(context.Background(), hoard.Event{Kind: hoard.EventHit, Op: "get", Key: "hoard:users:1"})
	if got := points(t, reader)["hoard.cache.hits{hoard.namespace=hoard:users,hoard.operation=get}"]; got != 1 {
		t.Errorf("hits on the global provider = %v, want 1", got)
	}
}
