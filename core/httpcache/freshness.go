package httpcache

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hoard-go/hoard/core/internal/envelope"
)

// What a response says about being stored, and for how long it is fresh
// (RFC 9111 sections 3 and 4.2), in the engine's two modes (Mode). Read
// at commit, from every field of the response whoever set it.

// storePolicy is the outcome of reading a response for storage.
type storePolicy struct {
	// lifetime is the response's freshness lifetime (noExpiry: it never
	// turns stale); initialAge its age when received, in seconds.
	lifetime   time.Duration
	initialAge int64
	flags      uint64
	// keep is how long the entry stays stored past its freshness, to be
	// revalidated (it has a validator) or served stale.
	keep     time.Duration
	swr, sie uint32
	// strip are the fields not to store (no-cache="f", private="f", the
	// targeted field), comma-separated.
	strip string
	// vary are the names, canonical and sorted, that the response varies
	// on beyond the route's WithVaryBy: it is stored as a variant.
	vary []string
	// addMaxAge: the response will be stored and says nothing of its
	// freshness to clients: send them the lifetime.
	addMaxAge bool
}

// heuristicStatuses are the statuses RFC 9110 section 15.1 defines as
// heuristically cacheable: a shared cache may store them without explicit
// freshness.
var heuristicStatuses = [...]int{200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501}

func heuristicallyCacheable(status int) bool { return slices.Contains(heuristicStatuses[:], status) }

// understoodStatus reports whether hoard knows the caching rules of
// status, for must-understand: the statuses RFC 9110 and its registry
// name, bar 206 (hoard stores whole responses only).
func understoodStatus(status int) bool {
	return status != http.StatusPartialContent && http.StatusText(status) != ""
}

// responseFacts are the fields a storage decision reads.
type responseFacts struct {
	cc, targeted, cdn                 cacheControl
	hasCC, hasTargeted, hasCDN        bool
	expires, date, lastModified, etag string
	age                               string
	ageLines                          int
	connection                        string   // the names Connection lists
	vary                              []string // the Vary values
	setCookie, eventStream            bool
}

func (e *Engine) readFacts(fields []Field) responseFacts {
	f := responseFacts{cc: newCacheControl(), targeted: newCacheControl(), cdn: newCacheControl()}
	for _, h := range fields {
		switch h.Name {
		case "Set-Cookie":
			f.setCookie = true
		case "Content-Type":
			const sse = "text/event-stream"
			f.eventStream = len(h.Value) >= len(sse) && strings.EqualFold(h.Value[:len(sse)], sse)
		case "Vary":
			f.vary = append(f.vary, h.Value)
		case "Cache-Control":
			f.cc.add(h.Value)
			f.hasCC = true
		case "Cdn-Cache-Control":
			f.cdn.add(h.Value)
			f.hasCDN = true
		case "Expires":
			first(&f.expires, h.Value)
		case "Date":
			first(&f.date, h.Value)
		case "Last-Modified":
			first(&f.lastModified, h.Value)
		case "Etag":
			first(&f.etag, h.Value)
		case "Age":
			f.age = h.Value
			f.ageLines++
		case "Connection":
			f.connection = joinFields(f.connection, h.Value)
		}
		if e.cfg.targeted != "" && h.Name == e.cfg.targeted {
			f.targeted.add(h.Value)
			f.hasTargeted = true
		}
	}
	return f
}

// first keeps a field's first value: a repeated one is ignored (RFC 9111
// section 4.2.1).
func first(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}

