package hoardgin_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/httpcache"

	hoardgin "github.com/hoard-go/hoard/adapters/gin"
)

func newMiddleware(t testing.TB, c *hoard.Cache, opts ...httpcache.Option) gin.HandlerFunc {
	t.Helper()
	mw, err := hoardgin.Middleware(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

// do serves one request in process and returns the recorder.
func do(h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// expect checks a response's status, X-Cache and body.
func expect(t *testing.T, rec *httptest.ResponseRecorder, status int, xcache, body string) {
	t.Helper()
	if rec.Code != status || rec.Header().Get("X-Cache") != xcache || rec.Body.String() != body {
		t.Fatalf("got %d X-Cache=%q body=%q; want %d X-Cache=%q body=%q", rec.Code, rec.Header().Get("X-Cache"), rec.Body, status, xcache, body)
	}
}

// TestGinSeesEveryResponse: middleware outside the cache reads the status
// and size from c.Writer after c.Next, as Gin's logger does, on the miss
// and on the hit alike; on the hit the chain stopped at the cache.
func TestGinSeesEveryResponse(t *testing.T) {
	var status, size atomic.Int64
	var aborted atomic.Bool
	var runs atomic.Int64
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		status.Store(int64(c.Writer.Status()))
		size.Store(int64(c.Writer.Size()))
		aborted.Store(c.IsAborted())
	})
	r.GET("/items", newMiddleware(t, adaptertest.NewCache(t)), func(c *gin.Context) {
		runs.Add(1)
		c.String(http.StatusOK, "twelve bytes")
	})
	for _, want := range []struct {
		xcache  string
		aborted bool
	}{{"MISS", false}, {"HIT", true}} {
		expect(t, do(r, "GET", "/items"), 200, want.xcache, "twelve bytes")
		if status.Load() != 200 || size.Load() != 12 {
			t.Errorf("%s: c.Writer says %d, %d bytes; want 200, 12", want.xcache, status.Load(), size.Load())
		}
		if aborted.Load() != want.aborted {
			t.Errorf("%s: c.IsAborted() = %v, want %v", want.xcache, aborted.Load(), want.aborted)
		}
	}
	if runs.Load() != 1 {
		t.Errorf("handler ran %d times, want 1", runs.Load())
	}
}

// TestStatusIsLazy: as with Gin's own writer, the status goes out with the
// first body byte, so a header set after c.Status is part of the response
// the cache judges and stores.
func TestStatusIsLazy(t *testing.T) {
	tests := []struct {
		name       string
		header     [2]string
		wantStored bool
	}{
		{"no-store after the status", [2]string{"Cache-Control", "no-store"}, false},
		{"a field after the status", [2]string{"X-Late", "yes"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gin.New()
			r.GET("/late", newMiddleware(t, adaptertest.NewCache(t)), func(c *gin.Context) {
				c.Status(http.StatusNonAuthoritativeInfo)
				c.Header(tt.header[0], tt.header[1])
				_, _ = c.Writer.WriteString("late")
			})
			expect(t, do(r, "GET", "/late"), 203, "MISS", "late")
			second := do(r, "GET", "/late")
			wantX := "MISS"
			if tt.wantStored {
				wantX = "HIT"
			}
			expect(t, second, 203, wantX, "late")
			if got := second.Header().Get(tt.header[0]); got != tt.header[1] {
				t.Errorf("%s = %q on the second response, want %q", tt.header[0], got, tt.header[1])
			}
		})
	}
}

// TestHandlerErrors: Gin handlers return no error. A response is judged by
// its status; an error recorded with c.Error and no response stores
// nothing, and the error handler outside the cache writes the answer, even
// a 200, past the cache. The client gets what it gets without the cache.
func TestHandlerErrors(t *testing.T) {
	tests := []struct {
		name     string
		handler  gin.HandlerFunc
		wantRuns int64 // after two requests
	}{
		{"AbortWithError", func(c *gin.Context) {
			_ = c.AbortWithError(http.StatusInternalServerError, errors.New("db down"))
		}, 2},
		{"Error without a response", func(c *gin.Context) {
			_ = c.Error(errors.New("db down"))
		}, 2},
		{"Error with a status, no body", func(c *gin.Context) {
			c.Status(http.StatusServiceUnavailable)
			_ = c.Error(errors.New("db down"))
		}, 2},
		{"500 written", func(c *gin.Context) {
			c.String(http.StatusInternalServerError, "oops")
		}, 2},
		{"Error with a 200 written", func(c *gin.Context) {
			_ = c.Error(errors.New("logged only"))
			c.String(http.StatusOK, "fine")
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var runs atomic.Int64
			router := func(mw ...gin.HandlerFunc) *gin.Engine {
				r := gin.New()
				r.Use(func(c *gin.Context) { // an error handler outside the cache
					c.Next()
					if err := c.Errors.Last(); err != nil && !c.Writer.Written() {
						c.String(c.Writer.Status(), "error handler: "+err.Error())
					}
				})
				r.GET("/e", append(mw, func(c *gin.Context) { runs.Add(1); tt.handler(c) })...)
				return r
			}
			bare := do(router(), "GET", "/e")
			runs.Store(0)
			cached := router(newMiddleware(t, adaptertest.NewCache(t)))
			for i := range 2 {
				rec := do(cached, "GET", "/e")
				if rec.Code != bare.Code || rec.Body.String() != bare.Body.String() {
					t.Fatalf("request %d: %d %q; without the cache %d %q", i+1, rec.Code, rec.Body, bare.Code, bare.Body)
				}
			}
			if runs.Load() != tt.wantRuns {
				t.Errorf("handler ran %d times, want %d", runs.Load(), tt.wantRuns)
			}
		})
	}
}

// TestPanicReachesRecovery: a panic stores nothing and unwinds to
// gin.Recovery, which writes its 500 through Gin's own writer.
func TestPanicReachesRecovery(t *testing.T) {
	var runs atomic.Int64
	r := gin.New()
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) {
		c.String(http.StatusInternalServerError, "recovered")
	}))
	r.GET("/p", newMiddleware(t, adaptertest.NewCache(t)), func(c *gin.Context) {
		if runs.Add(1) == 1 {
			panic("boom")
		}
		c.String(http.StatusOK, "fine")
	})
	expect(t, do(r, "GET", "/p"), 500, "MISS", "recovered")
	expect(t, do(r, "GET", "/p"), 200, "MISS", "fine")
	expect(t, do(r, "GET", "/p"), 200, "HIT", "fine")
}

