package hoardecho_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	echo "github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"

	hoardecho "github.com/hoard-go/hoard/adapters/echo"
)

func TestConformance(t *testing.T) {
	adaptertest.Run(t, newServer, adaptertest.WithPurgeServer(newPurgeServer))
}

// newPurgeServer serves the adapter's purge handler on a real Echo server.
func newPurgeServer(t *testing.T, c *hoard.Cache, authorize func(*http.Request) error) (string, error) {
	h, err := hoardecho.PurgeHandler(c, authorize)
	if err != nil {
		return "", err
	}
	e := newEcho()
	e.POST("/purge", h)
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL + "/purge", nil
}

// newServer mounts each of the suite's routes on a real Echo server, with
// the middleware on the route, behind Echo's Recover (which turns a panic
// into a 500 through Echo's error handler, as most Echo servers do).
func newServer(t *testing.T, c *hoard.Cache, routes []adaptertest.Route) string {
	e := newEcho()
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	for _, r := range routes {
		mw, err := hoardecho.Middleware(c, r.Options...)
		if err != nil {
			t.Fatal(err)
		}
		e.Any(r.Path, nativeHandler(r.Handler), outerFields(r.Outer), mw)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

// outerFields is middleware outside the cache that sets fields on the
// response before the cache runs: a route's Outer fields.
func outerFields(fields [][2]string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			for _, kv := range fields {
				c.Response().Header().Add(kv[0], kv[1])
			}
			return next(c)
		}
	}
}

// newEcho is an Echo without log noise.
func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	return e
}

// nativeHandler carries out an adaptertest.Handler with Echo's own calls.
func nativeHandler(h *adaptertest.Handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		resp := h.Respond(adaptertest.Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header})
		if resp.Panic {
			panic("adaptertest: handler panics")
		}
		if resp.Err {
			return echo.NewHTTPError(http.StatusInternalServerError, "handler failed")
		}
		res := c.Response()
		for _, kv := range resp.Header {
			res.Header().Add(kv[0], kv[1])
		}
		for _, kv := range resp.RawHeader {
			res.Header()[kv[0]] = append(res.Header()[kv[0]], kv[1])
		}
		status := resp.Status
		if status == 0 {
			status = http.StatusOK
		}
		switch ct := res.Header().Get(echo.HeaderContentType); {
		case resp.Stream:
			res.WriteHeader(status)
			for i, chunk := range resp.Chunks {
				if i > 0 && resp.Gate != nil {
					resp.Gate(i)
				}
				// A write to a client that left fails; the handler writes
				// on, as one that does not check would.
				_, _ = io.WriteString(res, chunk)
				res.Flush()
			}
			return nil
		case ct != "":
			return c.Blob(status, ct, []byte(resp.Body()))
		default:
			// No type set: the plain echo.Response path, where net/http
			// sniffs the type.
			res.WriteHeader(status)
			_, err := res.Write([]byte(resp.Body()))
			return err
		}
	}
}

// get sends a GET to srv and returns the response with its body read.
func get(t *testing.T, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, strings.TrimSpace(string(b))
}