// policy decides whether a response with status and fields may be stored
// and how: authorized is set when the request carried Authorization;
// requestTime and responseTime are when the request began and the
// response came, in Unix nanoseconds.
func (e *Engine) policy(status int, fields []Field, authorized bool, requestTime, responseTime int64) (storePolicy, bool) {
	shared := e.cfg.mode == SharedCache
	f := e.readFacts(fields)
	if f.setCookie || f.eventStream {
		return storePolicy{}, false // a cached cookie is one user's session served to all
	}
	// Whose directives: a targeted field hoard was told to read, then (as
	// a shared cache) CDN-Cache-Control, then Cache-Control.
	d := &f.cc
	switch {
	case f.hasTargeted:
		d = &f.targeted
	case shared && f.hasCDN:
		d = &f.cdn
	}
	if d.mustUnderstand {
		// RFC 9111 section 5.2.2.3: only a cache that knows the status's
		// caching rules may store it, and such a cache ignores no-store.
		if !understoodStatus(status) {
			return storePolicy{}, false
		}
		d.noStore = false
	}
	if d.noStore || d.private {
		return storePolicy{}, false
	}
	explicit := d.sMaxAge >= 0 || d.maxAge >= 0 || f.expires != ""
	if !e.storableStatus(status, shared, explicit || d.public) {
		return storePolicy{}, false
	}
	p := storePolicy{}
	// RFC 9111 section 3.5: what a shared cache may answer a request with
	// Authorization from.
	if d.public || d.mustRevalidate || d.sMaxAge >= 0 {
		p.flags |= envelope.FlagAuthorized
	} else if shared && authorized {
		return storePolicy{}, false
	}
	var ok bool
	if p.vary, ok = e.varyNames(f.vary); !ok {
		return storePolicy{}, false
	}

	// Freshness lifetime (RFC 9111 section 4.2.1).
	date := responseTime
	if t, err := http.ParseTime(f.date); err == nil {
		date = t.UnixNano()
	}
	switch {
	case d.sMaxAge >= 0:
		p.lifetime = time.Duration(d.sMaxAge) * time.Second
	case d.maxAge >= 0:
		p.lifetime = time.Duration(d.maxAge) * time.Second
	case f.expires != "":
		if t, err := http.ParseTime(f.expires); err == nil {
			p.lifetime = max(0, time.Duration(t.UnixNano()-date)) // invalid: already stale
		}
	case shared:
		p.lifetime = e.heuristicLifetime(status, f.lastModified, date)
	default:
		p.lifetime = e.lifetime(e.cfg.ttl)
		// Clients hear of the lifetime only from a response that says
		// nothing to them (a targeted field is for hoard alone).
		p.addMaxAge = !f.hasCC && !f.hasTargeted
	}
	if e.cfg.maxTTL > 0 && (p.lifetime == noExpiry || p.lifetime > e.cfg.maxTTL) {
		p.lifetime = e.cfg.maxTTL
	}
	if f.age != "" && (f.ageLines > 1 || !digits(f.age)) {
		// An Age that is not one delta-seconds is invalid freshness
		// information, best taken as stale (RFC 9111 section 4.2.1).
		p.lifetime = 0
	}

	// Its age when received (RFC 9111 section 4.2.3). A shared cache
	// counts the time the origin took as age, since the response may have
	// been made as the request arrived; an application's handler makes its
	// response as it ends.
	apparent := max(0, responseTime-date)
	var corrected int64
	if digits(f.age) {
		corrected = parseDeltaSeconds(f.age) * int64(time.Second)
	}
	if shared {
		corrected += max(0, responseTime-requestTime)
	}
	p.initialAge = max(apparent, corrected) / int64(time.Second)

	if d.revalidate(shared) {
		p.flags |= envelope.FlagMustRevalidate
	}
	if d.noCache {
		p.flags |= envelope.FlagNoCache
	}
	if d.immutable {
		p.flags |= envelope.FlagImmutable
	}
	// The response's own stale windows (RFC 5861), else the route's.
	p.swr = staleWindow(d.staleWhileRevalidate, e.cfg.staleWhileRevalidate)
	p.sie = staleWindow(d.staleIfError, e.cfg.staleIfError)
	validator := f.etag != "" || f.lastModified != ""
	stale := p.lifetime != noExpiry && p.lifetime <= time.Duration(p.initialAge)*time.Second
	if (stale || d.noCache) && !validator && p.swr == 0 && p.sie == 0 {
		return storePolicy{}, false // it could only be fetched again
	}
	if validator {
		p.keep = e.keepFor(p.lifetime)
	}
	p.keep = max(p.keep, time.Duration(max(p.swr, p.sie))*time.Second, e.cfg.grace)
	p.strip = joinFields(d.noCacheFields, d.privateFields)
	// Fields Connection names are hop-by-hop: never stored (§3.1).
	p.strip = joinFields(p.strip, f.connection)
	p.addMaxAge = p.addMaxAge && e.cfg.maxAgeHeader // set in the default (application) mode only
	return p, true
}

