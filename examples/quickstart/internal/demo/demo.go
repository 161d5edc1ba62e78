package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// SlowDelay is how long the uncached report and function take: long
// enough to see.
const SlowDelay = 400 * time.Millisecond

// ReportOptions cache the slow report: its own namespace, so /clear can
// drop it, and a TTL of its own.
var ReportOptions = []httpcache.Option{httpcache.WithNamespace("reports"), httpcache.WithTTL(30 * time.Second)}

// Demo is the API every adapter serves: the same answers, whatever the
// framework. Each adapter's server mounts these routes, the GET ones for
// HEAD too:
//
//	GET  /              Index: the list of endpoints
//	GET  /report        Report, behind the adapter's middleware with ReportOptions
//	GET  /square?n=N    SquareOf: a cached function
//	GET  /stats         Stats: the Cache's counters
//	POST /clear?ns=NS   Clear: drop a namespace
type Demo struct {
	cache  *hoard.Cache
	square func(context.Context, int) (int, error)
	// Framework and Backend name what serves the demo, for Index.
	Framework, Backend string
}

// New builds the demo's Cache over backend; it closes backend with the
// Cache.
func New(backend hoard.Backend, opts ...hoard.Option) (*Demo, error) {
	c, err := hoard.New(backend, append([]hoard.Option{hoard.WithDefaultTTL(time.Minute)}, opts...)...)
	if err != nil {
		_ = CloseBackend(backend)
		return nil, err
	}
	// A cached function: the first call per n sleeps, the next is instant.
	square, err := hoard.Wrap(c.Namespace("math"), "square", time.Minute, func(ctx context.Context, n int) (int, error) {
		time.Sleep(SlowDelay) // pretend this is expensive
		return n * n, nil
	})
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return &Demo{cache: c, square: square, Framework: "net/http", Backend: "memory://"}, nil
}

// Cache is the demo's Cache, for the adapters' middleware.
func (d *Demo) Cache() *hoard.Cache { return d.cache }

// Close closes the Cache and its backend.
func (d *Demo) Close() error { return d.cache.Close() }

// Report is the slow handler hoard saves you from: a database query, a
// remote call. It answers JSON.
func (d *Demo) Report() []byte {
	time.Sleep(SlowDelay)
	return fmt.Appendf(nil, `{"report":"quarterly","generated":%q}`+"\n", time.Now().UTC().Format(time.RFC3339Nano))
}

// SquareOf answers /square?n=N from the cached function.
func (d *Demo) SquareOf(ctx context.Context, arg string) (int, string) {
	n, err := strconv.Atoi(arg)
	if err != nil {
		return http.StatusBadRequest, "n must be an integer\n"
	}
	start := time.Now()
	v, err := d.square(ctx, n)
	if err != nil {
		return http.StatusInternalServerError, err.Error() + "\n"
	}
	return http.StatusOK, fmt.Sprintf("%d squared is %d (took %v)\n", n, v, time.Since(start).Round(time.Millisecond))
}

// Clear answers POST /clear?ns=NS.
func (d *Demo) Clear(ctx context.Context, ns string) (int, string) {
	if err := d.cache.ClearNamespace(ctx, ns); err != nil {
		return http.StatusBadRequest, err.Error() + "\n"
	}
	return http.StatusOK, fmt.Sprintf("cleared namespace %q\n", ns)
}

// Stats answers GET /stats with the Cache's counters, as JSON.
func (d *Demo) Stats() []byte {
	b, _ := json.Marshal(d.cache.Stats())
	return append(b, '\n')
}

// CloseBackend closes a backend that can be closed.
func CloseBackend(b hoard.Backend) error {
	if c, ok := b.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// Index answers GET / with the list of endpoints, as plain text.
func (d *Demo) Index() string {
	return fmt.Sprintf(`hoard quickstart: %s adapter, %s backend

GET  /report         a slow JSON report (%v), cached for 30s: X-Cache MISS, then HIT
GET  /square?n=12    a cached function: slow once per n, then instant
GET  /stats          the cache's counters (hits, misses, stores, ...)
POST /clear?ns=NS    drop a namespace: reports or math
HEAD                 works on every GET endpoint; on /report it is answered from the cache

try: curl -i <this address>/report
`, d.Framework, d.Backend, SlowDelay)
}
