package hoardecho_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	echo "github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/httpcache"

	hoardecho "github.com/hoard-go/hoard/adapters/echo"
)

func newMiddleware(t testing.TB, c *hoard.Cache, opts ...httpcache.Option) echo.MiddlewareFunc {
	t.Helper()
	mw, err := hoardecho.Middleware(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

func serve(t *testing.T, e *echo.Echo) string {
	t.Helper()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv.URL
}

// expect checks a GET's status, X-Cache and body.
func expect(t *testing.T, url string, status int, xcache, body string, hdr ...string) *http.Response {
	t.Helper()
	res, got := get(t, url, hdr...)
	if res.StatusCode != status || res.Header.Get("X-Cache") != xcache || got != body {
		t.Fatalf("GET %s: %d X-Cache=%q body=%q; want %d X-Cache=%q body=%q", url, res.StatusCode, res.Header.Get("X-Cache"), got, status, xcache, body)
	}
	return res
}

// TestErrorReturnedUnchanged: a handler's error reaches Echo's error
// handler as the same value, and nothing is stored, even when the error
// handler answers 200 (which the cache would store if it still captured).
func TestErrorReturnedUnchanged(t *testing.T) {
	httpErr := echo.NewHTTPError(http.StatusTeapot, "short and stout")
	plainErr := errors.New("database down")
	tests := []struct {
		name    string
		err     error
		partial bool // the handler wrote a body before failing
	}{
		{"HTTPError", httpErr, false},
		{"PlainError", plainErr, false},
		{"WrappedError", fmt.Errorf("loading: %w", plainErr), false},
		{"AfterPartialWrite", plainErr, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var handled []error
			var runs atomic.Int64
			e := newEcho()
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				mu.Lock()
				handled = append(handled, err)
				mu.Unlock()
				if !c.Response().Committed {
					_ = c.String(http.StatusOK, "fallback page")
				}
			}
			e.GET("/e", func(c echo.Context) error {
				if runs.Add(1) == 1 {
					if tc.partial {
						_ = c.String(http.StatusOK, "partial")
					}
					return tc.err
				}
				return c.String(http.StatusOK, "fine")
			}, newMiddleware(t, adaptertest.NewCache(t)))
			url := serve(t, e) + "/e"

			res, body := get(t, url)
			want := "fallback page"
			if tc.partial {
				want = "partial"
			}
			if res.StatusCode != http.StatusOK || body != want {
				t.Fatalf("failing request: %d %q, want 200 %q", res.StatusCode, body, want)
			}
			// A partial write committed a 200 before the handler failed: its
			// headers went out as they were. Otherwise the error handler's
			// answer must carry nothing from the cache.
			if cc := res.Header.Get("Cache-Control"); cc != "" && !tc.partial {
				t.Errorf("error response got Cache-Control %q", cc)
			}
			mu.Lock()
			if len(handled) != 1 || handled[0] != tc.err {
				t.Errorf("error handler got %v, want exactly %v (the same value)", handled, tc.err)
			}
			mu.Unlock()
			expect(t, url, http.StatusOK, "MISS", "fine") // the failure stored nothing
			expect(t, url, http.StatusOK, "HIT", "fine")
			if n := runs.Load(); n != 2 {
				t.Errorf("handler ran %d times, want 2", n)
			}
		})
	}
}

// TestPanicStoresNothing: Recover outside the cache turns a panic into
// Echo's error handler; its answer, written after the middleware unwound,
// is never stored.
func TestPanicStoresNothing(t *testing.T) {
	var runs atomic.Int64
	e := newEcho()
	e.HTTPErrorHandler = func(_ error, c echo.Context) { _ = c.String(http.StatusOK, "fallback page") }
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	e.Use(newMiddleware(t, adaptertest.NewCache(t)))
	e.GET("/p", func(c echo.Context) error {
		if runs.Add(1) == 1 {
			panic("boom")
		}
		return c.String(http.StatusOK, "fine")
	})
	url := serve(t, e) + "/p"
	expect(t, url, http.StatusOK, "MISS", "fallback page")
	expect(t, url, http.StatusOK, "MISS", "fine")
	expect(t, url, http.StatusOK, "HIT", "fine")
}

