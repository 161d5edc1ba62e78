package httpcache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/bridge"
	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/memo"
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
	// failures counts the handler's failures in a row (WithGrace).
	failures atomic.Int32
	pool     sync.Pool // *exchange
	keyHead  string    // "prefix:namespace:", the start of every key
	hot      *hotTable // nil unless the backend drops memos (see hit.go)

	// Facts about the Cache that never change, read once: a hit asks for
	// them every time.
	observed, ownClock, keepKey bool

	statusHit, statusStale, statusMiss, statusRefresh, statusRevalidate, statusBypass string
	statusOnlyIfCached, statusSWR                                                     string

	// refreshToken marks the engine's own background refreshes (refresh.go).
	refreshToken string
}

// New returns an engine caching in c. Options are checked here: a bad
// option is an error now, never a failure at request time.
func New(c *hoard.Cache, opts ...Option) (*Engine, error) {
	e, err := configure(c, opts)
	if err != nil {
		return nil, err
	}
	b := e.cache
	e.observed, e.ownClock = b.Observed(), b.OwnClock()
	// Only an in-process backend without an observer is sure not to keep a
	// key past its lookup; everyone else gets a real string.
	e.keepKey = !b.InProcess() || e.observed
	if b.Dropper() != nil && e.cfg.keyFunc == nil {
		e.hot = newHotTable()
	}
	name := e.cfg.cacheStatusName
	e.statusHit = name + "; hit"
	e.statusStale = name + "; hit; detail=stale"
	e.statusMiss = name + "; fwd=uri-miss"
	e.statusRefresh = name + "; fwd=request"
	e.statusRevalidate = name + "; fwd=stale"
	e.statusBypass = name + "; fwd=bypass"
	e.statusOnlyIfCached = name + "; fwd=miss; detail=only-if-cached"
	e.statusSWR = name + "; hit; detail=stale-while-revalidate"
	e.refreshToken = newRefreshToken()
	e.pool.New = func() any {
		x := new(exchange)
		x.visit = x.req.take // bound once: VisitAll gets it without allocating
		x.addField = x.snapshotField
		x.cw.x = x
		return x
	}
	return e, nil
}

// configure returns an engine with its options applied and checked, able
// to build keys (PurgeURL's) but not to serve (New's).
func configure(c *hoard.Cache, opts []Option) (*Engine, error) {
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
	return e, nil
}

// errHandlerPanicked ends a tracer's handler span when the handler panics.
var errHandlerPanicked = errors.New("httpcache: handler panicked")

// outcome is what the engine decided to do with a request.
type outcome uint8

