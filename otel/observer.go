package hoardotel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	hoard "github.com/hoard-go/hoard/core"
)

// ScopeName is the instrumentation scope of hoard's meter and tracer.
const ScopeName = "github.com/hoard-go/hoard/otel"

// Attribute keys on hoard's metrics and spans.
const (
	// AttrNamespace is the entry's "prefix:namespace" (hoard.KeyNamespace
	// of its key), e.g. "hoard:products".
	AttrNamespace = attribute.Key("hoard.namespace")
	// AttrOperation is what the Cache did (hoard.Event.Op): "get",
	// "get-local", "set", "delete", "clear", "invalidate", "load",
	// "encode", "decode", "http", "handler" (spans, and a failed HTTP
	// handler's error) or "refresh" (a panicked HTTP background refresh's
	// error).
	AttrOperation = attribute.Key("hoard.operation")
	// AttrOutcome is the result a duration is recorded under: "hit",
	// "miss", "store" or "error".
	AttrOutcome = attribute.Key("hoard.outcome")
	// AttrBackend is the name given with [WithBackendName].
	AttrBackend = attribute.Key("hoard.backend")
	// AttrErrorType is the OpenTelemetry error.type: "timeout",
	// "canceled", "unavailable" (the circuit breaker is open),
	// "too_large", or "_OTHER".
	AttrErrorType = attribute.Key("error.type")
)

// Metric names.
const (
	MetricHits          = "hoard.cache.hits"
	MetricMisses        = "hoard.cache.misses"
	MetricStores        = "hoard.cache.stores"
	MetricBypasses      = "hoard.cache.bypasses"
	MetricErrors        = "hoard.cache.errors"
	MetricBreakerOpens  = "hoard.cache.breaker.opens"
	MetricBreakerCloses = "hoard.cache.breaker.closes"
	MetricStale         = "hoard.cache.stale"
	MetricRefreshes     = "hoard.cache.refreshes"
	MetricDuration      = "hoard.backend.operation.duration"
)

// durationBuckets are the histogram's bounds in seconds: from an
// in-process store's microseconds to a remote store's timeouts.
var durationBuckets = []float64{
	0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
	0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
}

// maxAttrSets bounds the cache of prepared attribute sets; past it (a
// program with thousands of namespaces) sets are built per event.
const maxAttrSets = 1024

// Observer is a hoard.Observer and hoard.Tracer that records hoard's
// events as OpenTelemetry metrics and runs backend operations and handler
// runs in spans. Give it to hoard.New with hoard.WithObserver. It is safe
// for concurrent use.
type Observer struct {
	tracer trace.Tracer
	base   []attribute.KeyValue // the backend name, if any

	counters [hoard.EventRefresh + 1]metric.Int64Counter
	duration metric.Float64Histogram

	mu   sync.Mutex                // serialises writers of sets
	sets atomic.Pointer[setsByKey] // read without a lock: copied on write
}

var (
	_ hoard.Observer = (*Observer)(nil)
	_ hoard.Tracer   = (*Observer)(nil)
)

// setKey names one prepared attribute set: a counter's, or with duration
// the histogram's (which carries the outcome).
type setKey struct {
	kind          hoard.EventKind
	duration      bool
	op, ns, errTy string
}

// prepared is an attribute set as the instruments take it: slices made
// once, so passing them allocates nothing.
type prepared struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

type setsByKey map[setKey]prepared

// New returns an Observer using the global meter and tracer providers
// unless options name others.
func New(opts ...Option) (*Observer, error) {
	cfg := newConfig(opts)
	meter := cfg.meterProvider.Meter(ScopeName)
	o := &Observer{tracer: cfg.tracerProvider.Tracer(ScopeName)}
	if cfg.backend != "" {
		o.base = []attribute.KeyValue{AttrBackend.String(cfg.backend)}
	}
	for _, c := range []struct {
		kind             hoard.EventKind
		name, unit, desc string
	}{
		{hoard.EventHit, MetricHits, "{hit}", "Lookups answered from the cache."},
		{hoard.EventMiss, MetricMisses, "{miss}", "Lookups that found no usable entry, including those a backend failure turned into a miss (error.type set)."},
		{hoard.EventStore, MetricStores, "{store}", "Values and responses written to the backend."},
		{hoard.EventBypass, MetricBypasses, "{bypass}", "Requests not eligible for caching, passed straight to the handler or loader."},
		{hoard.EventError, MetricErrors, "{error}", "Backend, codec and loader errors."},
		{hoard.EventBreakerOpen, MetricBreakerOpens, "{open}", "Times the circuit breaker stopped calling the backend."},
		{hoard.EventBreakerClose, MetricBreakerCloses, "{close}", "Times the circuit breaker closed again after a successful probe."},
		{hoard.EventRefresh, MetricRefreshes, "{refresh}", "Background refreshes begun (stale-while-revalidate, early refresh); their failures count as errors."},
		{hoard.EventStale, MetricStale, "{stale}", "Values and responses served past their freshness on purpose (stale-while-revalidate, stale-if-error, max-stale); also counted as hits or misses."},
	} {
		ctr, err := meter.Int64Counter(c.name, metric.WithUnit(c.unit), metric.WithDescription(c.desc))
		if err != nil {
			return nil, fmt.Errorf("hoardotel: counter %s: %w", c.name, err)
		}
		o.counters[c.kind] = ctr
	}
	h, err := meter.Float64Histogram(MetricDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of the backend operations behind hits, misses, stores and errors."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		return nil, fmt.Errorf("hoardotel: histogram %s: %w", MetricDuration, err)
	}
	o.duration = h
	o.sets.Store(&setsByKey{})
	return o, nil
}

