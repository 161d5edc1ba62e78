package httpcache

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/keys"
)

// DefaultMaxBodySize is the largest response body stored by default.
const DefaultMaxBodySize = 1 << 20

// DefaultStatuses are the response statuses stored by default: the
// heuristically cacheable ones of RFC 9110 section 15.1 that make sense to
// replay (no 404/405/410/414/501: a cached error outlives its cause).
var DefaultStatuses = []int{200, 203, 204, 300, 301, 308}

// DefaultCacheHeader is the header that says HIT, MISS or BYPASS unless
// [WithCacheHeader] names another.
const DefaultCacheHeader = "X-Cache"

// Option configures an [Engine].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	mode      Mode
	maxTTL    time.Duration
	heuristic float64
	targeted  string
	// Tags (tags.go): static, from the request, from a response field.
	tags          []string
	tagsFunc      func(Request) []string
	tagHeader     string
	sendTagHeader bool
	keep          time.Duration
	keepSet       bool
	// staleWhileRevalidate and staleIfError are the route's windows for
	// responses that set none (RFC 5861).
	staleWhileRevalidate, staleIfError time.Duration
	grace                              time.Duration
	ttl                                time.Duration
	namespace                          string
	namespaceSet                       bool
	varyBy                             []string
	keyFunc                            func(Request) string
	statuses                           [600]bool
	statusesSet                        bool
	statusFunc                         func(int) bool
	maxBody                            int
	requestDirectives                  bool
	authorization                      bool
	maxAgeHeader                       bool
	cacheHeader                        string
	cacheStatusName                    string
	errs                               []error
}

func defaultConfig() config {
	c := config{
		maxBody:           DefaultMaxBodySize,
		requestDirectives: true,
		maxAgeHeader:      true,
		cacheHeader:       DefaultCacheHeader,
		cacheStatusName:   "hoard",
	}
	for _, code := range DefaultStatuses {
		c.statuses[code] = true
	}
	return c
}

// Mode says whose cache the engine is.
type Mode uint8

const (
	// ApplicationCache (the default) caches a service's own responses: a
	// response's own freshness (s-maxage, max-age, Expires with Date, less
	// its Age) wins when it has any, and the route's TTL ([WithTTL])
	// applies when it says nothing.
	ApplicationCache Mode = iota
	// SharedCache is hoard in front of any origin (a caching reverse
	// proxy), as RFC 9111 sections 3 and 4 say a shared cache must be: no
	// invented lifetime (heuristic freshness only when
	// [WithHeuristicFreshness] turns it on), s-maxage and proxy-revalidate
	// apply, any final status with explicit freshness may be stored,
	// Authorization as section 3.5 says, and CDN-Cache-Control (RFC 9213)
	// is read before Cache-Control.
	SharedCache
)

// WithMode sets the engine's mode (default [ApplicationCache]).
func WithMode(m Mode) Option {
	return optionFunc(func(c *config) {
		if m > SharedCache {
			c.errs = append(c.errs, fmt.Errorf("%w: unknown mode %d", hoard.ErrInvalidOption, m))
		}
		c.mode = m
	})
}

// WithTTL sets how long responses are fresh when they say nothing of their
// own freshness (application mode; a shared cache invents no lifetime). 0
// (the default) uses the Cache's default TTL (hoard.WithDefaultTTL);
// hoard.NoExpiry keeps them without expiry.
func WithTTL(d time.Duration) Option { return optionFunc(func(c *config) { c.ttl = d }) }

// WithMaxTTL caps the freshness lifetime any response gets, whatever it
// says (default: no cap).
func WithMaxTTL(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d <= 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: max TTL %v must be positive", hoard.ErrInvalidOption, d))
		}
		c.maxTTL = d
	})
}

// WithHeuristicFreshness lets a shared cache give a response without
// explicit freshness but with Last-Modified a lifetime of fraction times
// its age at the time (RFC 9111 section 4.2.2 suggests 0.1), at most a
// day. Default 0: off.
func WithHeuristicFreshness(fraction float64) Option {
	return optionFunc(func(c *config) {
		if fraction < 0 || fraction > 1 {
			c.errs = append(c.errs, fmt.Errorf("%w: heuristic fraction %v must be within 0 and 1", hoard.ErrInvalidOption, fraction))
		}
		c.heuristic = fraction
	})
}

// WithTargetedField names a response field that only hoard reads, in the
// syntax of Cache-Control (RFC 9213's targeted fields): when a response
// has it, hoard takes its own storage lifetime from it instead of
// Cache-Control, so the server-side lifetime can differ from the
// browser's max-age. The field is removed before the response leaves
// (except CDN-Cache-Control, which a shared cache reads by itself and
// passes on).
func WithTargetedField(name string) Option {
	return optionFunc(func(c *config) { c.targeted = http.CanonicalHeaderKey(name) })
}

