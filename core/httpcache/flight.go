package httpcache

import (
	"sync"
	"sync/atomic"
)

// flightGroup collapses concurrent misses of one key: the first request
// (the leader) runs the handler, the others wait for its outcome. Unlike
// x/sync/singleflight the leader runs in its own request goroutine (the
// handler must write to its own client) and can give up early: as soon as
// the response turns out not to be storable, the waiters are released to
// run the handler themselves.
type flightGroup struct {
	mu sync.Mutex
	m  map[string]*flight
	// forgotten counts the flights removed from m. A request that missed
	// and then became a leader reads it to learn whether another leader may
	// have stored the entry and left in between.
	forgotten atomic.Uint64
}

type flight struct {
	done   chan struct{}
	result []byte // an encoded envelope; nil when the response was not storable
	failed bool   // the leader's handler failed (set before done is closed)
	// waiters counts the requests waiting on the flight (tests read it).
	waiters atomic.Int32
}

// join returns the flight for key and whether the caller leads it.
func (g *flightGroup) join(key string) (*flight, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if f, ok := g.m[key]; ok {
		return f, false
	}
	if g.m == nil {
		g.m = make(map[string]*flight)
	}
	f := &flight{done: make(chan struct{})}
	g.m[key] = f
	return f, true
}

// resolve hands the outcome to the waiters. The flight stays joinable
// until forget, so requests that arrive while the entry is still being
// written to the backend are served from result too.
func (g *flightGroup) resolve(f *flight, result []byte) {
	f.result = result
	close(f.done)
}

// forget removes the flight once its entry is in the backend (or never
// will be).
func (g *flightGroup) forget(key string, f *flight) {
	g.mu.Lock()
	if g.m[key] == f {
		delete(g.m, key)
		g.forgotten.Add(1)
	}
	g.mu.Unlock()
}
