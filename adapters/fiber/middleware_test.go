package hoardfiber_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"
)

// newCache is adaptertest.NewCache, under the name the package's other
// tests use.
func newCache(t testing.TB) *hoard.Cache { return adaptertest.NewCache(t) }

func mustMiddleware(t testing.TB, c *hoard.Cache, opts ...httpcache.Option) fiber.Handler {
	t.Helper()
	mw, err := hoardfiber.Middleware(c, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return mw
}

type result struct {
	status int
	header http.Header
	body   string
	err    error // reading the body
}

// do sends a request through app.Test (an in-memory connection).
func do(t *testing.T, app *fiber.App, method, target string, hdr ...string) result {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header[hdr[i]] = append(req.Header[hdr[i]], hdr[i+1]) // as given: no canonicalisation
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return result{status: res.StatusCode, header: res.Header, body: string(b), err: err}
}

func (r result) check(t *testing.T, status int, xcache, body string) {
	t.Helper()
	if r.err != nil || r.status != status || r.header.Get("X-Cache") != xcache || r.body != body {
		t.Fatalf("got %d X-Cache=%q body=%q err=%v; want %d %q %q\n%v", r.status, r.header.Get("X-Cache"), r.body, r.err, status, xcache, body, r.header)
	}
}

func TestMiddlewareOptions(t *testing.T) {
	if _, err := hoardfiber.Middleware(nil); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("nil cache: %v, want ErrInvalidOption", err)
	}
	if _, err := hoardfiber.Middleware(newCache(t), httpcache.WithMaxBodySize(0)); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("bad option: %v, want ErrInvalidOption", err)
	}
}

// TestMounting: app.Use, a group and a single route each cache their own
// routes, with their own options.
func TestMounting(t *testing.T) {
	c := newCache(t)
	app := fiber.New()
	var runs atomic.Int64
	h := func(c *fiber.Ctx) error {
		runs.Add(1)
		return c.SendString("at " + c.Path())
	}
	api := app.Group("/api", mustMiddleware(t, c, httpcache.WithNamespace("api")))
	api.Get("/a", h)
	app.Get("/one", mustMiddleware(t, c, httpcache.WithCacheHeader("X-One")), h)
	app.Get("/plain", h)
	sub := fiber.New()
	sub.Use(mustMiddleware(t, c, httpcache.WithNamespace("sub")))
	sub.Get("/b", h)
	app.Mount("/sub", sub)

	for range 2 {
		do(t, app, "GET", "/api/a")
		do(t, app, "GET", "/sub/b")
	}
	do(t, app, "GET", "/api/a").check(t, 200, "HIT", "at /api/a")
	do(t, app, "GET", "/sub/b").check(t, 200, "HIT", "at /sub/b")
	do(t, app, "GET", "/one")
	if r := do(t, app, "GET", "/one"); r.header.Get("X-One") != "HIT" || r.body != "at /one" {
		t.Errorf("single route: X-One=%q body=%q", r.header.Get("X-One"), r.body)
	}
	do(t, app, "GET", "/plain").check(t, 200, "", "at /plain")
	if n := runs.Load(); n != 4 {
		t.Errorf("handlers ran %d times, want 4 (one per cached route, one uncached)", n)
	}
	if err := c.ClearNamespace(t.Context(), "api"); err != nil {
		t.Fatal(err)
	}
	do(t, app, "GET", "/api/a").check(t, 200, "MISS", "at /api/a")
	do(t, app, "GET", "/sub/b").check(t, 200, "HIT", "at /sub/b")
}

