package main

import (
	"context"
	"net"
	"strings"

	"github.com/gofiber/fiber/v2"

	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// fiberServer serves the demo with Fiber and hoardfiber.
type fiberServer struct{ app *fiber.App }

// newFiberServer mounts the demo; Fiber's Get registers HEAD too.
func newFiberServer(d *demo.Demo) (demo.Server, error) {
	cache, err := hoardfiber.Middleware(d.Cache(), demo.ReportOptions...)
	if err != nil {
		return nil, err
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error {
		return c.SendString(d.Index())
	})
	app.Get("/report", cache, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(d.Report())
	})
	app.Get("/square", func(c *fiber.Ctx) error {
		code, body := d.SquareOf(c.UserContext(), c.Query("n"))
		return c.Status(code).SendString(body)
	})
	app.Post("/clear", func(c *fiber.Ctx) error {
		// fasthttp reuses the query's bytes after the handler: copy.
		code, body := d.Clear(c.UserContext(), strings.Clone(c.Query("ns")))
		return c.Status(code).SendString(body)
	})
	app.Get("/stats", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(d.Stats())
	})
	return fiberServer{app}, nil
}

func (s fiberServer) Serve(ln net.Listener) error { return s.app.Listener(ln) }

func (s fiberServer) Shutdown(ctx context.Context) error { return s.app.ShutdownWithContext(ctx) }
