package hoard

import (
	"sync/atomic"
	"time"
)

// breaker is a consecutive-failure circuit breaker. It is lock-free because
// it sits on every cache hit: a mutex here is the global lock on every hit
// that Fiber's cache was criticised for (and what gobreaker takes per call).
//
// Closed: calls go through; threshold consecutive failures open it.
// Open: calls fail fast with ErrUnavailable until the cool-down ends.
// Half-open: one caller probes the backend; success closes the breaker,
// failure opens it for another cool-down.
type breaker struct {
	threshold uint32
	cooldown  time.Duration
	now       func() time.Time

	failures  atomic.Uint32
	openUntil atomic.Int64 // unix ns; 0 = closed
	probing   atomic.Bool
}

// allow reports whether a call may go to the backend, and whether it is the
// half-open probe.
func (b *breaker) allow() (ok, probe bool) {
	until := b.openUntil.Load()
	if until == 0 {
		return true, false
	}
	if b.now().UnixNano() < until {
		return false, false
	}
	if b.probing.CompareAndSwap(false, true) {
		return true, true
	}
	return false, false
}

// success records a call that reached the backend and worked. It reports
// whether the breaker closed.
func (b *breaker) success(probe bool) (closed bool) {
	if b.failures.Load() != 0 {
		b.failures.Store(0)
	}
	if probe {
		b.openUntil.Store(0)
		b.probing.Store(false)
		return true
	}
	return false
}

// failure records a backend failure. It reports whether the breaker opened.
func (b *breaker) failure(probe bool) (opened bool) {
	n := b.failures.Add(1)
	if probe {
		b.openUntil.Store(b.now().Add(b.cooldown).UnixNano())
		b.probing.Store(false)
		return false // it was already open
	}
	if n >= b.threshold {
		return b.openUntil.CompareAndSwap(0, b.now().Add(b.cooldown).UnixNano())
	}
	return false
}

// state returns "closed", "open" or "half-open".
func (b *breaker) state() string {
	until := b.openUntil.Load()
	switch {
	case until == 0:
		return "closed"
	case b.now().UnixNano() < until:
		return "open"
	default:
		return "half-open"
	}
}
