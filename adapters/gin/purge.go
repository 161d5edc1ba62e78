package hoardgin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// PurgeHandler is httpcache.PurgeHandler as a Gin handler: POST a JSON
// httpcache.PurgeRequest (URLs to purge, tags to invalidate). authorize
// is required.
//
//	purge, err := hoardgin.PurgeHandler(c, checkPurgeToken)
//	r.POST("/internal/purge", purge)
func PurgeHandler(c *hoard.Cache, authorize func(*http.Request) error, opts ...httpcache.Option) (gin.HandlerFunc, error) {
	h, err := httpcache.PurgeHandler(c, authorize, opts...)
	if err != nil {
		return nil, err
	}
	return gin.WrapH(h), nil
}