// storableStatus applies the route's statuses; a shared cache also stores
// any final status with explicit freshness (RFC 9111 section 3), and a
// heuristically cacheable one otherwise, unless the route named its own.
func (e *Engine) storableStatus(status int, shared, explicit bool) bool {
	if !shared || e.cfg.statusesSet || e.cfg.statusFunc != nil {
		return e.cfg.cacheableStatus(status)
	}
	if status < 200 || status == http.StatusPartialContent || status == http.StatusNotModified {
		return false
	}
	return explicit || heuristicallyCacheable(status)
}

// heuristicLifetime is RFC 9111 section 4.2.2's heuristic freshness, when
// the engine was told to use it: a fraction of the time since
// Last-Modified, at most a day.
func (e *Engine) heuristicLifetime(status int, lastModified string, date int64) time.Duration {
	if e.cfg.heuristic == 0 || lastModified == "" || !heuristicallyCacheable(status) {
		return 0
	}
	t, err := http.ParseTime(lastModified)
	if err != nil || t.UnixNano() >= date {
		return 0
	}
	return min(time.Duration(e.cfg.heuristic*float64(date-t.UnixNano())), 24*time.Hour)
}

// keepFor is how long an entry of lifetime d with a validator stays stored
// past its freshness: WithKeep, or d itself within ten minutes and a day.
func (e *Engine) keepFor(d time.Duration) time.Duration {
	if e.cfg.keepSet {
		return e.cfg.keep
	}
	if d == noExpiry {
		return 0
	}
	return min(max(d, 10*time.Minute), 24*time.Hour)
}

// storageTTL is how long the backend keeps an entry of policy p: its
// remaining freshness and the keep (0: no expiry).
func (p *storePolicy) storageTTL() time.Duration {
	if p.lifetime == noExpiry {
		return 0
	}
	fresh := max(0, p.lifetime-time.Duration(p.initialAge)*time.Second)
	return max(fresh+p.keep, time.Second)
}

// varyNames returns the names a response's Vary values list that the
// route does not key on, canonical and sorted; ok is false for "*".
func (e *Engine) varyNames(values []string) (names []string, ok bool) {
	for _, v := range values {
		for v != "" {
			var name string
			name, v = nextDirective(v)
			name = strings.TrimSpace(name)
			switch {
			case name == "":
			case name == "*":
				return nil, false
			case !e.cfg.varies(name):
				name = http.CanonicalHeaderKey(name)
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	slices.Sort(names)
	return names, true
}

// entryState is where a stored entry stands at a moment.
type entryState struct {
	age      int64 // current age, seconds (RFC 9111 section 4.2.3)
	fresh    bool
	staleFor int64 // seconds past freshness, when stale
	left     int64 // seconds of freshness left, when fresh
}

// stateAt returns where ent stands at now (Unix nanoseconds).
func stateAt(ent *envelope.Entry, now int64) entryState {
	s := entryState{age: ent.InitialAge + max(0, now-ent.Created)/int64(time.Second)}
	switch {
	case ent.FreshUntil == 0:
		s.fresh, s.left = true, maxDeltaSeconds
	case now < ent.FreshUntil:
		s.fresh, s.left = true, (ent.FreshUntil-now)/int64(time.Second)
	default:
		s.staleFor = (now - ent.FreshUntil) / int64(time.Second)
	}
	return s
}

// entryLifetime is ent's whole freshness lifetime (what max-age says on
// its hits), noExpiry for an entry that never turns stale.
func entryLifetime(ent *envelope.Entry) time.Duration {
	if ent.FreshUntil == 0 {
		if ent.Expires == 0 {
			return noExpiry
		}
		return time.Duration(ent.Expires - ent.Created)
	}
	return time.Duration(ent.FreshUntil-ent.Created) + time.Duration(ent.InitialAge)*time.Second
}