const (
	// pass: not a cacheable method. The handler runs untouched (an unsafe
	// method's success invalidates the URL, see invalidate.go).
	pass outcome = iota
	// bypass: a cacheable method, but this request must not use the cache.
	bypass
	// hit: answered from the cache.
	hit
	// run: a miss, or a revalidation. The handler runs, and its response
	// may be stored.
	run
	// unsatisfiable: only-if-cached with nothing suitable stored: 504,
	// without running the handler.
	unsatisfiable
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
	hdr     RequestHeader            // the request's header, during the request
	visit   func(name, value string) // req.take
	rng     uint64                   // see random

	requestTime int64 // Unix nanoseconds
	rcc         cacheControl
	refresh     bool // the client asked for a validated response
	authorized  bool // a shared cache serving a request with Authorization

	hit hitState // outcome hit

	// outcome run
	ran      bool // the handler ran: run and cw hold this request's state, even if it ends a hit
	run      runState
	preset   []Field                  // fields set before the handler ran (copies)
	snap     []Field                  // the response's fields when committed (views)
	addField func(name, value string) // snapshotField
	cw       captureWriter            // the handler's writer on net/http
	// prev is the stored entry a run revalidates: with validate set, the
	// handler sees a conditional request made of its validators.
	prev     *envelope.Entry
	validate bool
	// vary is the vary record found under the URL's key, for a variant
	// that was not stored.
	vary varyRecord

	// onFailure is what answers the client if the handler fails to
	// replace prev (stale.go): prev served stale, or a 504.
	onFailure failover
	// What can replay the request (refresh.go): the adapter's refresher,
	// or a net/http request's server (or app). refreshKey is the entry a
	// hit served stale must have refreshed, or (background) the entry this
	// request, a replayed refresh, refreshes.
	refresher  Refresher
	app        http.Handler
	hreq       *http.Request
	background bool
	refreshKey string
	staleAt    int64 // when the entry served stale was stored
	failed     bool  // the handler run failed

	// Tags (tags.go): the route's function's, for this request; the
	// request's host, for RFC 9875 cache groups.
	reqTags []string
	host    string

	// outcome pass, for an unsafe method: the keys its success drops.
	invalidate []string
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
	case "OPTIONS", "TRACE":
		x.outcome = pass
		return x
	default:
		return e.unsafeMethod(x, r)
	}
	x.hdr = r.Header
	x.refresher, x.app, x.hreq = r.Refresh, r.app, r.hreq
	x.req.read(r.Header, e.cfg.varyBy, x.visit)
	x.rcc = newCacheControl()
	if e.cfg.requestDirectives {
		if v := x.req.cacheControl; v != "" {
			x.rcc.add(v)
			if x.rcc.noStore {
				return x.bypass(ctx)
			}
			x.refresh = x.rcc.noCache || x.rcc.maxAge == 0
		} else if v := x.req.pragma; v != "" && containsToken(v, "no-cache") {
			x.refresh = true // Pragma counts only without Cache-Control
		}
	}
	if x.req.authorization != "" {
		switch {
		case e.cfg.mode == SharedCache:
			x.authorized = true // RFC 9111 section 3.5 decides per response
		case !e.cfg.authorization:
			return x.bypass(ctx)
		}
	}
	now := e.now(r)
	x.requestTime = now
	var hotHash uint64
	useHot := e.hot != nil && x.req.cacheControl == "" && x.req.pragma == "" && x.req.rangeSpec == "" &&
		!x.authorized && e.hot.eligible(r, &x.req)
	if useHot {
		hotHash = e.hot.hash(r)
		if d := e.hot.find(hotHash, r, x.req.vary); d != nil && usableAsIs(&d.Entry, now) {
			return e.serveHot(ctx, x, r, d, now)
		}
	}
	x.keyBuf = e.appendKey(x.keyBuf[:0], r, &x.req)
	x.key, x.keyView = unsafeString(x.keyBuf), true
	if e.keepKey {
		x.ownKey()
	}
	x.outcome = run
	x.label = "MISS"
	x.status = e.statusMiss
	x.host = r.Host // a view, read while the request lasts
	if x.refresh {
		x.ownKey()
		x.status = e.statusRefresh
	}
	forgotten := e.flights.forgotten.Load()
	d, err := e.cache.Lookup(ctx, x.key, now, &x.hit.e)
	if err == nil {
		ent := &x.hit.e
		if d != nil {
			ent = &d.Entry
		}
		if ent.Kind == envelope.KindVary {
			if d, ent, err = e.lookupVariant(ctx, x, ent, now); err != nil {
				return e.tagged(e.miss(ctx, x, forgotten), r)
			}
		} else if useHot && d != nil {
			if len(d.Entry.Tags) == 0 { // a tagged entry's tags are checked on every read
				e.hot.remember(hotHash, r, x.req.vary, d.Memo)
			}
		}
		return e.tagged(e.decide(ctx, x, d, ent, now, forgotten), r)
	}
	// A backend that failed the lookup (a timeout, an open breaker) is not
	// waited on again to store the response: a miss costs one operation
	// timeout at most.
	x.run.backendDown = !errors.Is(err, hoard.ErrNotFound)
	return e.tagged(e.miss(ctx, x, forgotten), r)
}

// tagged calls the route's tags function for an exchange that will run
// the handler: a hit pays nothing for it.
func (e *Engine) tagged(x *exchange, r *Request) *exchange {
	if e.cfg.tagsFunc != nil && x.outcome != hit {
		x.reqTags = e.cfg.tagsFunc(*r)
	}
	return x
}

