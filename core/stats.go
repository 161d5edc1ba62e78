package hoard

import (
	"math/rand/v2"
	"sync/atomic"
)

// Stats are a Cache's counters since it was made, shared by its namespace
// views. Read them with [Cache.Stats], for metrics (see the Prometheus
// example in the examples module).
type Stats struct {
	Hits     uint64 // fresh entries served
	Misses   uint64 // lookups that found nothing usable (absent, expired, corrupt, backend down)
	Stores   uint64 // entries written
	Bypasses uint64 // requests not eligible for caching
	Errors   uint64 // backend, codec and loader errors
	Stale    uint64 // served past their freshness on purpose (also counted as hits or misses)
	Refresh  uint64 // background refreshes begun (their failures count as errors)
	// BreakerOpens counts how often the circuit breaker opened.
	BreakerOpens uint64
	// Breaker is the breaker's state now: "closed", "open", "half-open" or
	// "disabled".
	Breaker string
}

// counterStripes spreads the counters over cache lines: a single atomic
// incremented by every hit on every core would be the contended line the
// lock-free hit path avoids.
const counterStripes = 8

type stripe struct {
	n [EventRefresh + 1]atomic.Uint64
	_ [64]byte // keep stripes on separate cache lines
}

type counters struct {
	stripes [counterStripes]stripe
}

func (c *counters) add(k EventKind) { c.addAt(k, rand.Uint32()) }

// addAt counts k on the stripe r picks: r is any random number the caller
// already has.
func (c *counters) addAt(k EventKind, r uint32) {
	if k <= EventRefresh {
		c.stripes[r%counterStripes].n[k].Add(1)
	}
}

func (c *counters) sum(k EventKind) uint64 {
	var total uint64
	for i := range c.stripes {
		total += c.stripes[i].n[k].Load()
	}
	return total
}

// Stats returns the cache's counters.
func (c *Cache) Stats() Stats {
	return Stats{
		Hits:         c.counters.sum(EventHit),
		Misses:       c.counters.sum(EventMiss),
		Stores:       c.counters.sum(EventStore),
		Bypasses:     c.counters.sum(EventBypass),
		Errors:       c.counters.sum(EventError),
		Stale:        c.counters.sum(EventStale),
		Refresh:      c.counters.sum(EventRefresh),
		BreakerOpens: c.counters.sum(EventBreakerOpen),
		Breaker:      c.BreakerState(),
	}
}
