package hoardfiber_test

import (
	"bufio"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"

	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"
)

func TestConformance(t *testing.T) {
	// fasthttp closes a body stream it replaces, so the flushed stream of
	// SetBodyStreamWriter cannot be put behind the engine's reader.
	adaptertest.Run(t, newServer, adaptertest.FlushedStreamsNotStored(), adaptertest.ServerDate(),
		adaptertest.WithPurgeServer(newPurgeServer))
}

// newPurgeServer serves the adapter's purge handler on a Fiber app.
func newPurgeServer(t *testing.T, c *hoard.Cache, authorize func(*http.Request) error) (string, error) {
	h, err := hoardfiber.PurgeHandler(c, authorize)
	if err != nil {
		return "", err
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/purge", h)
	return listen(t, app) + "/purge", nil
}

// newServer mounts the suite's routes on a Fiber app listening on a free
// port of 127.0.0.1.
func newServer(t *testing.T, c *hoard.Cache, routes []adaptertest.Route) string {
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		// The suite sends ~12 KB request headers; fasthttp's default
		// buffer (4 KiB) would answer 431 before any handler runs.
		ReadBufferSize: 64 << 10,
	})
	app.Use(recover.New()) // a panicking handler answers 500; the app lives on
	for _, r := range routes {
		mw, err := hoardfiber.Middleware(c, r.Options...)
		if err != nil {
			t.Fatal(err)
		}
		app.All(r.Path, outerFields(r.Outer), mw, nativeHandler(r.Handler))
	}
	return listen(t, app)
}

// listen serves app on 127.0.0.1 until the test ends.
func listen(t testing.TB, app *fiber.App) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	t.Cleanup(func() {
		if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// outerFields is middleware outside the cache that sets fields on the
// response before the cache runs: a route's Outer fields.
func outerFields(fields [][2]string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		for _, kv := range fields {
			c.Response().Header.Add(kv[0], kv[1])
		}
		return c.Next()
	}
}

// nativeHandler carries out an adaptertest.Handler the way a Fiber handler
// would.
func nativeHandler(h *adaptertest.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		hdr := http.Header{}
		c.Request().Header.VisitAll(func(k, v []byte) { hdr.Add(string(k), string(v)) })
		uri := c.Request().URI()
		resp := h.Respond(adaptertest.Request{
			Method: c.Method(),
			Host:   string(c.Request().Host()),
			Path:   string(uri.PathOriginal()),
			Query:  string(uri.QueryString()),
			Header: hdr,
		})
		if resp.Panic {
			panic("adaptertest: handler panics")
		}
		if resp.Err {
			return fiber.ErrInternalServerError
		}
		for _, kv := range resp.Header {
			c.Response().Header.Add(kv[0], kv[1])
		}
		for _, kv := range resp.RawHeader {
			// fasthttp normalises names unless the app disabled it.
			c.Response().Header.Add(kv[0], kv[1])
		}
		if resp.Status != 0 {
			c.Status(resp.Status)
		}
		if resp.Stream {
			chunks, gate := resp.Chunks, resp.Gate
			c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
				for i, chunk := range chunks {
					if i > 0 && gate != nil {
						gate(i)
					}
					// A write to a client that left fails; the handler
					// writes on, as one that does not check would.
					_, _ = w.WriteString(chunk)
					_ = w.Flush()
				}
			})
			return nil
		}
		return c.SendString(resp.Body())
	}
}
