package hoard

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// Request is the engine's view of an incoming HTTP request. Adapters fill
// it from their framework's request; the engine reads it only during
// [HTTP.Begin], so it may hold the framework's reused buffers.
type Request struct {
	Method string
	// Host is the request's Host (never X-Forwarded-Host: an unkeyed,
	// client-controlled header must not pick the entry).
	Host string
	// Path is the escaped path, as sent.
	Path string
	// RawQuery is the query without '?', as sent.
	RawQuery string
	Header   RequestHeader
	// Time is when the request arrived, if the framework already read the
	// clock for it (fasthttp does, for every request). On the default
	// clock, the engine takes it as the current time rather than read the
	// clock again; when it is zero, or the Cache has a clock of its own
	// (WithClock), the engine reads the clock.
	Time time.Time
}

// RequestHeader reads request header fields; http.Header implements it.
// The engine always asks for canonical names ("Cache-Control",
// "If-None-Match"), so an implementation may skip canonicalisation.
type RequestHeader interface {
	Get(name string) string
}

// ResponseHeader is the engine's view of the response header, before it is
// sent. Names are canonical (http.CanonicalHeaderKey).
type ResponseHeader interface {
	Get(name string) string
	Values(name string) []string
	Set(name, value string)
	Add(name, value string)
	Del(name string)
	// Range calls fn for every name and value.
	Range(fn func(name, value string))
}

// Action tells an adapter what to do with a request.
type Action uint8

const (
	// ActionPass: not a cacheable method. Run the handler untouched.
	ActionPass Action = iota
	// ActionBypass: cacheable method, but this request must not use the
	// cache. Call [Exchange.Prepare], then run the handler directly.
	ActionBypass
	// ActionServe: answer from the cache. Call [Exchange.WriteHeaders],
	// then write [Exchange.Status] and [Exchange.Body] ([Exchange.WriteHit]
	// does all three on a net/http ResponseWriter).
	ActionServe
	// ActionRun: a miss. Call [Exchange.Prepare], run the handler through
	// a writer that calls [Exchange.Commit] before the status is sent and
	// [Exchange.Capture] for each body write, then [Exchange.Finish] (or
	// [Exchange.Abort] if the handler failed).
	ActionRun
)

// HTTP is the framework-neutral HTTP caching engine: adapters hand it each
// request and follow its decision. All policy lives here: key, freshness,
// conditional requests, what may be stored, TTL and every header hoard
// sends.
type HTTP struct {
	cache   *Cache // the route's namespace view
	cfg     httpConfig
	flights flightGroup
	pool    sync.Pool
	keyHead string    // "prefix:namespace:", the start of every key
	hot     *hotTable // nil unless the backend drops memos (see http_hot.go)

	statusHit, statusMiss, statusRefresh, statusBypass string
}

// NewHTTP returns an engine for one route or middleware. Options are
// checked here.
func NewHTTP(c *Cache, opts ...HTTPOption) (*HTTP, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: nil Cache", ErrInvalidOption)
	}
	cfg := httpConfig{
		namespace:          c.namespace,
		maxBody:            DefaultMaxBodySize,
		clientCacheControl: true,
		cacheHeader:        "X-Cache",
		cacheStatusName:    "hoard",
	}
	for _, code := range DefaultStatuses {
		cfg.statuses[code] = true
	}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("%w: nil HTTP option", ErrInvalidOption)
		}
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	h := &HTTP{cache: c.Namespace(cfg.namespace), cfg: cfg}
	h.keyHead = c.cfg.prefix + ":" + cfg.namespace + ":"
	if c.droppers != nil && cfg.keyFunc == nil {
		h.hot = newHotTable()
	}
	h.statusHit = cfg.cacheStatusName + "; hit"
	h.statusMiss = cfg.cacheStatusName + "; fwd=uri-miss"
	h.statusRefresh = cfg.cacheStatusName + "; fwd=request"
	h.statusBypass = cfg.cacheStatusName + "; fwd=bypass"
	h.pool.New = func() any {
		x := new(Exchange)
		x.visit = x.req.take // bound once: VisitAll gets it without allocating
		return x
	}
	return h, nil
}

