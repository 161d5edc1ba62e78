// Package hoardotel reports what a hoard Cache does to OpenTelemetry:
// metrics for its events and spans around its backend operations and
// handler runs. It is a module of its own, so hoard's core has no
// OpenTelemetry dependency.
//
//	obs, err := hoardotel.New(hoardotel.WithBackendName("redis"))
//	c, err := hoard.New(store, hoard.WithObserver(obs))
//
// [New] uses the global meter and tracer providers (otel.SetMeterProvider,
// otel.SetTracerProvider) unless [WithMeterProvider] or
// [WithTracerProvider] name others.
//
// Metrics (instrumentation scope [ScopeName]), all with the attributes
// hoard.operation, hoard.namespace (the key's "prefix:namespace", as
// hoard.KeyNamespace returns it) and hoard.backend when named:
//
//	hoard.cache.hits                   counter    {hit}
//	hoard.cache.misses                 counter    {miss}    error.type when a failure made it a miss
//	hoard.cache.stores                 counter    {store}
//	hoard.cache.bypasses               counter    {bypass}
//	hoard.cache.errors                 counter    {error}   error.type
//	hoard.cache.breaker.opens          counter    {open}
//	hoard.cache.breaker.closes         counter    {close}
//	hoard.cache.stale                  counter    {stale}   served past freshness on purpose; also a hit or miss
//	hoard.cache.refreshes              counter    {refresh} background refreshes begun; failures count as errors
//	hoard.backend.operation.duration   histogram  s         hoard.outcome (hit, miss, store, error)
//
// hoard.operation is hoard.Event.Op: get (get-local for a hit a tiered
// backend's local tier answered), set, delete, clear, invalidate, load,
// encode, decode, http (the HTTP engine's stale responses, bypasses and
// refreshes begun; its hits are get), handler (an HTTP handler that
// failed, on the errors counter) or refresh (an HTTP background refresh
// that panicked, on the errors counter).
//
// The histogram records hoard.Event.Duration, the time of the backend call
// behind a hit, miss, store or error; a hit answered without a backend
// call (the HTTP engine's in-process fast path) is counted but not timed.
// error.type is "timeout", "canceled", "unavailable" (the circuit breaker
// is open), "too_large" or "_OTHER".
//
// Spans (kind internal) are named hoard.get, hoard.set, hoard.delete,
// hoard.clear, hoard.invalidate and, around an HTTP handler run on a
// miss, hoard.handler.
// A miss is not an error; any other failure sets the span's status to
// Error and records the error.
//
// The Observer runs on the request path: counters use attribute sets
// prepared once per combination, so an event costs no allocation beyond
// what the OpenTelemetry SDK does.
package hoardotel
