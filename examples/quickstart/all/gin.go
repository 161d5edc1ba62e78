package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	hoardgin "github.com/hoard-go/hoard/adapters/gin"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// newGinServer serves the demo with Gin and hoardgin. Like Echo, Gin
// routes HEAD only where it is registered: every GET route is a Match of
// GET and HEAD.
func newGinServer(d *demo.Demo) (demo.Server, error) {
	cache, err := hoardgin.Middleware(d.Cache(), demo.ReportOptions...)
	if err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.Match(getOrHead, "/", func(c *gin.Context) {
		c.String(http.StatusOK, d.Index())
	})
	r.Match(getOrHead, "/report", cache, func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", d.Report())
	})
	r.Match(getOrHead, "/square", func(c *gin.Context) {
		code, body := d.SquareOf(c.Request.Context(), c.Query("n"))
		c.String(code, body)
	})
	r.POST("/clear", func(c *gin.Context) {
		code, body := d.Clear(c.Request.Context(), c.Query("ns"))
		c.String(code, body)
	})
	r.Match(getOrHead, "/stats", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", d.Stats())
	})
	return demo.NewHTTPServer(r), nil
}
