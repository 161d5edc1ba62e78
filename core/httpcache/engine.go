package httpcache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/bridge"
	"github.com/hoard-go/hoard/core/internal/envelope"
)

// Engine caches the responses of one route or middleware in a hoard.Cache.
// It is safe for concurrent use. Adapters hand it each request through
// [Engine.ServeHTTP] (frameworks built on net/http) or [Engine.Serve]
// (frameworks that buffer the response, such as fasthttp); [Engine.Handler]
// is net/http middleware.
type Engine struct {
	cache   bridge.Cache
	cfg     config
	flights flightGroup
	pool    sync.Pool // *exchange
	keyHead string    // "prefix:namespace:", the start of every key
	hot     *hotTable // nil unless the backend drops memos (see hit.go)

	// Facts about the Cache that never change, read once: a hit asks for
	// them every time.
	observed, ownClock, keepKey bool

	statusHit, statusMiss, statusRefresh, statusBypass string
}

// New returns an engine caching in c. Options are checked here: a bad
// option is an error now, never a failure at request time.
func New(c *hoard.Cache, opts ...Option) (*Engine, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: nil Cache", hoard.ErrInvalidOption)
	}
	b := bridge.Of(c)
	cfg := defaultConfig()
	cfg.namespace = b.Namespace()
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil option", hoard.ErrInvalidOption)
		}
		o.apply(&cfg)
	}
	if !cfg.namespaceSet {
		if err := b.NamespaceErr(); err != nil {
			return nil, fmt.Errorf("%w: namespace: %w", hoard.ErrInvalidOption, err)
		}
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Engine{cache: b, cfg: cfg}
	e.keyHead = b.Prefix() + ":" + cfg.namespace + ":"
	e.observed, e.ownClock = b.Observed(), b.OwnClock()
	// Only an in-process backend without an observer is sure not to keep a
	// key past its lookup; everyone else gets a real string.
	e.keepKey = !b.InProcess() || e.observed
	if b.Dropper() != nil && cfg.keyFunc == nil {
		e.hot = newHotTable()
	}
	e.statusHit = cfg.cacheStatusName + "; hit"
	e.statusMiss = cfg.cacheStatusName + "; fwd=uri-miss"
	e.statusRefresh = cfg.cacheStatusName + "; fwd=request"
	e.statusBypass = cfg.cacheStatusName + "; fwd=bypass"
	e.pool.New = func() any {
		x := new(exchange)
		x.visit = x.req.take // bound once: VisitAll gets it without allocating
		x.addField = x.snapshotField
		x.cw.x = x
		return x
	}
	return e, nil
}

// errHandlerPanicked ends a tracer's handler span when the handler panics.
var errHandlerPanicked = errors.New("httpcache: handler panicked")

// outcome is what the engine decided to do with a request.
type outcome uint8

const (
	// pass: not a cacheable method. The handler runs untouched.
	pass outcome = iota
	// bypass: a cacheable method, but this request must not use the cache.
	bypass
	// hit: answered from the cache.
	hit
	// run: a miss. The handler runs, and its response may be stored.
	run
)

// exchange is one request's passage through the engine, from begin to
// release. Exchanges are pooled.
type exchange struct {
	e       *Engine
	outcome outcome
	label   string // X-Cache value
	status  string // Cache-Status value
	key     string
	keyBuf  []byte
	keyView bool // key is a view of keyBuf, valid until release
	head    bool
	req     requestFields
	visit   func(name, value string) // req.take
	rng     uint64                   // see random

	hit hitState // outcome hit

	// outcome run
	run      runState
	preset   []Field                  // fields set before the handler ran (copies)
	snap     []Field                  // the response's fields when committed (views)
	addField func(name, value string) // snapshotField
	cw       captureWriter            // the handler's writer on net/http
}