// TestHandlerErrorUnchanged: Fiber's error handler gets the handler's own
// error value, and nothing is stored.
func TestHandlerErrorUnchanged(t *testing.T) {
	errTeapot := fiber.NewError(fiber.StatusTeapot, "short and stout")
	var got error
	app := fiber.New(fiber.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		got = err
		return c.Status(fiber.StatusTeapot).SendString("handled")
	}})
	fail := true
	app.Get("/e", mustMiddleware(t, newCache(t)), func(c *fiber.Ctx) error {
		if fail {
			c.Set("X-Partial", "1")
			_ = c.SendString("partial")
			return errTeapot
		}
		return c.SendString("fine")
	})
	do(t, app, "GET", "/e").check(t, fiber.StatusTeapot, "MISS", "handled")
	if got != errTeapot {
		t.Fatalf("error handler got %v, want the handler's error itself", got)
	}
	fail = false
	do(t, app, "GET", "/e").check(t, 200, "MISS", "fine")
	do(t, app, "GET", "/e").check(t, 200, "HIT", "fine")
}

// TestOuterHeadersNotStored: headers an outer middleware sets before hoard
// runs are its own on every request, never replayed from the entry.
func TestOuterHeadersNotStored(t *testing.T) {
	app := fiber.New()
	var n atomic.Int64
	app.Use(func(c *fiber.Ctx) error {
		c.Set("X-Request-Id", fmt.Sprint(n.Add(1)))
		return c.Next()
	})
	app.Get("/r", mustMiddleware(t, newCache(t)), func(c *fiber.Ctx) error {
		c.Set("X-Handler", "yes")
		return c.SendString("body")
	})
	do(t, app, "GET", "/r").check(t, 200, "MISS", "body")
	r := do(t, app, "GET", "/r")
	r.check(t, 200, "HIT", "body")
	if ids := r.header.Values("X-Request-Id"); len(ids) != 1 || ids[0] != "2" {
		t.Errorf("hit X-Request-Id = %q, want the outer middleware's fresh [2]", ids)
	}
	if r.header.Get("X-Handler") != "yes" {
		t.Errorf("hit lost the handler's header: %v", r.header)
	}
}

// TestUserContextReachesCache: the context an app sets with
// SetUserContext is the one hoard's lookups, stores and events get, on a
// miss and on a hit; without one, they get a context all the same.
func TestUserContextReachesCache(t *testing.T) {
	type key struct{}
	var seen []any
	var mu sync.Mutex
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	c, err := hoard.New(store, hoard.WithObserver(hoard.ObserverFunc(func(ctx context.Context, ev hoard.Event) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, ctx.Value(key{}))
	})))
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error {
		if c.Query("ctx") != "" {
			c.SetUserContext(context.WithValue(c.UserContext(), key{}, c.Query("ctx")))
		}
		return c.Next()
	})
	app.Get("/r", mustMiddleware(t, c), func(c *fiber.Ctx) error { return c.SendString("body") })

	for _, tc := range []struct {
		target, xcache string
		want           any
	}{
		{"/r?ctx=a", "MISS", "a"},
		{"/r?ctx=a", "HIT", "a"},
		{"/r", "MISS", nil},
		{"/r", "HIT", nil},
	} {
		mu.Lock()
		seen = nil
		mu.Unlock()
		do(t, app, "GET", tc.target).check(t, 200, tc.xcache, "body")
		mu.Lock()
		if len(seen) == 0 {
			t.Errorf("%s (%s): no event observed", tc.target, tc.xcache)
		}
		for _, v := range seen {
			if v != tc.want {
				t.Errorf("%s (%s): event context carries %v, want %v", tc.target, tc.xcache, v, tc.want)
			}
		}
		mu.Unlock()
	}
}

