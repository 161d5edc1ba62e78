package hoardhttp

import (
	"net/http"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Middleware returns net/http middleware that caches responses in c. The
// options (httpcache.WithTTL, httpcache.WithVaryBy, ...) apply to every
// route it wraps; use one Middleware per route for per-route settings. A
// bad option is an error here, never at request time.
func Middleware(c *hoard.Cache, opts ...httpcache.Option) (func(http.Handler) http.Handler, error) {
	engine, err := httpcache.New(c, opts...)
	if err != nil {
		return nil, err
	}
	return engine.Handler, nil
}
