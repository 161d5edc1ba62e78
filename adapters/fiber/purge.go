package hoardfiber

import (
	"net/http"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// PurgeHandler is httpcache.PurgeHandler as a Fiber handler (through
// Fiber's net/http adaptor): POST a JSON httpcache.PurgeRequest (URLs to
// purge, tags to invalidate). authorize is required; it sees the request
// converted to net/http.
//
//	purge, err := hoardfiber.PurgeHandler(c, checkPurgeToken)
//	app.Post("/internal/purge", purge)
func PurgeHandler(c *hoard.Cache, authorize func(*http.Request) error, opts ...httpcache.Option) (fiber.Handler, error) {
	h, err := httpcache.PurgeHandler(c, authorize, opts...)
	if err != nil {
		return nil, err
	}
	return adaptor.HTTPHandler(h), nil
}