// TestDisableHeaderNormalizing: with names kept as sent, lower-case
// request and response fields must still be seen.
func TestDisableHeaderNormalizing(t *testing.T) {
	app := fiber.New(fiber.Config{DisableHeaderNormalizing: true})
	mw := mustMiddleware(t, newCache(t))
	app.Get("/auth", mw, func(c *fiber.Ctx) error {
		return c.SendString("secret for " + string(c.Request().Header.Peek("authorization")))
	})
	app.Get("/nostore", mw, func(c *fiber.Ctx) error {
		c.Response().Header.Set("cache-control", "no-store")
		return c.SendString("fresh")
	})
	app.Get("/names", mw, func(c *fiber.Ctx) error {
		c.Response().Header.Set("x-custom", "v")
		return c.SendString("named")
	})
	do(t, app, "GET", "/auth", "authorization", "Bearer alice").check(t, 200, "BYPASS", "secret for Bearer alice")
	do(t, app, "GET", "/auth", "cache-control", "no-store").check(t, 200, "BYPASS", "secret for ")
	do(t, app, "GET", "/nostore").check(t, 200, "MISS", "fresh")
	do(t, app, "GET", "/nostore").check(t, 200, "MISS", "fresh")
	do(t, app, "GET", "/names").check(t, 200, "MISS", "named")
	r := do(t, app, "GET", "/names")
	r.check(t, 200, "HIT", "named")
	if r.header.Get("X-Custom") != "v" {
		t.Errorf("hit lost x-custom: %v", r.header)
	}
}

// countingReader is a stream with a Close, counted.
type countingReader struct {
	io.Reader
	closed *atomic.Int64
}

func (r countingReader) Close() error { r.closed.Add(1); return nil }

// failingReader yields some bytes, then an error.
type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("backend gone")
	}
	k := copy(p, strings.Repeat("x", min(len(p), r.n)))
	r.n -= k
	return k, nil
}

func TestStreams(t *testing.T) {
	body := strings.Repeat("stream body ", 100)
	var closed atomic.Int64
	file := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		send    func(c *fiber.Ctx) error
		opts    []httpcache.Option
		stored  bool
		length  string // Content-Length of the MISS ("" = chunked)
		maxAge  bool   // Cache-Control: max-age on the MISS
		closers int64  // Close calls after two requests
	}{
		{name: "unknown size", send: func(c *fiber.Ctx) error { return c.SendStream(strings.NewReader(body)) }, stored: true, maxAge: true},
		{name: "known size", send: func(c *fiber.Ctx) error { return c.SendStream(strings.NewReader(body), len(body)) }, stored: true, length: fmt.Sprint(len(body)), maxAge: true},
		{name: "limited reader", send: func(c *fiber.Ctx) error {
			return c.SendStream(&io.LimitedReader{R: strings.NewReader(body + "ignored"), N: int64(len(body))})
		}, stored: true, length: fmt.Sprint(len(body)), maxAge: true},
		// fasthttp closes a stream it replaces: one with a Close method
		// cannot be put behind the engine's reader through fasthttp's API,
		// so it passes through unstored (as do the pipe of
		// SetBodyStreamWriter and a file).
		{name: "closer", send: func(c *fiber.Ctx) error {
			return c.SendStream(countingReader{strings.NewReader(body), &closed})
		}, closers: 2},
		{name: "stream writer", send: func(c *fiber.Ctx) error {
			c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
				for i := 0; i < len(body); i += 100 {
					_, _ = w.WriteString(body[i:min(i+100, len(body))])
					_ = w.Flush()
				}
			})
			return nil
		}},
		{name: "send file", send: func(c *fiber.Ctx) error { return c.SendFile(file) },
			length: fmt.Sprint(len(body))},
		{name: "known size over limit", send: func(c *fiber.Ctx) error {
			return c.SendStream(countingReader{strings.NewReader(body), &closed}, len(body))
		}, opts: []httpcache.Option{httpcache.WithMaxBodySize(100)}, length: fmt.Sprint(len(body)), closers: 2},
		{name: "unknown size over limit", send: func(c *fiber.Ctx) error {
			return c.SendStream(strings.NewReader(body))
		}, opts: []httpcache.Option{httpcache.WithMaxBodySize(100)}, maxAge: true},
		{name: "event stream", send: func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, "text/event-stream")
			return c.SendStream(countingReader{strings.NewReader(body), &closed})
		}, closers: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			closed.Store(0)
			app := fiber.New()
			var runs atomic.Int64
			app.Get("/s", mustMiddleware(t, newCache(t), tc.opts...), func(c *fiber.Ctx) error {
				runs.Add(1)
				return tc.send(c)
			})
			first := do(t, app, "GET", "/s")
			first.check(t, 200, "MISS", body)
			if got := first.header.Get("Content-Length"); got != tc.length {
				t.Errorf("MISS Content-Length %q, want %q", got, tc.length)
			}
			if got := strings.HasPrefix(first.header.Get("Cache-Control"), "max-age="); got != tc.maxAge {
				t.Errorf("MISS Cache-Control %q; max-age wanted: %v", first.header.Get("Cache-Control"), tc.maxAge)
			}
			second := do(t, app, "GET", "/s")
			want, wantRuns := "MISS", int64(2)
			if tc.stored {
				want, wantRuns = "HIT", 1
			}
			second.check(t, 200, want, body)
			if runs.Load() != wantRuns {
				t.Errorf("handler ran %d times, want %d", runs.Load(), wantRuns)
			}
			if closed.Load() != tc.closers {
				t.Errorf("stream closed %d times, want %d", closed.Load(), tc.closers)
			}
		})
	}
}

