package hoardfiber_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"time"

	"github.com/gofiber/fiber/v2"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"
)

func Example() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		log.Fatal(err)
	}
	cache, err := hoardfiber.Middleware(c, httpcache.WithTTL(time.Minute))
	if err != nil {
		log.Fatal(err)
	}

	app := fiber.New()
	app.Get("/hello", cache, func(c *fiber.Ctx) error {
		return c.SendString("hello, " + c.Query("name", "world"))
	})

	for _, target := range []string{"/hello?name=gopher", "/hello?name=gopher", "/hello"} {
		res, err := app.Test(httptest.NewRequest("GET", target, nil))
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Printf("%-4s %s %q\n", res.Header.Get("X-Cache"), res.Header.Get("Cache-Control"), body)
	}
	// Output:
	// MISS max-age=60 "hello, gopher"
	// HIT  max-age=60 "hello, gopher"
	// MISS max-age=60 "hello, world"
}

// Middleware on a group: every route of the group is cached in its own
// namespace, which Clear drops at once; the responses vary by language.
func ExampleMiddleware_group() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		log.Fatal(err)
	}
	cache, err := hoardfiber.Middleware(c,
		httpcache.WithNamespace("catalog"),
		httpcache.WithVaryBy("Accept-Language"),
	)
	if err != nil {
		log.Fatal(err)
	}

	app := fiber.New()
	catalog := app.Group("/catalog", cache)
	catalog.Get("/:id", func(c *fiber.Ctx) error {
		c.Vary(fiber.HeaderAcceptLanguage)
		if c.Get(fiber.HeaderAcceptLanguage) == "fr" {
			return c.SendString("produit " + c.Params("id"))
		}
		return c.SendString("product " + c.Params("id"))
	})

	get := func(lang string) {
		req := httptest.NewRequest("GET", "/catalog/7", nil)
		req.Header.Set("Accept-Language", lang)
		res, err := app.Test(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		fmt.Printf("%s %-4s %s\n", lang, res.Header.Get("X-Cache"), body)
	}
	get("en")
	get("fr")
	get("en")
	if err := c.ClearNamespace(context.Background(), "catalog"); err != nil {
		log.Fatal(err)
	}
	get("fr")
	// Output:
	// en MISS product 7
	// fr MISS produit 7
	// en HIT  product 7
	// fr MISS produit 7
}
