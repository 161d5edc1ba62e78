package hoard

import (
	"context"
	"time"
)

// EventKind says what happened in an [Event].
type EventKind uint8

const (
	// EventHit: a fresh entry was found and served.
	EventHit EventKind = iota + 1
	// EventMiss: no usable entry (absent, expired, corrupt, or the backend
	// failed and the cache failed open).
	EventMiss
	// EventStore: a value or response was written to the backend.
	EventStore
	// EventError: a backend, codec or loader error. Err says which.
	EventError
	// EventBypass: the request was not eligible for caching and went
	// straight to the handler or loader.
	EventBypass
	// EventBreakerOpen: the circuit breaker stopped calling the backend.
	EventBreakerOpen
	// EventBreakerClose: a probe succeeded and the backend is used again.
	EventBreakerClose
	// EventStale: a value or response was served past its freshness on
	// purpose (stale-while-revalidate, stale-if-error, a client's
	// max-stale). It is reported besides its lookup's hit or miss.
	EventStale
	// EventRefresh: a background refresh began (stale-while-revalidate,
	// early refresh); its failure is an EventError.
	EventRefresh
)

var eventNames = [...]string{
	EventHit: "hit", EventMiss: "miss", EventStore: "store", EventError: "error",
	EventBypass: "bypass", EventBreakerOpen: "breaker_open", EventBreakerClose: "breaker_close",
	EventStale: "stale", EventRefresh: "refresh",
}

func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "unknown"
}

// Event is one thing the cache did, reported to the [Observer].
type Event struct {
	Kind EventKind
	// Op is the operation: "get" ("get-local" for a hit a backend's local
	// tier answered, see package tiered), "set", "delete", "clear",
	// "invalidate", "load", "encode", "decode", "handler", "http", or
	// "refresh" (a background HTTP refresh whose replay panicked).
	Op string
	// Key is the backend key, when there is one.
	Key string
	// Err is the cause for EventError, and for EventMiss when a failure
	// (not an absent key) made it a miss.
	Err error
	// Duration is how long the backend operation behind the event took:
	// the lookup of a hit or miss ("get"), the write of a store ("set"),
	// the failed operation of an error. It is 0 for events no backend call
	// is behind (a hit answered from the HTTP engine's hot table, a
	// bypass).
	Duration time.Duration
}

// Observer receives every [Event]. It is called synchronously on the
// request path: keep it fast and never block.
type Observer interface {
	Observe(ctx context.Context, ev Event)
}

// Tracer is an optional interface of an [Observer] that runs operations in
// spans of its own (OpenTelemetry's, say). Trace is called as a backend
// operation begins (op "get", "set", "delete", "clear"; key is the backend
// key) and, on an HTTP miss, as the handler runs (op "handler"; key is the
// entry's key); it returns the context the operation runs with and a
// function the Cache calls when the operation ends, with its error.
type Tracer interface {
	Trace(ctx context.Context, op, key string) (context.Context, func(err error))
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(ctx context.Context, ev Event)

// Observe calls f.
func (f ObserverFunc) Observe(ctx context.Context, ev Event) { f(ctx, ev) }