// Exchange is one request's passage through the engine. Get it from
// [HTTP.Begin]; call [Exchange.Release] when the response is done.
type Exchange struct {
	h       *HTTP
	action  Action
	label   string // X-Cache value
	status  string // Cache-Status value
	key     string
	keyBuf  []byte
	keyView bool // key is a view of keyBuf, valid until Release
	head    bool
	req     requestFields
	visit   func(name, value string) // req.take
	rng     uint64                   // see random

	// ActionServe
	e            entry  // the entry, when decoded for this request
	ent          *entry // the entry served: &e, or a memo's
	notModified  bool
	fields       []HeaderField
	sharedFields bool            // fields are a plan's, not in fieldBuf
	fieldBuf     [16]HeaderField // backs fields when they are this hit's own

	// ActionRun
	preset map[string][]string // response headers set before the handler ran
	runState
}

// runState is what an ActionRun exchange learns about the handler's
// response.
type runState struct {
	store     bool
	leader    *flight
	committed bool
	code      int
	ttl       time.Duration
	etag      string
	headers   []byte
	body      []byte
}

// Begin decides what to do with r. It may block while another request for
// the same key runs the handler; it never blocks longer than ctx allows.
func (h *HTTP) Begin(ctx context.Context, r *Request) *Exchange {
	x := h.pool.Get().(*Exchange)
	x.h = h
	switch r.Method {
	case "GET":
	case "HEAD":
		x.head = true
	default:
		x.action = ActionPass
		return x
	}
	x.req.read(r.Header, h.cfg.varyBy, x.visit)
	refresh := false
	if !h.cfg.ignoreClient {
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
	if !h.cfg.allowAuthorization && x.req.authorization != "" {
		return x.bypass(ctx)
	}
	var hot uint64
	useHot := h.hot != nil && !refresh && h.hot.eligible(r, &x.req)
	if useHot {
		hot = h.hot.hash(r)
		if d := h.hot.find(hot, r, x.req.vary); d != nil {
			if now := h.now(r); d.e.expires == 0 || now < d.e.expires {
				return h.serveHot(ctx, x, r, d, now)
			}
		}
	}
	x.keyBuf = h.appendKey(x.keyBuf[:0], r, &x.req)
	x.key, x.keyView = unsafeString(x.keyBuf), true
	if !h.cache.inProcess || h.cache.cfg.observer != nil {
		// Only an in-process backend without an observer is sure not to
		// keep the key past Get; everyone else gets a real string.
		x.ownKey()
	}
	x.action = ActionRun
	x.label = "MISS"
	if refresh {
		x.ownKey()
		x.status = h.statusRefresh
		x.store = !x.head
		return x
	}
	x.status = h.statusMiss
	forgotten := h.flights.forgotten.Load()
	now := h.now(r)
	if d, err := h.cache.lookupAt(ctx, x.key, kindHTTP, &x.e, now); err == nil {
		if useHot && d != nil {
			h.hot.remember(hot, r, x.req.vary, d.memo)
		}
		x.serve(now, d)
		return x
	}
	if x.head {
		// A HEAD response has no body to store for GETs; the GET that
		// follows fills the entry.
		return x
	}
	x.ownKey() // kept by the flight and the stored entry
	f, leader := h.flights.join(x.key)
	if leader {
		// A leader that finished between our lookup and our join has
		// stored its entry and left the group: look once more rather than
		// run the handler again (only when some flight ended meanwhile).
		if h.flights.forgotten.Load() != forgotten {
			now := h.cache.cfg.now().UnixNano()
			if raw, d := h.cache.recheck(ctx, x.key, kindHTTP, &x.e, now); raw != nil {
				h.flights.resolve(f, raw)
				h.flights.forget(x.key, f)
				x.serve(now, d)
				return x
			}
		}
		x.leader = f
		x.store = true
		return x
	}
	select {
	case <-f.done:
		if f.result != nil && decodeEntry(f.result, &x.e) == nil {
			x.serve(h.cache.cfg.now().UnixNano(), nil)
			return x
		}
		// The leader's response could not be shared: run our own, and
		// store it if it turns out storable.
		x.store = true
	case <-ctx.Done():
	}
	return x
}

// now is the current time for r, in Unix nanoseconds.
func (h *HTTP) now(r *Request) int64 {
	if !r.Time.IsZero() && !h.cache.cfg.ownClock {
		return r.Time.UnixNano()
	}
	return h.cache.cfg.now().UnixNano()
}

// serveHot answers x from d, found in the hot table: a hit like any other
// (counted, observed, and now and then reported to the backend's eviction
// policy), without a backend call. The key is built only when something
// needs it.
func (h *HTTP) serveHot(ctx context.Context, x *Exchange, r *Request, d *decoded, now int64) *Exchange {
	rnd := x.random()
	touch := rnd%hotTouchSample == 0
	observed := h.cache.cfg.observer != nil
	if touch || observed {
		x.keyBuf = h.appendKey(x.keyBuf[:0], r, &x.req)
		x.key, x.keyView = unsafeString(x.keyBuf), true
	}
	if touch {
		h.cache.droppers.Touch(x.key)
	}
	if observed {
		x.ownKey() // an observer may keep it
		h.cache.observe(ctx, Event{Kind: EventHit, Op: "get", Key: x.key})
	} else {
		h.cache.counters.addAt(EventHit, rnd>>8) // observe's count, with the number we have
	}
	x.serve(now, d)
	return x
}

// random returns a pseudo-random number from x's own xorshift generator:
// for sampling and spreading counters, where math/rand's per-thread
// ChaCha8 costs a hit more than it needs to. x belongs to one request at a
// time, so its state needs no synchronisation.
func (x *Exchange) random() uint32 {
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
func (x *Exchange) ownKey() {
	if x.keyView {
		x.key, x.keyView = string(x.keyBuf), false
	}
}

func (x *Exchange) bypass(ctx context.Context) *Exchange {
	x.action = ActionBypass
	x.label = "BYPASS"
	x.status = x.h.statusBypass
	x.h.cache.observe(ctx, Event{Kind: EventBypass, Op: "http"})
	return x
}

// serve prepares a hit: conditional request evaluation, then the
// response header fields, from the entry's memo d when the backend keeps
// one.
func (x *Exchange) serve(now int64, d *decoded) {
	x.action = ActionServe
	x.label = "HIT"
	x.status = x.h.statusHit
	x.ent = &x.e
	if d != nil {
		x.ent = &d.e // the same entry, without copying it
	}
	if inm := x.req.ifNoneMatch; inm != "" {
		x.notModified = etagMatches(inm, unsafeString(x.ent.etag))
	} else if ims := x.req.ifModifiedSince; ims != "" {
		x.notModified = notModifiedSince(ims, x.storedHeader("Last-Modified"))
	}
	age := max(0, (now-x.ent.created)/int64(time.Second))
	if d == nil || x.notModified {
		x.fields, _ = x.h.appendHitFields(x.fieldBuf[:0], x.ent, x.notModified, age)
		return
	}
	p := d.plan.Load()
	if p == nil || p.h != x.h {
		p = x.h.newHitPlan(&d.e)
		d.plan.Store(p)
	}
	x.fields = p.forAge(age)
	x.sharedFields = true
}

// notModifiedHeaders are the stored fields a 304 repeats (RFC 9110 section
// 15.4.5), besides ETag and hoard's own.
var notModifiedHeaders = [...]string{"Cache-Control", "Content-Location", "Expires", "Vary", "Last-Modified"}

// ownHitFields is how many fields a hit adds to the stored ones at most:
// ETag, Age, Content-Length, Cache-Control, X-Cache and Cache-Status.
const ownHitFields = 6

// appendHitFields lists the header of a hit (or 304) on e: the stored
// fields, ETag, Content-Length, Age, hoard's status headers, and a
// Cache-Control max-age of the entry's TTL when the handler set none.
// Stored names and values are views of the entry's bytes; the numbers
// share one string. It returns the index of Age.
func (h *HTTP) appendHitFields(fields []HeaderField, e *entry, notModified bool, age int64) ([]HeaderField, int) {
	hasCC := false
	r := reader{b: e.header}
	for len(r.b) > 0 {
		name, value := unsafeString(r.bytes()), unsafeString(r.bytes())
		if name == "Cache-Control" {
			hasCC = true
		}
		if notModified && !isNotModifiedHeader(name) {
			continue
		}
		fields = append(fields, HeaderField{name, value})
	}
	if len(e.etag) > 0 {
		fields = append(fields, HeaderField{"Etag", unsafeString(e.etag)})
	}
	// max-age is the entry's whole lifetime, not what remains: a client
	// subtracts Age from it (RFC 9111 section 4.2.3), so it keeps the
	// response exactly as long as hoard does. Sending the remainder along
	// with Age would count the age twice.
	lifetime := int64(-1)
	if e.expires != 0 {
		lifetime = (e.expires - e.created) / int64(time.Second)
	}
	var buf [64]byte
	b := strconv.AppendInt(buf[:0], age, 10)
	nAge := len(b)
	nLen := nAge
	if !notModified {
		b = strconv.AppendInt(b, int64(len(e.body)), 10)
		nLen = len(b)
	}
	nCC := nLen
	if !hasCC && h.cfg.clientCacheControl && lifetime >= 0 {
		b = append(b, "max-age="...)
		b = strconv.AppendInt(b, lifetime, 10)
		nCC = len(b)
	}
	s := string(b)
	ageAt := len(fields)
	fields = append(fields, HeaderField{"Age", s[:nAge]})
	if nLen > nAge {
		fields = append(fields, HeaderField{"Content-Length", s[nAge:nLen]})
	}
	if nCC > nLen {
		fields = append(fields, HeaderField{"Cache-Control", s[nLen:nCC]})
	}
	if h.cfg.cacheHeader != "" {
		fields = append(fields, HeaderField{h.cfg.cacheHeader, "HIT"})
	}
	return append(fields, HeaderField{"Cache-Status", h.statusHit}), ageAt
}

// Action says what the adapter must do.
func (x *Exchange) Action() Action { return x.action }

// Status is the status to send for ActionServe: the stored one, or 304.
func (x *Exchange) Status() int {
	if x.notModified {
		return 304
	}
	return x.ent.status
}

// Body is the body to send for ActionServe: nil for HEAD and 304. The
// slice is read-only.
func (x *Exchange) Body() []byte {
	if x.head || x.notModified {
		return nil
	}
	return x.ent.body
}

// HeaderField is one response header field.
type HeaderField struct {
	Name, Value string
}

// ResponseHeaders returns the header fields of an ActionServe response, in
// order; a name may repeat (multi-valued fields), its values next to each
// other. Names are canonical. The slice is read-only (hits on one entry
// may share it) and stays valid until Release; the strings stay valid for
// as long as they are referenced: an adapter may put them in its header
// map as is.
func (x *Exchange) ResponseHeaders() []HeaderField { return x.fields }

// WriteHeaders sets the response header of an ActionServe response: the
// fields of ResponseHeaders, through h.
func (x *Exchange) WriteHeaders(h ResponseHeader) {
	prev := ""
	for _, f := range x.fields {
		if f.Name == prev {
			h.Add(f.Name, f.Value)
		} else {
			h.Set(f.Name, f.Value)
		}
		prev = f.Name
	}
}

func isNotModifiedHeader(name string) bool {
	for _, n := range notModifiedHeaders {
		if n == name {
			return true
		}
	}
	return false
}

func (x *Exchange) writeStatusHeaders(h ResponseHeader) {
	if x.h.cfg.cacheHeader != "" {
		h.Set(x.h.cfg.cacheHeader, x.label)
	}
	h.Set("Cache-Status", x.status)
}

// storedHeader returns the first stored value of name.
func (x *Exchange) storedHeader(name string) string {
	v := ""
	headerFields(x.ent.header, func(n, val []byte) {
		if v == "" && string(n) == name {
			v = unsafeString(val)
		}
	})
	return v
}

// Release returns x to the engine's pool. x must not be used afterwards.
func (x *Exchange) Release() {
	h := x.h
	if h == nil {
		return
	}
	if x.leader != nil {
		// Finish or Abort was never called: free the waiters.
		h.flights.resolve(x.leader, nil)
		h.flights.forget(x.key, x.leader)
	}
	if x.action == ActionServe {
		// Only a hit touched the entry and its fields: drop the references
		// to the entry's bytes so the pool does not keep them alive.
		if !x.sharedFields {
			// A response with more fields than fieldBuf holds grew out of
			// it, after filling it.
			clear(x.fieldBuf[:min(len(x.fields), len(x.fieldBuf))])
		}
		if x.ent == &x.e {
			x.e = entry{}
		}
		x.ent = nil
		x.fields = nil
		x.sharedFields = false
		x.notModified = false
	} else {
		preset := x.preset
		if len(preset) > 32 {
			preset = nil // don't pool a map that one odd request grew
		}
		clear(preset)
		x.runState = runState{}
		x.preset = preset
	}
	x.h, x.action, x.label, x.status, x.key, x.keyView, x.head = nil, ActionPass, "", "", "", false, false
	x.keyBuf = x.keyBuf[:0]
	h.pool.Put(x)
}

// unsafeString views b as a string without copying. Only for bytes that
// are never modified: envelope bytes from a backend, which the Backend
// contract makes read-only.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// containsToken reports whether a comma-separated header value holds tok
// (case-insensitively).
func containsToken(v, tok string) bool {
	for v != "" {
		var t string
		t, v = nextDirective(v)
		if strings.EqualFold(strings.TrimSpace(t), tok) {
			return true
		}
	}
	return false
}