// TestStreamErrorStoresNothing: a stream that fails midway is cut off and
// not stored.
func TestStreamErrorStoresNothing(t *testing.T) {
	app := fiber.New()
	var runs atomic.Int64
	app.Get("/s", mustMiddleware(t, newCache(t)), func(c *fiber.Ctx) error {
		if runs.Add(1) == 1 {
			return c.SendStream(&failingReader{n: 5000})
		}
		return c.SendString("whole")
	})
	// The client sees the response cut off: an error from app.Test or
	// from reading the body.
	if res, err := app.Test(httptest.NewRequest("GET", "/s", nil), -1); err == nil {
		_, err = io.ReadAll(res.Body)
		res.Body.Close()
		if err == nil {
			t.Fatal("the failed stream arrived whole")
		}
	}
	do(t, app, "GET", "/s").check(t, 200, "MISS", "whole")
	do(t, app, "GET", "/s").check(t, 200, "HIT", "whole")
}

// TestHeadOfStream: a HEAD for a streamed route runs the handler and stores
// nothing; the GET then fills the entry, and a HEAD hit has the length.
func TestHeadOfStream(t *testing.T) {
	body := "0123456789"
	app := fiber.New()
	app.Get("/s", mustMiddleware(t, newCache(t)), func(c *fiber.Ctx) error {
		return c.SendStream(strings.NewReader(body), len(body))
	})
	do(t, app, "HEAD", "/s").check(t, 200, "MISS", "")
	do(t, app, "GET", "/s").check(t, 200, "MISS", body)
	r := do(t, app, "HEAD", "/s")
	r.check(t, 200, "HIT", "")
	if r.header.Get("Content-Length") != "10" {
		t.Errorf("HEAD hit Content-Length %q, want 10", r.header.Get("Content-Length"))
	}
}

// TestHijackNotStored: a handler that takes the connection answers itself;
// what fasthttp's response object held is never stored.
func TestHijackNotStored(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	var runs atomic.Int64
	app.Get("/h", mustMiddleware(t, newCache(t)), func(c *fiber.Ctx) error {
		runs.Add(1)
		c.Context().HijackSetNoResponse(true)
		c.Context().Hijack(func(conn net.Conn) {
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nraw ok")
		})
		return c.SendString("never sent")
	})
	base := listen(t, app)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := range 2 {
		res, err := client.Get(base + "/h")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != "raw ok" {
			t.Fatalf("request %d: body %q, want the hijacker's", i, b)
		}
	}
	if runs.Load() != 2 {
		t.Fatalf("handler ran %d times, want 2: a hijacked response was stored", runs.Load())
	}
}