// TestStream covers c.Stream: a finite stream is stored, an event stream
// never, and one over the size limit reaches the client whole, unstored.
func TestStream(t *testing.T) {
	big := strings.Repeat("line of a large export\n", 1000)
	tests := []struct {
		name        string
		contentType string
		body        string
		stored      bool
	}{
		{"Finite", "application/x-ndjson", "{\"n\":1}\n{\"n\":2}\n", true},
		{"ServerSentEvents", "text/event-stream", "data: 1\n\ndata: 2", false},
		{"OverLimit", "text/plain", big, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var runs atomic.Int64
			e := newEcho()
			e.GET("/s", func(c echo.Context) error {
				runs.Add(1)
				return c.Stream(http.StatusOK, tc.contentType, strings.NewReader(tc.body))
			}, newMiddleware(t, adaptertest.NewCache(t), httpcache.WithMaxBodySize(4<<10)))
			url := serve(t, e) + "/s"
			want := strings.TrimSpace(tc.body)
			expect(t, url, http.StatusOK, "MISS", want)
			second := "MISS"
			if tc.stored {
				second = "HIT"
			}
			res := expect(t, url, http.StatusOK, second, want)
			if ct := res.Header.Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tc.contentType)
			}
			if want := map[bool]int64{true: 1, false: 2}[tc.stored]; runs.Load() != want {
				t.Errorf("handler ran %d times, want %d", runs.Load(), want)
			}
		})
	}
}

// TestFlushReachesClient: each c.Response().Flush reaches the client
// before the handler goes on, for an event stream (never stored).
func TestFlushReachesClient(t *testing.T) {
	next := make(chan struct{})
	e := newEcho()
	e.GET("/events", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, "text/event-stream")
		c.Response().WriteHeader(http.StatusOK)
		for i := range 3 {
			if i > 0 {
				select {
				case <-next:
				case <-time.After(10 * time.Second):
					return errors.New("client never read the flushed event")
				}
			}
			fmt.Fprintf(c.Response(), "data: %d\n", i)
			c.Response().Flush()
		}
		return nil
	}, newMiddleware(t, adaptertest.NewCache(t)))
	url := serve(t, e) + "/events"
	for round := range 2 {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		if res.Header.Get("X-Cache") != "MISS" {
			t.Fatalf("round %d: X-Cache %q, want MISS (event streams are never stored)", round, res.Header.Get("X-Cache"))
		}
		br := bufio.NewReader(res.Body)
		for i := range 3 {
			line, err := br.ReadString('\n')
			if want := fmt.Sprintf("data: %d\n", i); line != want || err != nil {
				t.Fatalf("round %d: event %d = %q, %v; want %q", round, i, line, err, want)
			}
			if i < 2 {
				next <- struct{}{}
			}
		}
		res.Body.Close()
	}
}

// TestBeforeAfterHooks: headers set by Before hooks, registered outside
// the cache or by the handler, are on the MISS and the HIT; After hooks
// run on both; the original writer is back when the middleware returns.
func TestBeforeAfterHooks(t *testing.T) {
	var after atomic.Int64
	var restored atomic.Bool
	restored.Store(true)
	e := newEcho()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			orig := res.Writer
			res.Before(func() { res.Header().Set("X-Outer-Before", "yes") })
			res.After(func() { after.Add(1) })
			err := next(c)
			if res.Writer != orig {
				restored.Store(false)
			}
			return err
		}
	})
	e.Use(newMiddleware(t, adaptertest.NewCache(t)))
	e.GET("/hooks", func(c echo.Context) error {
		c.Response().Before(func() { c.Response().Header().Set("X-Handler-Before", "yes") })
		return c.String(http.StatusOK, "hooked")
	})
	url := serve(t, e) + "/hooks"
	for i, want := range []string{"MISS", "HIT"} {
		res := expect(t, url, http.StatusOK, want, "hooked")
		for _, name := range []string{"X-Outer-Before", "X-Handler-Before"} {
			if v := res.Header.Values(name); len(v) != 1 || v[0] != "yes" {
				t.Errorf("%s: %s = %q, want one \"yes\"", want, name, v)
			}
		}
		if n := after.Load(); n != int64(i+1) {
			t.Errorf("%s: After hooks ran %d times in all, want %d", want, n, i+1)
		}
	}
	if !restored.Load() {
		t.Error("c.Response().Writer was not restored after the middleware returned")
	}
}

// TestAlreadyCommitted: a response that outer middleware committed before
// the cache ran passes through untouched and is never stored.
func TestAlreadyCommitted(t *testing.T) {
	var runs atomic.Int64
	e := newEcho()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().WriteHeader(http.StatusOK)
			_, _ = io.WriteString(c.Response(), "early ")
			return next(c)
		}
	})
	e.Use(newMiddleware(t, adaptertest.NewCache(t)))
	e.GET("/c", func(c echo.Context) error {
		runs.Add(1)
		_, err := io.WriteString(c.Response(), "late")
		return err
	})
	url := serve(t, e) + "/c"
	for range 2 {
		res := expect(t, url, http.StatusOK, "", "early late")
		if cs := res.Header.Get("Cache-Status"); cs != "" {
			t.Fatalf("Cache-Status %q on a response committed before the cache ran", cs)
		}
	}
	if runs.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2", runs.Load())
	}
}

