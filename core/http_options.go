package hoard

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// DefaultMaxBodySize is the largest response body stored by default.
const DefaultMaxBodySize = 1 << 20

// DefaultStatuses are the response statuses stored by default: the
// heuristically cacheable ones of RFC 9110 section 15.1 that make sense to
// replay (no 404/405/410/414/501: a cached error outlives its cause).
var DefaultStatuses = []int{200, 203, 204, 300, 301, 308}

// HTTPOption configures the HTTP caching of a route or middleware.
type HTTPOption func(*httpConfig)

type httpConfig struct {
	ttl                time.Duration
	namespace          string
	varyBy             []string
	keyFunc            func(Request) string
	statuses           [600]bool
	statusFunc         func(int) bool
	maxBody            int
	ignoreClient       bool
	allowAuthorization bool
	clientCacheControl bool
	cacheHeader        string
	cacheStatusName    string
	errs               []error
}

// WithTTL sets how long responses are stored. 0 (the default) uses the
// Cache's default TTL. A handler's s-maxage overrides it.
func WithTTL(d time.Duration) HTTPOption { return func(c *httpConfig) { c.ttl = d } }

// InNamespace stores the route's responses in namespace ns, so
// [Cache.Clear] can drop them together. Default: the Cache's namespace.
func InNamespace(ns string) HTTPOption { return func(c *httpConfig) { c.namespace = ns } }

// WithVaryBy adds the values of these request headers to the key, so
// responses that depend on them (Accept-Language, Accept-Encoding, ...) are
// stored apart. A response whose Vary names a header not listed here is not
// stored: it would be served to requests it was not made for.
func WithVaryBy(headers ...string) HTTPOption {
	return func(c *httpConfig) {
		for _, h := range headers {
			c.varyBy = append(c.varyBy, http.CanonicalHeaderKey(strings.TrimSpace(h)))
		}
	}
}

// WithKeyFunc replaces the request's host, path and query in the key by
// key(r). Vary headers and the Authorization partition still apply.
func WithKeyFunc(key func(r Request) string) HTTPOption {
	return func(c *httpConfig) {
		if key == nil {
			c.errs = append(c.errs, fmt.Errorf("%w: nil key function", ErrInvalidOption))
		}
		c.keyFunc = key
	}
}

// WithStatuses replaces the list of response statuses that are stored
// (default [DefaultStatuses]).
func WithStatuses(codes ...int) HTTPOption {
	return func(c *httpConfig) {
		c.statuses = [600]bool{}
		for _, code := range codes {
			if code < 100 || code > 599 {
				c.errs = append(c.errs, fmt.Errorf("%w: status %d out of range", ErrInvalidOption, code))
				continue
			}
			c.statuses[code] = true
		}
	}
}

// WithStatusFunc decides which statuses are stored; it overrides
// WithStatuses.
func WithStatusFunc(cacheable func(status int) bool) HTTPOption {
	return func(c *httpConfig) { c.statusFunc = cacheable }
}

// WithMaxBodySize sets the largest body stored (default 1 MiB). A larger
// response still reaches the client whole; buffering stops at the limit.
func WithMaxBodySize(n int) HTTPOption {
	return func(c *httpConfig) {
		if n <= 0 {
			c.errs = append(c.errs, fmt.Errorf("%w: max body size %d must be positive", ErrInvalidOption, n))
		}
		c.maxBody = n
	}
}

// IgnoreClientCacheControl makes the route ignore the request's
// Cache-Control and Pragma: a client can then neither bypass nor refresh
// the cache. By default no-store bypasses, and no-cache or max-age=0 skip
// the read and refresh the entry.
func IgnoreClientCacheControl() HTTPOption {
	return func(c *httpConfig) { c.ignoreClient = true }
}

// AllowAuthorization caches requests that carry an Authorization header,
// which are bypassed by default. The credential's hash then becomes part of
// the key, so each credential has its own entries.
func AllowAuthorization() HTTPOption {
	return func(c *httpConfig) { c.allowAuthorization = true }
}

// WithClientCacheControl turns on or off the "Cache-Control: max-age=<TTL>"
// header added to cacheable responses whose handler set none. With the Age
// header hoard sends on hits, a client keeps the response exactly as long
// as hoard does. Default on.
func WithClientCacheControl(on bool) HTTPOption {
	return func(c *httpConfig) { c.clientCacheControl = on }
}

// WithCacheHeader names the header that says HIT, MISS or BYPASS (default
// "X-Cache"); "" turns it off. The RFC 9211 Cache-Status header is always
// sent.
func WithCacheHeader(name string) HTTPOption {
	return func(c *httpConfig) { c.cacheHeader = http.CanonicalHeaderKey(name) }
}

// WithCacheStatusName sets the cache's name in Cache-Status (default
// "hoard").
func WithCacheStatusName(name string) HTTPOption {
	return func(c *httpConfig) { c.cacheStatusName = name }
}

func (c *httpConfig) validate() error {
	if len(c.errs) > 0 {
		return c.errs[0]
	}
	if c.ttl < 0 && c.ttl != NoExpiry {
		return fmt.Errorf("%w: TTL %v is negative (use NoExpiry)", ErrInvalidOption, c.ttl)
	}
	if err := ValidateName(c.namespace); err != nil {
		return fmt.Errorf("%w: namespace: %w", ErrInvalidOption, err)
	}
	for _, h := range c.varyBy {
		if h == "" || strings.ContainsAny(h, " \t:,") {
			return fmt.Errorf("%w: vary header %q", ErrInvalidOption, h)
		}
		if h == "Authorization" {
			return fmt.Errorf("%w: vary on Authorization: use AllowAuthorization, which keys on a hash of it", ErrInvalidOption)
		}
	}
	if c.cacheStatusName == "" || !printable(c.cacheStatusName) || strings.ContainsAny(c.cacheStatusName, ";,=\"") {
		return fmt.Errorf("%w: Cache-Status name %q must be a token", ErrInvalidOption, c.cacheStatusName)
	}
	if c.cacheHeader != "" && strings.ContainsAny(c.cacheHeader, " \t:") {
		return fmt.Errorf("%w: cache header name %q", ErrInvalidOption, c.cacheHeader)
	}
	return nil
}

func (c *httpConfig) cacheableStatus(code int) bool {
	if c.statusFunc != nil {
		return c.statusFunc(code)
	}
	return code >= 100 && code < len(c.statuses) && c.statuses[code]
}

// varies reports whether the route keys on the request header name.
func (c *httpConfig) varies(name string) bool {
	return slices.ContainsFunc(c.varyBy, func(h string) bool { return strings.EqualFold(h, name) })
}