// TestMounting: router.Use, a group and a single route all work; path
// parameters are part of the key; HEAD is served from the GET entry on a
// route that Gin routes HEAD to.
func TestMounting(t *testing.T) {
	c := adaptertest.NewCache(t)
	handler := func(c *gin.Context) { c.String(http.StatusOK, "id "+c.Param("id")) }
	tests := []struct {
		name  string
		mount func(r *gin.Engine)
	}{
		{"route", func(r *gin.Engine) {
			r.Match([]string{http.MethodGet, http.MethodHead}, "/products/:id", newMiddleware(t, c, httpcache.WithNamespace("route")), handler)
		}},
		{"group", func(r *gin.Engine) {
			g := r.Group("/", newMiddleware(t, c, httpcache.WithNamespace("group")))
			g.Match([]string{http.MethodGet, http.MethodHead}, "/products/:id", handler)
		}},
		{"router.Use", func(r *gin.Engine) {
			r.Use(newMiddleware(t, c, httpcache.WithNamespace("use")))
			r.Match([]string{http.MethodGet, http.MethodHead}, "/products/:id", handler)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gin.New()
			tt.mount(r)
			expect(t, do(r, "GET", "/products/1"), 200, "MISS", "id 1")
			expect(t, do(r, "GET", "/products/2"), 200, "MISS", "id 2")
			expect(t, do(r, "GET", "/products/1"), 200, "HIT", "id 1")
			expect(t, do(r, "HEAD", "/products/2"), 200, "HIT", "")
		})
	}
}

// TestAlreadyWritten: a response that middleware before the cache wrote
// passes through, and the handlers still run.
func TestAlreadyWritten(t *testing.T) {
	var runs atomic.Int64
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Writer.WriteHeaderNow()
		c.Next()
	})
	r.GET("/w", newMiddleware(t, adaptertest.NewCache(t)), func(c *gin.Context) {
		runs.Add(1)
		_, _ = c.Writer.WriteString("direct")
	})
	for range 2 {
		expect(t, do(r, "GET", "/w"), 200, "", "direct")
	}
	if runs.Load() != 2 {
		t.Errorf("handler ran %d times, want 2", runs.Load())
	}
}

// TestNothingWritten: a handler that only sets a status gets it sent, as
// Gin sends it at the end of the chain, and stored when it may be.
func TestNothingWritten(t *testing.T) {
	tests := []struct {
		name   string
		status int
		want   string // X-Cache of the second request
	}{
		{"no status", 0, "HIT"},
		{"204", http.StatusNoContent, "HIT"},
		{"404", http.StatusNotFound, "MISS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := gin.New()
			r.GET("/n", newMiddleware(t, adaptertest.NewCache(t)), func(c *gin.Context) {
				if tt.status != 0 {
					c.Status(tt.status)
				}
			})
			want := tt.status
			if want == 0 {
				want = http.StatusOK
			}
			expect(t, do(r, "GET", "/n"), want, "MISS", "")
			expect(t, do(r, "GET", "/n"), want, tt.want, "")
		})
	}
}

// TestStreaming: c.Stream's flushes reach the client through the cache,
// and the finished stream is stored and replayed whole.
func TestStreaming(t *testing.T) {
	r := gin.New()
	r.GET("/s", newMiddleware(t, adaptertest.NewCache(t)), func(c *gin.Context) {
		i := 0
		c.Stream(func(w io.Writer) bool {
			fmt.Fprintf(w, "chunk %d;", i)
			i++
			return i < 3
		})
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	for _, want := range []string{"MISS", "HIT"} {
		res, err := http.Get(srv.URL + "/s")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if got := res.Header.Get("X-Cache"); got != want || string(b) != "chunk 0;chunk 1;chunk 2;" {
			t.Fatalf("X-Cache %q body %q; want %s and the three chunks", got, b, want)
		}
	}
}

// TestBadOption: a bad option is an error from Middleware.
func TestBadOption(t *testing.T) {
	_, err := hoardgin.Middleware(adaptertest.NewCache(t), httpcache.WithMaxBodySize(-1))
	if err == nil || !strings.Contains(err.Error(), "max body size") {
		t.Fatalf("err = %v, want the bad option named", err)
	}
}
