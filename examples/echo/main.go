// Command echo caches an Echo API with hoardecho: per-route options, a
// response that varies by a request header, a per-user route, and
// invalidation when data changes. The memory backend needs no server.
//
//	go run ./examples/echo -addr 127.0.0.1:8080
//	curl -i 127.0.0.1:8080/products/7                          # MISS, then HIT
//	curl -i -H 'Accept-Language: fr' 127.0.0.1:8080/greeting   # cached per language
//	curl -i -H 'Authorization: Bearer alice' 127.0.0.1:8080/me # cached per credential
//	curl -i -X POST 127.0.0.1:8080/products/7                  # update: clears "products"
package main

import (
	"errors"
	"flag"
	"log"
	"net/http"
	"time"

	echo "github.com/labstack/echo/v4"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardecho "github.com/hoard-go/hoard/adapters/echo"
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
	e, err := newEcho(c)
	if err != nil {
		log.Fatal(err)
	}
	if err := e.Start(*addr); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newEcho mounts the API. Each route gets its own middleware, so each has
// its own options; a bad option is an error here, not at request time.
func newEcho(c *hoard.Cache) (*echo.Echo, error) {
	products, err := hoardecho.Middleware(c, httpcache.WithNamespace("products"), httpcache.WithTTL(5*time.Minute))
	if err != nil {
		return nil, err
	}
	// The greeting depends on Accept-Language: key on it. Without
	// WithVaryBy the response (which says Vary: Accept-Language) is not
	// stored at all, rather than served in the wrong language.
	greeting, err := hoardecho.Middleware(c, httpcache.WithVaryBy("Accept-Language"))
	if err != nil {
		return nil, err
	}
	// Requests with Authorization are never cached unless the route opts
	// in; then a hash of the credential is part of the key.
	perUser, err := hoardecho.Middleware(c, httpcache.WithAuthorization(true), httpcache.WithTTL(10*time.Second))
	if err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner = true
	e.GET("/products/:id", func(ctx echo.Context) error {
		time.Sleep(50 * time.Millisecond) // the database
		id := ctx.Param("id")
		return ctx.JSON(http.StatusOK, map[string]string{"id": id, "name": "product " + id})
	}, products)
	e.POST("/products/:id", func(ctx echo.Context) error {
		// ... update the product, then drop every cached product response,
		// on every instance sharing the backend.
		if err := c.ClearNamespace(ctx.Request().Context(), "products"); err != nil {
			return err
		}
		return ctx.NoContent(http.StatusNoContent)
	})
	e.GET("/greeting", func(ctx echo.Context) error {
		ctx.Response().Header().Set("Vary", "Accept-Language")
		if ctx.Request().Header.Get("Accept-Language") == "fr" {
			return ctx.String(http.StatusOK, "bonjour")
		}
		return ctx.String(http.StatusOK, "hello")
	}, greeting)
	e.GET("/me", func(ctx echo.Context) error {
		return ctx.String(http.StatusOK, "you are "+ctx.Request().Header.Get("Authorization"))
	}, perUser)
	return e, nil
}