// WithKeep sets how long a stale response with a validator (an ETag of
// the origin's, or Last-Modified) is kept past its freshness, so that it
// can be revalidated with a conditional request instead of fetched whole.
// Default: as long as it was fresh, at most a day.
func WithKeep(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: keep %v is negative", hoard.ErrInvalidOption, d))
		}
		c.keep, c.keepSet = d, true
	})
}

// WithStaleWhileRevalidate lets a response be served stale for up to d
// past its freshness while one background request refreshes it (RFC
// 5861's stale-while-revalidate, for responses that do not set it
// themselves; a response's own directive wins). Default 0: only responses
// that ask for it. Never for must-revalidate, proxy-revalidate (shared
// mode) or no-cache responses.
func WithStaleWhileRevalidate(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: stale-while-revalidate %v is negative", hoard.ErrInvalidOption, d))
		}
		c.staleWhileRevalidate = d
	})
}

// WithStaleIfError lets a response be served stale for up to d past its
// freshness when the handler fails to replace it: it returns an error,
// panics, or answers 500, 502, 503 or 504 (RFC 5861's stale-if-error, for
// responses that do not set it themselves; a response's own directive
// wins). Default 0: only responses that ask for it. Never for
// must-revalidate, proxy-revalidate (shared mode) or no-cache responses.
func WithStaleIfError(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: stale-if-error %v is negative", hoard.ErrInvalidOption, d))
		}
		c.staleIfError = d
	})
}

// WithGrace keeps responses up to d past their freshness, to be served
// stale while the route's handler is failing: after graceFailures (3)
// failures in a row (an error, a panic, 500, 502, 503, 504) and until it
// succeeds again, the stale-if-error window of every entry stretches to d,
// as Varnish's grace does for a sick backend. Default 0: off. The same
// must-revalidate, proxy-revalidate and no-cache exceptions apply.
func WithGrace(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: grace %v is negative", hoard.ErrInvalidOption, d))
		}
		c.grace = d
	})
}

// WithTags tags every response the route stores, for
// hoard.Cache.InvalidateTags (and the purge endpoint's tags). A bad tag is
// an error here.
func WithTags(tags ...string) Option {
	return optionFunc(func(c *config) {
		for _, t := range tags {
			if err := hoard.ValidateTag(t); err != nil {
				c.errs = append(c.errs, fmt.Errorf("%w: %w", hoard.ErrInvalidOption, err))
			}
		}
		c.tags = append(c.tags, tags...)
	})
}

// WithTagsFunc tags each response the route stores with tags(r) (the
// product id of /products/{id}, say). It is called on every request that
// misses; tags it returns that are not valid (hoard.ValidateTag) are left
// out.
func WithTagsFunc(tags func(r Request) []string) Option {
	return optionFunc(func(c *config) { c.tagsFunc = tags })
}

// WithTagHeader reads tags from a response field (Surrogate-Key and
// Cache-Tag style: names separated by spaces or commas), whoever set it.
// The field is removed before the response leaves unless send is true.
// Default: none.
func WithTagHeader(name string, send bool) Option {
	return optionFunc(func(c *config) {
		if !validFieldName(name) {
			c.errs = append(c.errs, fmt.Errorf("%w: tag header %q is not a field name", hoard.ErrInvalidOption, name))
		}
		c.tagHeader, c.sendTagHeader = http.CanonicalHeaderKey(name), send
	})
}

// WithNamespace stores the route's responses in namespace ns, so
// Cache.Clear can drop them together. Default: the namespace of the Cache
// given to [New].
func WithNamespace(ns string) Option {
	return optionFunc(func(c *config) { c.namespace, c.namespaceSet = ns, true })
}

// WithVaryBy adds the values of these request headers to the key, so
// responses that depend on them (Accept-Language, Accept-Encoding, ...) are
// stored apart. A response whose Vary names a header not listed here is not
// stored: it would be served to requests it was not made for.
func WithVaryBy(headers ...string) Option {
	return optionFunc(func(c *config) {
		for _, h := range headers {
			c.varyBy = append(c.varyBy, http.CanonicalHeaderKey(strings.TrimSpace(h)))
		}
	})
}

// WithKeyFunc replaces the request's host, path and query in the key by
// key(r). Vary headers and the Authorization partition still apply. The
// strings of r may view a framework's reused buffers: they are valid only
// during the call.
func WithKeyFunc(key func(r Request) string) Option {
	return optionFunc(func(c *config) {
		if key == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: nil key function", hoard.ErrInvalidOption))
		}
		c.keyFunc = key
	})
}

// WithStatuses replaces the list of response statuses that are stored
// (default [DefaultStatuses]).
func WithStatuses(codes ...int) Option {
	return optionFunc(func(c *config) {
		c.statuses = [600]bool{}
		c.statusesSet = true
		for _, code := range codes {
			if code < 100 || code > 599 {
				c.errs = append(c.errs, fmt.Errorf("%w: status %d out of range", hoard.ErrInvalidOption, code))
				continue
			}
			c.statuses[code] = true
		}
	})
}