// lookupVariant follows a vary record to the variant the request's values
// select. An error is a miss, with x.vary set for the response's store.
func (e *Engine) lookupVariant(ctx context.Context, x *exchange, rec *envelope.Entry, now int64) (*memo.Decoded, *envelope.Entry, error) {
	v, ok := decodeVaryRecord(rec)
	if !ok {
		return nil, nil, hoard.ErrCorrupt
	}
	x.vary = v
	x.ownKey()
	d, err := e.cache.Lookup(ctx, e.variantKey(x.key, v.gen, varyBlock(v.names, x.hdr)), now, &x.hit.e)
	if err != nil {
		return nil, nil, err
	}
	ent := &x.hit.e
	if d != nil {
		ent = &d.Entry
	}
	if ent.Kind != envelope.KindHTTP {
		return nil, nil, hoard.ErrCorrupt
	}
	return d, ent, nil
}

// decide answers x from a stored entry, or revalidates or refetches it
// (RFC 9111 section 4 and the request's directives, section 5.2.1).
func (e *Engine) decide(ctx context.Context, x *exchange, d *memo.Decoded, ent *envelope.Entry, now int64, forgotten uint64) *exchange {
	if x.authorized && ent.Flags&envelope.FlagAuthorized == 0 {
		return e.miss(ctx, x, forgotten) // RFC 9111 section 3.5: not for this request
	}
	st := stateAt(ent, now)
	usable := st.fresh && ent.Flags&envelope.FlagNoCache == 0
	if usable && x.refresh && ent.Flags&envelope.FlagImmutable == 0 {
		usable = false // a reload validates what is not immutable
	}
	if x.rcc.maxAge > 0 && st.age > x.rcc.maxAge || x.rcc.minFresh >= 0 && (!st.fresh || st.left < x.rcc.minFresh) {
		usable = false
	}
	if usable {
		x.serve(now, d, ent, false)
		return x
	}
	if !x.refresh && !x.head && x.rcc.maxAge < 0 && x.rcc.minFresh < 0 &&
		mayServeStale(ent, st, ent.StaleWhileRevalidate) && x.canRefresh() {
		// stale-while-revalidate: serve it now, refresh it in the
		// background, unless this is that refresh.
		if x.hdr.Get(refreshField) != e.refreshToken {
			x.label, x.status = "STALE", e.statusSWR
			x.serveAs(now, d, ent, true)
			x.refreshKey, x.staleAt = string(ent.Key), ent.Created
			e.cache.Observe(ctx, bridge.Stale, "http", x.key, nil)
			return x
		}
		x.background, x.refreshKey = true, string(ent.Key)
		if set, ok := x.hdr.(headerSetter); ok {
			set.Del(refreshField) // the handler sees the client's request
		}
	}
	if !st.fresh && ent.Flags&neverStale == 0 && !x.refresh &&
		(x.rcc.maxStaleAny || x.rcc.maxStale >= 0 && st.staleFor <= x.rcc.maxStale) &&
		(x.rcc.maxAge < 0 || st.age <= x.rcc.maxAge) {
		x.serve(now, d, ent, true) // the client accepts it stale
		e.cache.Observe(ctx, bridge.Stale, "http", x.key, nil)
		return x
	}
	if x.rcc.onlyIfCached {
		return x.unsatisfiable()
	}
	x.prev = ent
	switch {
	case x.head:
	case mayServeStale(ent, st, max(ent.StaleIfError, e.graceWindow())):
		x.onFailure = failoverStale
	case !st.fresh && ent.Flags&envelope.FlagMustRevalidate != 0:
		x.onFailure = failoverGateway // RFC 9111 section 4.2.4
	}
	_, conditional := x.hdr.(headerSetter) // else the request cannot be made conditional
	x.validate = conditional && hasValidator(ent) && !x.head
	if !x.refresh {
		x.status = e.statusRevalidate
	}
	return e.miss(ctx, x, forgotten)
}

// hasValidator reports whether ent can be revalidated: an ETag of the
// origin's, or a Last-Modified date.
func hasValidator(ent *envelope.Entry) bool {
	return len(ent.ETag) > 0 && ent.Flags&envelope.FlagOwnETag == 0 || storedHeader(ent, "Last-Modified") != ""
}