// Observe records ev: one on the counter of its kind and, when a backend
// call is behind it (Duration > 0), its duration in seconds.
func (o *Observer) Observe(ctx context.Context, ev hoard.Event) {
	if int(ev.Kind) >= len(o.counters) || o.counters[ev.Kind] == nil {
		return
	}
	ns, _ := hoard.KeyNamespace(ev.Key)
	errTy := ""
	if ev.Err != nil && (ev.Kind == hoard.EventError || ev.Kind == hoard.EventMiss) {
		errTy = errorType(ev.Err)
	}
	o.counters[ev.Kind].Add(ctx, 1, o.set(setKey{kind: ev.Kind, op: ev.Op, ns: ns, errTy: errTy}).add...)
	if ev.Duration > 0 {
		switch ev.Kind {
		case hoard.EventHit, hoard.EventMiss, hoard.EventStore, hoard.EventError:
			o.duration.Record(ctx, ev.Duration.Seconds(), o.set(setKey{kind: ev.Kind, duration: true, op: ev.Op, ns: ns, errTy: errTy}).rec...)
		}
	}
}

// set returns the prepared attributes for k, building and keeping them on
// first use.
func (o *Observer) set(k setKey) prepared {
	if p, ok := (*o.sets.Load())[k]; ok {
		return p
	}
	opt := metric.WithAttributeSet(o.attributes(k))
	p := prepared{add: []metric.AddOption{opt}, rec: []metric.RecordOption{opt}}
	o.mu.Lock()
	defer o.mu.Unlock()
	old := *o.sets.Load()
	if len(old) >= maxAttrSets {
		return p
	}
	k.op, k.ns, k.errTy = strings.Clone(k.op), strings.Clone(k.ns), strings.Clone(k.errTy)
	next := make(setsByKey, len(old)+1)
	for kk, v := range old {
		next[kk] = v
	}
	next[k] = p
	o.sets.Store(&next)
	return p
}

func (o *Observer) attributes(k setKey) attribute.Set {
	kv := append(make([]attribute.KeyValue, 0, 5), o.base...)
	if k.op != "" {
		kv = append(kv, AttrOperation.String(k.op))
	}
	if k.ns != "" {
		kv = append(kv, AttrNamespace.String(k.ns))
	}
	if k.duration {
		kv = append(kv, AttrOutcome.String(k.kind.String()))
	}
	if k.errTy != "" {
		kv = append(kv, AttrErrorType.String(k.errTy))
	}
	return attribute.NewSet(kv...)
}

// Trace starts a span of kind internal named "hoard.<op>" (hoard.get,
// hoard.set, hoard.delete, hoard.clear, hoard.invalidate, hoard.handler) as a child of
// ctx's span. The span ends when the Cache calls the returned function;
// an error other than a miss (hoard.ErrNotFound) sets its status to Error
// and is recorded on it.
func (o *Observer) Trace(ctx context.Context, op, key string) (context.Context, func(error)) {
	attrs := append(make([]attribute.KeyValue, 0, 3), o.base...)
	attrs = append(attrs, AttrOperation.String(op))
	if ns, ok := hoard.KeyNamespace(key); ok {
		attrs = append(attrs, AttrNamespace.String(ns))
	}
	ctx, span := o.tracer.Start(ctx, spanName(op), trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	if !span.IsRecording() {
		return ctx, func(error) { span.End() }
	}
	return ctx, func(err error) {
		if err != nil && !errors.Is(err, hoard.ErrNotFound) {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
			span.SetAttributes(AttrErrorType.String(errorType(err)))
		}
		span.End()
	}
}

// spanName is "hoard.<op>", without building the common ones.
func spanName(op string) string {
	switch op {
	case "get":
		return "hoard.get"
	case "set":
		return "hoard.set"
	case "delete":
		return "hoard.delete"
	case "clear":
		return "hoard.clear"
	case "handler":
		return "hoard.handler"
	}
	return "hoard." + op
}

// errorType classifies err for the error.type attribute, with few values.
func errorType(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, hoard.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, hoard.ErrTooLarge):
		return "too_large"
	}
	return "_OTHER"
}