// WithStatusFunc decides which statuses are stored; it overrides
// [WithStatuses].
func WithStatusFunc(cacheable func(status int) bool) Option {
	return optionFunc(func(c *config) {
		if cacheable == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: nil status function", hoard.ErrInvalidOption))
		}
		c.statusFunc = cacheable
	})
}

// WithMaxBodySize sets the largest body stored (default 1 MiB). A larger
// response still reaches the client whole; buffering stops at the limit.
func WithMaxBodySize(n int) Option {
	return optionFunc(func(c *config) {
		if n <= 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: max body size %d must be positive", hoard.ErrInvalidOption, n))
		}
		c.maxBody = n
	})
}

// WithRequestCacheControl sets whether the request's Cache-Control (and
// Pragma) is honoured. By default it is: no-store bypasses the cache, and
// no-cache or max-age=0 skip the read and refresh the entry. With false, a
// client can neither bypass nor refresh the cache.
func WithRequestCacheControl(honour bool) Option {
	return optionFunc(func(c *config) { c.requestDirectives = honour })
}

// WithAuthorization sets whether requests that carry an Authorization
// header are cached. By default they bypass the cache; with true, the
// credential's hash becomes part of the key, so each credential has its
// own entries (the credential itself is never stored).
func WithAuthorization(cache bool) Option {
	return optionFunc(func(c *config) { c.authorization = cache })
}

// WithMaxAgeHeader sets whether storable responses whose handler set no
// Cache-Control get "Cache-Control: max-age=<lifetime>" (default true).
// With the Age header sent on hits, a client then keeps the response
// exactly as long as hoard does.
func WithMaxAgeHeader(on bool) Option {
	return optionFunc(func(c *config) { c.maxAgeHeader = on })
}

// WithCacheHeader names the header that says HIT, MISS or BYPASS (default
// "X-Cache"); "" turns it off. It cannot be a field hoard sends or reads
// for its own purposes (Cache-Status, Age, Cache-Control, ...). The RFC
// 9211 Cache-Status header is always sent.
func WithCacheHeader(name string) Option {
	return optionFunc(func(c *config) { c.cacheHeader = http.CanonicalHeaderKey(name) })
}

// WithCacheStatusName sets the cache's name in Cache-Status (default
// "hoard").
func WithCacheStatusName(name string) Option {
	return optionFunc(func(c *config) { c.cacheStatusName = name })
}

// reservedHeaders are the fields a cache header name may not take: hoard
// writes them, or decides by them what to store.
var reservedHeaders = []string{
	"Age", "Authorization", "Cache-Control", "Cache-Status", "Content-Length", "Content-Type",
	"Date", "Etag", "Expires", "Last-Modified", "Pragma", "Set-Cookie", "Transfer-Encoding", "Vary",
}

func (c *config) validate() error {
	if len(c.errs) > 0 {
		return c.errs[0]
	}
	if c.ttl < 0 && c.ttl != hoard.NoExpiry {
		return fmt.Errorf("%w: TTL %v is negative (use hoard.NoExpiry)", hoard.ErrInvalidOption, c.ttl)
	}
	if err := hoard.ValidateName(c.namespace); err != nil {
		return fmt.Errorf("%w: namespace: %w", hoard.ErrInvalidOption, err)
	}
	for _, h := range c.varyBy {
		if !validFieldName(h) {
			return fmt.Errorf("%w: vary header %q is not a field name", hoard.ErrInvalidOption, h)
		}
		if h == "Authorization" {
			return fmt.Errorf("%w: vary on Authorization: use WithAuthorization, which keys on a hash of it", hoard.ErrInvalidOption)
		}
	}
	if c.cacheStatusName == "" || !keys.Printable(c.cacheStatusName) || strings.ContainsAny(c.cacheStatusName, ";,=\"") {
		return fmt.Errorf("%w: Cache-Status name %q must be a token", hoard.ErrInvalidOption, c.cacheStatusName)
	}
	if c.targeted != "" && !validFieldName(c.targeted) {
		return fmt.Errorf("%w: targeted field %q is not a field name", hoard.ErrInvalidOption, c.targeted)
	}
	if c.cacheHeader != "" {
		if !validFieldName(c.cacheHeader) {
			return fmt.Errorf("%w: cache header %q is not a field name", hoard.ErrInvalidOption, c.cacheHeader)
		}
		if slices.Contains(reservedHeaders, c.cacheHeader) {
			return fmt.Errorf("%w: cache header %q is a field hoard sends or reads itself", hoard.ErrInvalidOption, c.cacheHeader)
		}
	}
	return nil
}

// validFieldName reports whether s is an RFC 9110 token, as a field name
// must be.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func (c *config) cacheableStatus(code int) bool {
	if c.statusFunc != nil {
		return c.statusFunc(code)
	}
	return code >= 100 && code < len(c.statuses) && c.statuses[code]
}

// varies reports whether the route keys on the request header name.
func (c *config) varies(name string) bool {
	return slices.ContainsFunc(c.varyBy, func(h string) bool { return strings.EqualFold(h, name) })
}