// usableAsIs reports whether ent answers a plain request (no directives)
// without validation.
func usableAsIs(ent *envelope.Entry, now int64) bool {
	return (ent.FreshUntil == 0 || now < ent.FreshUntil) && ent.Flags&envelope.FlagNoCache == 0
}

// miss runs the handler for x, or waits for the request that runs it for
// the same key.
func (e *Engine) miss(ctx context.Context, x *exchange, forgotten uint64) *exchange {
	x.outcome = run
	if x.rcc.onlyIfCached {
		return x.unsatisfiable()
	}
	if x.head {
		// A HEAD response has no body to store for GETs; the GET that
		// follows fills the entry.
		return x
	}
	x.ownKey() // kept by the flight and the stored entry
	if x.refresh {
		x.run.store = true // a client's reload waits for no one
		return x
	}
	f, leader := e.flights.join(x.key)
	if leader {
		// A leader that finished between our lookup and our join has
		// stored its entry and left the group: look once more rather than
		// run the handler again (only when some flight ended meanwhile).
		if x.prev == nil && x.vary.gen == 0 && !x.run.backendDown && e.flights.forgotten.Load() != forgotten {
			now := e.cache.Now()
			if raw, d := e.cache.Recheck(ctx, x.key, now, &x.hit.e); raw != nil && (d != nil && d.Entry.Kind == envelope.KindHTTP || d == nil && x.hit.e.Kind == envelope.KindHTTP) {
				e.flights.resolve(f, raw)
				e.flights.forget(x.key, f)
				ent := &x.hit.e
				if d != nil {
					ent = &d.Entry
				}
				x.serve(now, d, ent, false)
				return x
			}
		}
		x.run.leader = f
		x.run.store = true
		return x
	}
	f.waiters.Add(1)
	select {
	case <-f.done:
		if f.result != nil && envelope.Decode(f.result, &x.hit.e) == nil && x.hit.e.Kind == envelope.KindHTTP &&
			(len(x.hit.e.Vary) == 0 || sameVary(x.hit.e.Vary, x.hdr)) {
			x.prev = nil
			x.serve(e.cache.Now(), nil, &x.hit.e, false)
			return x
		}
		if f.failed && x.onFailure != failoverNone {
			// The leader's handler failed: no use failing again.
			x.answerFailure(ctx, 0)
			return x
		}
		// The leader's response could not be shared (not storable, or a
		// variant for other request values): run our own, and store it if
		// it turns out storable.
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

func (x *exchange) unsatisfiable() *exchange {
	x.outcome = unsatisfiable
	x.label = "MISS"
	x.status = x.e.statusOnlyIfCached
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
	if x.background { // before x.hit, where prev may be, is reset
		var lifetime time.Duration
		if x.prev != nil {
			lifetime = time.Duration(x.prev.FreshUntil - x.prev.Created)
		}
		e.cache.EndRefresh(x.refreshKey, x.failed, lifetime)
	}
	if x.run.leader != nil {
		// The response was never finished: free the waiters.
		e.flights.resolve(x.run.leader, nil)
		e.flights.forget(x.key, x.run.leader)
	}
	x.hit.reset()
	if x.ran || x.outcome != hit {
		x.ran = false
		x.run = runState{}
		if cap(x.preset) > 32 {
			x.preset = nil // don't pool what one odd request grew
		}
		clear(x.preset)
		x.preset = x.preset[:0]
		x.cw.reset()
	}
	x.prev, x.validate, x.onFailure, x.vary, x.invalidate = nil, false, failoverNone, varyRecord{}, nil
	x.refresher, x.app, x.hreq, x.background, x.refreshKey, x.staleAt, x.failed = nil, nil, nil, false, "", 0, false
	x.hdr, x.refresh, x.authorized = nil, false, false
	x.reqTags, x.host = nil, ""
	x.e, x.outcome, x.label, x.status, x.key, x.keyView, x.head = nil, pass, "", "", "", false, false
	x.keyBuf = x.keyBuf[:0]
	e.pool.Put(x)
}
