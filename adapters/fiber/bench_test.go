package hoardfiber_test

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	fibercache "github.com/gofiber/fiber/v2/middleware/cache"
	"github.com/valyala/fasthttp"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"
)

// jsonBody is a 1 KiB JSON document.
var jsonBody = []byte(`{"items":"` + strings.Repeat("x", 1024-len(`{"items":""}`)) + `"}`)

func items(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(jsonBody)
}

// benchApp serves items at /items behind mw (none when nil).
func benchApp(mw fiber.Handler) *fiber.App {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	if mw != nil {
		app.Get("/items", mw, items)
	} else {
		app.Get("/items", items)
	}
	return app
}

func hoardMiddleware(b *testing.B) fiber.Handler {
	store, err := memory.New(memory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	c, err := hoard.New(store)
	if err != nil {
		b.Fatal(err)
	}
	mw, err := hoardfiber.Middleware(c)
	if err != nil {
		b.Fatal(err)
	}
	return mw
}

// serve drives app's handler directly with a reused RequestCtx, fasthttp's
// benchmark pattern: no sockets, no pipe, only the handler chain.
func serve(b *testing.B, app *fiber.App, parallel bool, hit string) {
	h := app.Handler()
	newCtx := func() *fasthttp.RequestCtx {
		var req fasthttp.Request
		req.Header.SetMethod(fasthttp.MethodGet) // else Method() allocates its default
		req.SetRequestURI("http://api.example/items?page=1")
		ctx := new(fasthttp.RequestCtx)
		ctx.Init(&req, nil, nil)
		return ctx
	}
	warm := newCtx()
	h(warm) // the first request fills the cache
	if got := len(warm.Response.Body()); got != len(jsonBody) {
		b.Fatalf("warm-up body: %d bytes", got)
	}
	if hit != "" {
		check := newCtx()
		h(check)
		if got := string(check.Response.Header.Peek("X-Cache")); got != hit {
			b.Fatalf("second request: X-Cache %q, want %q", got, hit)
		}
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonBody)))
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			ctx := newCtx()
			for pb.Next() {
				ctx.Response.Reset()
				h(ctx)
			}
		})
		return
	}
	ctx := newCtx()
	for b.Loop() {
		ctx.Response.Reset()
		h(ctx)
		if len(ctx.Response.Body()) != len(jsonBody) {
			b.Fatalf("body: %d bytes", len(ctx.Response.Body()))
		}
	}
}

func fiberCache() fiber.Handler {
	return fibercache.New(fibercache.Config{Expiration: time.Hour})
}

func BenchmarkBare(b *testing.B)       { serve(b, benchApp(nil), false, "") }
func BenchmarkHoardHit(b *testing.B)   { serve(b, benchApp(hoardMiddleware(b)), false, "HIT") }
func BenchmarkFiberCache(b *testing.B) { serve(b, benchApp(fiberCache()), false, "hit") }

func BenchmarkBareParallel(b *testing.B)       { serve(b, benchApp(nil), true, "") }
func BenchmarkHoardHitParallel(b *testing.B)   { serve(b, benchApp(hoardMiddleware(b)), true, "HIT") }
func BenchmarkFiberCacheParallel(b *testing.B) { serve(b, benchApp(fiberCache()), true, "hit") }

// floor answers like a hoard hit without the engine: the same header
// fields, set the way the adapter sets them, and the body. The gap between
// BenchmarkHoardHit and this is the engine's cost.
func floor() fiber.Handler {
	fields := []httpcache.Field{
		{Name: "Content-Type", Value: fiber.MIMEApplicationJSON},
		{Name: "Etag", Value: `"dac96504a1d376f6"`},
		{Name: "Age", Value: "0"},
		{Name: "Content-Length", Value: "1024"},
		{Name: "Cache-Control", Value: "max-age=300"},
		{Name: "X-Cache", Value: "HIT"},
		{Name: "Cache-Status", Value: "hoard; hit"},
	}
	return func(c *fiber.Ctx) error {
		resp := c.Response()
		hoardfiber.WriteFieldsForBench(&resp.Header, fields, true)
		resp.SetStatusCode(200)
		resp.SetBodyRaw(jsonBody)
		resp.Header.Set("X-Cache", "HIT") // what serve checks for
		return nil
	}
}

func BenchmarkFloor(b *testing.B)         { serve(b, benchApp(floor()), false, "HIT") }
func BenchmarkFloorParallel(b *testing.B) { serve(b, benchApp(floor()), true, "HIT") }

// The Served benchmarks run the same routes through fasthttp's server on
// an in-memory connection: the request is parsed and the response written
// as on a socket, and fasthttp stamps each request with its time, which
// hoard reuses instead of reading the clock. Closer to what a client sees
// than the handler-only benchmarks, with the same ranking to judge.

// servedConn hands a fasthttp server the same request, one per Read, for
// as long as more says, and discards the responses (keeping the last one's
// head when keep is set).
type servedConn struct {
	req  []byte
	more func() bool
	keep bool
	last []byte
}

func (c *servedConn) Read(p []byte) (int, error) {
	if !c.more() {
		return 0, io.EOF
	}
	return copy(p, c.req), nil
}

func (c *servedConn) Write(p []byte) (int, error) {
	if c.keep {
		c.last = append(c.last[:0], p...)
	}
	return len(p), nil
}

func (c *servedConn) Close() error                     { return nil }
func (c *servedConn) LocalAddr() net.Addr              { return servedAddr }
func (c *servedConn) RemoteAddr() net.Addr             { return servedAddr }
func (c *servedConn) SetDeadline(time.Time) error      { return nil }
func (c *servedConn) SetReadDeadline(time.Time) error  { return nil }
func (c *servedConn) SetWriteDeadline(time.Time) error { return nil }

var servedAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}

var servedRequest = []byte("GET /items?page=1 HTTP/1.1\r\nHost: api.example\r\nAccept: application/json\r\n\r\n")

func served(b *testing.B, app *fiber.App, parallel bool, hit string) {
	srv := &fasthttp.Server{Handler: app.Handler()}
	// Two requests: the first fills the cache, the second must be a hit.
	n := 0
	warm := &servedConn{req: servedRequest, keep: true, more: func() bool { n++; return n <= 2 }}
	if err := srv.ServeConn(warm); err != nil {
		b.Fatal(err)
	}
	if hit != "" && !bytes.Contains(warm.last, []byte("X-Cache: "+hit)) {
		b.Fatalf("second response is not a hit:\n%s", warm.last)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(jsonBody)))
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			if err := srv.ServeConn(&servedConn{req: servedRequest, more: pb.Next}); err != nil {
				b.Error(err)
			}
		})
		return
	}
	i := 0
	if err := srv.ServeConn(&servedConn{req: servedRequest, more: func() bool { i++; return i <= b.N }}); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkServedBare(b *testing.B) { served(b, benchApp(nil), false, "") }
func BenchmarkServedHoardHit(b *testing.B) {
	served(b, benchApp(hoardMiddleware(b)), false, "HIT")
}
func BenchmarkServedFiberCache(b *testing.B)   { served(b, benchApp(fiberCache()), false, "hit") }
func BenchmarkServedBareParallel(b *testing.B) { served(b, benchApp(nil), true, "") }
func BenchmarkServedHoardHitParallel(b *testing.B) {
	served(b, benchApp(hoardMiddleware(b)), true, "HIT")
}
func BenchmarkServedFiberCacheParallel(b *testing.B) { served(b, benchApp(fiberCache()), true, "hit") }
