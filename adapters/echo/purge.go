package hoardecho

import (
	"net/http"

	"github.com/labstack/echo/v4"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// PurgeHandler is httpcache.PurgeHandler as an Echo handler: POST a JSON
// httpcache.PurgeRequest (URLs to purge, tags to invalidate). authorize
// is required; it sees the request as net/http does.
//
//	purge, err := hoardecho.PurgeHandler(c, checkPurgeToken)
//	e.POST("/internal/purge", purge)
func PurgeHandler(c *hoard.Cache, authorize func(*http.Request) error, opts ...httpcache.Option) (echo.HandlerFunc, error) {
	h, err := httpcache.PurgeHandler(c, authorize, opts...)
	if err != nil {
		return nil, err
	}
	return echo.WrapHandler(h), nil
}
