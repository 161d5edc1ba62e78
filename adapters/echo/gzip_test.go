package hoardecho_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	echo "github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/httpcache"
)

// TestGzip runs Echo's Gzip middleware on either side of the cache. Outside,
// the cache stores the plain body and every response is compressed on the
// way out; inside, the cache stores compressed bodies. Either way the
// response says Vary: Accept-Encoding (outside, Gzip sets it before the
// cache runs, and the cache cannot tell it from a session middleware's
// Vary: Cookie); the routes also key on Accept-Encoding up front, which
// must give the same answers as the response's Vary alone.
func TestGzip(t *testing.T) {
	body := strings.Repeat(`{"compressible":true}`, 100)
	tests := []struct {
		name  string
		mount func(e *echo.Echo, cache echo.MiddlewareFunc, h echo.HandlerFunc)
		opts  []httpcache.Option
		// plain is X-Cache for the first request without gzip, after the
		// gzip ones.
		plain string
	}{
		{"Outside", func(e *echo.Echo, cache echo.MiddlewareFunc, h echo.HandlerFunc) {
			e.Use(middleware.Gzip(), cache)
			e.GET("/z", h)
		}, []httpcache.Option{httpcache.WithVaryBy("Accept-Encoding")}, "MISS"},
		{"InsideVaryingOnAcceptEncoding", func(e *echo.Echo, cache echo.MiddlewareFunc, h echo.HandlerFunc) {
			e.Use(cache, middleware.Gzip())
			e.GET("/z", h)
		}, []httpcache.Option{httpcache.WithVaryBy("Accept-Encoding")}, "MISS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEcho()
			tc.mount(e, newMiddleware(t, adaptertest.NewCache(t), tc.opts...), func(c echo.Context) error {
				return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, []byte(body))
			})
			url := serve(t, e) + "/z"
			client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
			for i, step := range []struct {
				gzip   bool
				xcache string
			}{
				{true, "MISS"}, {true, "HIT"}, {false, tc.plain}, {false, "HIT"}, {true, "HIT"},
			} {
				req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
				if step.gzip {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var r io.Reader = res.Body
				if enc := res.Header.Get("Content-Encoding"); (enc == "gzip") != step.gzip {
					t.Fatalf("request %d: Content-Encoding %q with gzip=%v", i, enc, step.gzip)
				} else if step.gzip {
					if r, err = gzip.NewReader(res.Body); err != nil {
						t.Fatalf("request %d: %v", i, err)
					}
				}
				got, err := io.ReadAll(r)
				res.Body.Close()
				if err != nil || string(got) != body || res.Header.Get("X-Cache") != step.xcache {
					t.Fatalf("request %d (gzip=%v): X-Cache %q, %d bytes, %v; want %s and the %d-byte body",
						i, step.gzip, res.Header.Get("X-Cache"), len(got), err, step.xcache, len(body))
				}
				if ct := res.Header.Get("Content-Type"); ct != echo.MIMEApplicationJSON {
					t.Fatalf("request %d: Content-Type %q", i, ct)
				}
			}
		})
	}
}