// TestPathParams: the key is the request's path, not the route pattern.
func TestPathParams(t *testing.T) {
	var runs atomic.Int64
	e := newEcho()
	e.GET("/users/:id", func(c echo.Context) error {
		runs.Add(1)
		return c.String(http.StatusOK, "user "+c.Param("id"))
	}, newMiddleware(t, adaptertest.NewCache(t)))
	base := serve(t, e)
	expect(t, base+"/users/1", http.StatusOK, "MISS", "user 1")
	expect(t, base+"/users/2", http.StatusOK, "MISS", "user 2")
	expect(t, base+"/users/1", http.StatusOK, "HIT", "user 1")
	expect(t, base+"/users/2", http.StatusOK, "HIT", "user 2")
	expect(t, base+"/users/1?tab=posts", http.StatusOK, "MISS", "user 1")
	if runs.Load() != 3 {
		t.Fatalf("handler ran %d times, want 3", runs.Load())
	}
}

// TestMounting uses the middleware on the server, a group and one route;
// routes it does not wrap get no cache headers.
func TestMounting(t *testing.T) {
	hello := func(c echo.Context) error { return c.String(http.StatusOK, "hello "+c.Path()) }
	tests := []struct {
		name     string
		mount    func(e *echo.Echo, mw echo.MiddlewareFunc)
		uncached string // a path the middleware does not wrap, or ""
	}{
		{"Server", func(e *echo.Echo, mw echo.MiddlewareFunc) {
			e.Use(mw)
			e.GET("/api/x", hello)
		}, ""},
		{"Group", func(e *echo.Echo, mw echo.MiddlewareFunc) {
			g := e.Group("/api", mw)
			g.GET("/x", hello)
			e.GET("/other", hello)
		}, "/other"},
		{"GroupUse", func(e *echo.Echo, mw echo.MiddlewareFunc) {
			g := e.Group("/api")
			g.Use(mw)
			g.GET("/x", hello)
			e.GET("/other", hello)
		}, "/other"},
		{"Route", func(e *echo.Echo, mw echo.MiddlewareFunc) {
			e.GET("/api/x", hello, mw)
			e.GET("/other", hello)
		}, "/other"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEcho()
			tc.mount(e, newMiddleware(t, adaptertest.NewCache(t), httpcache.WithTTL(time.Minute)))
			base := serve(t, e)
			res := expect(t, base+"/api/x", http.StatusOK, "MISS", "hello /api/x")
			if cc := res.Header.Get("Cache-Control"); cc != "max-age=60" {
				t.Errorf("MISS Cache-Control %q, want max-age=60 from WithTTL", cc)
			}
			expect(t, base+"/api/x", http.StatusOK, "HIT", "hello /api/x")
			if tc.uncached != "" {
				expect(t, base+tc.uncached, http.StatusOK, "", "hello "+tc.uncached)
			}
		})
	}
}

func TestMiddlewareBadOption(t *testing.T) {
	c := adaptertest.NewCache(t)
	tests := []struct {
		name  string
		cache *hoard.Cache
		opts  []httpcache.Option
	}{
		{"NilCache", nil, nil},
		{"NilOption", c, []httpcache.Option{nil}},
		{"MaxBodySize", c, []httpcache.Option{httpcache.WithMaxBodySize(0)}},
		{"Status", c, []httpcache.Option{httpcache.WithStatuses(700)}},
		{"Namespace", c, []httpcache.Option{httpcache.WithNamespace("has space")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mw, err := hoardecho.Middleware(tc.cache, tc.opts...)
			if !errors.Is(err, hoard.ErrInvalidOption) || mw != nil {
				t.Fatalf("Middleware = %v, %v; want nil, hoard.ErrInvalidOption", mw != nil, err)
			}
		})
	}
}

// TestHijackNeverStored: a handler that takes over the connection through
// c.Response().Hijack gets it, and nothing is stored.
func TestHijackNeverStored(t *testing.T) {
	var runs atomic.Int64
	e := newEcho()
	e.GET("/raw", func(c echo.Context) error {
		runs.Add(1)
		conn, rw, err := c.Response().Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw ok")
		return rw.Flush()
	}, newMiddleware(t, adaptertest.NewCache(t)))
	url := serve(t, e) + "/raw"
	for range 2 {
		expect(t, url, http.StatusOK, "", "raw ok")
	}
	if runs.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2", runs.Load())
	}
}