// begin decides what to do with r. It may block while another request for
// the same key runs the handler; it never blocks longer than ctx allows.
func (e *Engine) begin(ctx context.Context, r *Request) *exchange {
	x := e.pool.Get().(*exchange)
	x.e = e
	switch r.Method {
	case "GET":
	case "HEAD":
		x.head = true
	default:
		x.outcome = pass
		return x
	}
	x.req.read(r.Header, e.cfg.varyBy, x.visit)
	refresh := false
	if e.cfg.requestDirectives {
		if v := x.req.cacheControl; v != "" {
			cc := parseCacheControl(v)
			if cc.noStore {
				return x.bypass(ctx)
			}
			refresh = cc.noCache || cc.maxAge == 0
		} else if v := x.req.pragma; v != "" && containsToken(v, "no-cache") {
			refresh = true
		}
	}
	if !e.cfg.authorization && x.req.authorization != "" {
		return x.bypass(ctx)
	}
	var hotHash uint64
	useHot := e.hot != nil && !refresh && e.hot.eligible(r, &x.req)
	if useHot {
		hotHash = e.hot.hash(r)
		if d := e.hot.find(hotHash, r, x.req.vary); d != nil {
			if now := e.now(r); d.Entry.Expires == 0 || now < d.Entry.Expires {
				return e.serveHot(ctx, x, r, d, now)
			}
		}
	}
	x.keyBuf = e.appendKey(x.keyBuf[:0], r, &x.req)
	x.key, x.keyView = unsafeString(x.keyBuf), true
	if e.keepKey {
		x.ownKey()
	}
	x.outcome = run
	x.label = "MISS"
	if refresh {
		x.ownKey()
		x.status = e.statusRefresh
		x.run.store = !x.head
		return x
	}
	x.status = e.statusMiss
	forgotten := e.flights.forgotten.Load()
	now := e.now(r)
	d, err := e.cache.Lookup(ctx, x.key, now, &x.hit.e)
	if err == nil {
		if useHot && d != nil {
			e.hot.remember(hotHash, r, x.req.vary, d.Memo)
		}
		x.serve(now, d)
		return x
	}
	// A backend that failed the lookup (a timeout, an open breaker) is not
	// waited on again to store the response: a miss costs one operation
	// timeout at most.
	x.run.backendDown = !errors.Is(err, hoard.ErrNotFound)
	if x.head {
		// A HEAD response has no body to store for GETs; the GET that
		// follows fills the entry.
		return x
	}
	x.ownKey() // kept by the flight and the stored entry
	f, leader := e.flights.join(x.key)
	if leader {
		// A leader that finished between our lookup and our join has
		// stored its entry and left the group: look once more rather than
		// run the handler again (only when some flight ended meanwhile).
		if !x.run.backendDown && e.flights.forgotten.Load() != forgotten {
			now := e.cache.Now()
			if raw, d := e.cache.Recheck(ctx, x.key, now, &x.hit.e); raw != nil {
				e.flights.resolve(f, raw)
				e.flights.forget(x.key, f)
				x.serve(now, d)
				return x
			}
		}
		x.run.leader = f
		x.run.store = true
		return x
	}
	select {
	case <-f.done:
		if f.result != nil && envelope.Decode(f.result, &x.hit.e) == nil {
			x.serve(e.cache.Now(), nil)
			return x
		}
		// The leader's response could not be shared: run our own, and
		// store it if it turns out storable.
		x.run.store = true
	case <-ctx.Done():
	}
	return x
}

// now is the current time for r, in Unix nanoseconds.
func (e *Engine) now(r *Request) int64 {
	if !r.Time.IsZero() && !e.ownClock {
		return r.Time.UnixNano()
	}
	return e.cache.Now()
}

func (x *exchange) bypass(ctx context.Context) *exchange {
	x.outcome = bypass
	x.label = "BYPASS"
	x.status = x.e.statusBypass
	x.e.cache.Observe(ctx, bridge.Bypass, "http", "", nil)
	return x
}

// random returns a pseudo-random number from x's own xorshift generator:
// for sampling and spreading counters, where math/rand's per-thread
// ChaCha8 costs a hit more than it needs to. x belongs to one request at a
// time, so its state needs no synchronisation.
func (x *exchange) random() uint32 {
	s := x.rng
	if s == 0 {
		s = rand.Uint64() | 1
	}
	s ^= s << 13
	s ^= s >> 7
	s ^= s << 17
	x.rng = s
	return uint32(s >> 32)
}

// ownKey makes x.key a string of its own once something may keep it.
func (x *exchange) ownKey() {
	if x.keyView {
		x.key, x.keyView = string(x.keyBuf), false
	}
}

// writeStatusHeaders sets X-Cache and Cache-Status on a response that is
// not a hit.
func (x *exchange) writeStatusHeaders(h ResponseHeader) {
	if x.e.cfg.cacheHeader != "" {
		h.Set(x.e.cfg.cacheHeader, x.label)
	}
	h.Set("Cache-Status", x.status)
}

// release returns x to the engine's pool. x must not be used afterwards.
func (x *exchange) release() {
	e := x.e
	if e == nil {
		return
	}
	if x.run.leader != nil {
		// The response was never finished: free the waiters.
		e.flights.resolve(x.run.leader, nil)
		e.flights.forget(x.key, x.run.leader)
	}
	if x.outcome == hit {
		x.hit.reset()
	} else {
		x.run = runState{}
		if cap(x.preset) > 32 {
			x.preset = nil // don't pool what one odd request grew
		}
		clear(x.preset)
		x.preset = x.preset[:0]
		x.cw.reset()
	}
	x.e, x.outcome, x.label, x.status, x.key, x.keyView, x.head = nil, pass, "", "", "", false, false
	x.keyBuf = x.keyBuf[:0]
	e.pool.Put(x)
}
