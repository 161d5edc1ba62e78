// Command fiber caches a Fiber API with hoardfiber: per-route options, a
// response that varies by a request header, a per-user route, and
// invalidation when data changes. The memory backend needs no server.
//
//	go run ./examples/fiber -addr 127.0.0.1:8080
//	curl -i 127.0.0.1:8080/products/7                          # MISS, then HIT
//	curl -i -H 'Accept-Language: fr' 127.0.0.1:8080/greeting   # cached per language
//	curl -i -H 'Authorization: Bearer alice' 127.0.0.1:8080/me # cached per credential
//	curl -i -X POST 127.0.0.1:8080/products/7                  # update: clears "products"
package main

import (
	"flag"
	"log"
	"time"

	"github.com/gofiber/fiber/v2"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := hoard.New(store, hoard.WithDefaultTTL(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	app, err := newApp(c)
	if err != nil {
		log.Fatal(err)
	}
	if err := app.Listen(*addr); err != nil {
		log.Fatal(err)
	}
}

// newApp mounts the API. Each route gets its own middleware, so each has
// its own options; a bad option is an error here, not at request time.
func newApp(c *hoard.Cache) (*fiber.App, error) {
	products, err := hoardfiber.Middleware(c, httpcache.WithNamespace("products"), httpcache.WithTTL(5*time.Minute))
	if err != nil {
		return nil, err
	}
	// The greeting depends on Accept-Language: key on it. Without
	// WithVaryBy the response (which says Vary: Accept-Language) is not
	// stored at all, rather than served in the wrong language.
	greeting, err := hoardfiber.Middleware(c, httpcache.WithVaryBy("Accept-Language"))
	if err != nil {
		return nil, err
	}
	// Requests with Authorization are never cached unless the route opts
	// in; then a hash of the credential is part of the key.
	perUser, err := hoardfiber.Middleware(c, httpcache.WithAuthorization(true), httpcache.WithTTL(10*time.Second))
	if err != nil {
		return nil, err
	}

	app := fiber.New()
	app.Get("/products/:id", products, func(ctx *fiber.Ctx) error {
		time.Sleep(50 * time.Millisecond) // the database
		id := ctx.Params("id")
		return ctx.JSON(fiber.Map{"id": id, "name": "product " + id})
	})
	app.Post("/products/:id", func(ctx *fiber.Ctx) error {
		// ... update the product, then drop every cached product response,
		// on every instance sharing the backend.
		if err := c.ClearNamespace(ctx.UserContext(), "products"); err != nil {
			return err
		}
		return ctx.SendStatus(fiber.StatusNoContent)
	})
	app.Get("/greeting", greeting, func(ctx *fiber.Ctx) error {
		ctx.Set(fiber.HeaderVary, fiber.HeaderAcceptLanguage)
		if ctx.Get(fiber.HeaderAcceptLanguage) == "fr" {
			return ctx.SendString("bonjour")
		}
		return ctx.SendString("hello")
	})
	app.Get("/me", perUser, func(ctx *fiber.Ctx) error {
		return ctx.SendString("you are " + ctx.Get(fiber.HeaderAuthorization))
	})
	return app, nil
}
