package hoardgin_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"

	hoardgin "github.com/hoard-go/hoard/adapters/gin"
)

func init() { gin.SetMode(gin.ReleaseMode) }

func TestConformance(t *testing.T) {
	adaptertest.Run(t, newServer, adaptertest.WithPurgeServer(newPurgeServer))
}

// newPurgeServer serves the adapter's purge handler on a real Gin engine.
func newPurgeServer(t *testing.T, c *hoard.Cache, authorize func(*http.Request) error) (string, error) {
	h, err := hoardgin.PurgeHandler(c, authorize)
	if err != nil {
		return "", err
	}
	r := gin.New()
	r.POST("/purge", h)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL + "/purge", nil
}

// newServer mounts each of the suite's routes on a real Gin engine, with
// the middleware on the route, behind gin.Recovery (which answers a panic
// with a 500, as most Gin servers do).
func newServer(t *testing.T, c *hoard.Cache, routes []adaptertest.Route) string {
	r := gin.New()
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) {
		c.AbortWithStatus(http.StatusInternalServerError)
	}))
	for _, rt := range routes {
		mw, err := hoardgin.Middleware(c, rt.Options...)
		if err != nil {
			t.Fatal(err)
		}
		r.Any(rt.Path, outerFields(rt.Outer), mw, nativeHandler(rt.Handler))
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return srv.URL
}

// outerFields is middleware outside the cache that sets fields on the
// response before the cache runs: a route's Outer fields.
func outerFields(fields [][2]string) gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, kv := range fields {
			c.Writer.Header().Add(kv[0], kv[1])
		}
		c.Next()
	}
}

// nativeHandler carries out an adaptertest.Handler with Gin's own calls.
func nativeHandler(h *adaptertest.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		resp := h.Respond(adaptertest.Request{Method: r.Method, Host: r.Host, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header})
		if resp.Panic {
			panic("adaptertest: handler panics")
		}
		if resp.Err {
			_ = c.AbortWithError(http.StatusInternalServerError, errors.New("handler failed"))
			return
		}
		for _, kv := range resp.Header {
			c.Writer.Header().Add(kv[0], kv[1])
		}
		for _, kv := range resp.RawHeader {
			c.Writer.Header()[kv[0]] = append(c.Writer.Header()[kv[0]], kv[1])
		}
		status := resp.Status
		if status == 0 {
			status = http.StatusOK
		}
		switch ct := c.Writer.Header().Get("Content-Type"); {
		case resp.Stream:
			c.Status(status)
			for i, chunk := range resp.Chunks {
				if i > 0 && resp.Gate != nil {
					resp.Gate(i)
				}
				// A write to a client that left fails; the handler writes
				// on, as one that does not check would.
				_, _ = c.Writer.WriteString(chunk)
				c.Writer.Flush()
			}
		case ct != "":
			c.Data(status, ct, []byte(resp.Body()))
		default:
			// No type set: Gin's plain writer path, where net/http sniffs
			// the type.
			c.Status(status)
			_, _ = c.Writer.Write([]byte(resp.Body()))
		}
	}
}
