package main

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

// slowDelay is how long the uncached report and function take: long
// enough to see.
const slowDelay = 400 * time.Millisecond

// reportOptions cache the slow report: its own namespace, so /clear can
// drop it, and a TTL of its own.
var reportOptions = []httpcache.Option{httpcache.WithNamespace("reports"), httpcache.WithTTL(30 * time.Second)}

// demo is the API every adapter serves: the same answers, whatever the
// framework.
type demo struct {
	cache  *hoard.Cache
	square func(context.Context, int) (int, error)
}

// newDemo builds the demo's Cache over backend; it closes backend with
// the Cache.
func newDemo(backend hoard.Backend, opts ...hoard.Option) (*demo, error) {
	c, err := hoard.New(backend, append([]hoard.Option{hoard.WithDefaultTTL(time.Minute)}, opts...)...)
	if err != nil {
		_ = closeBackend(backend)
		return nil, err
	}
	// A cached function: the first call per n sleeps, the next is instant.
	square, err := hoard.Wrap(c.Namespace("math"), "square", time.Minute, func(ctx context.Context, n int) (int, error) {
		time.Sleep(slowDelay) // pretend this is expensive
		return n * n, nil
	})
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return &demo{cache: c, square: square}, nil
}

func (d *demo) Close() error { return d.cache.Close() }

// report is the slow handler hoard saves you from: a database query, a
// remote call.
func (d *demo) report() []byte {
	time.Sleep(slowDelay)
	return fmt.Appendf(nil, `{"report":"quarterly","generated":%q}`+"\n", time.Now().UTC().Format(time.RFC3339Nano))
}

// squareOf answers /square?n=N from the cached function.
func (d *demo) squareOf(ctx context.Context, arg string) (int, string) {
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

// clear answers POST /clear?ns=NS.
func (d *demo) clear(ctx context.Context, ns string) (int, string) {
	if err := d.cache.Clear(ctx, ns); err != nil {
		return http.StatusBadRequest, err.Error() + "\n"
	}
	return http.StatusOK, fmt.Sprintf("cleared namespace %q\n", ns)
}

// stats answers GET /stats with the Cache's counters.
func (d *demo) stats() []byte {
	b, _ := json.Marshal(d.cache.Stats())
	return append(b, '\n')
}

// closeBackend closes a backend that can be closed.
func closeBackend(b hoard.Backend) error {
	if c, ok := b.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}
