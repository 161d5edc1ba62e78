package main

import (
	"net/http"

	echo "github.com/labstack/echo/v4"

	hoardecho "github.com/hoard-go/hoard/adapters/echo"
)

// newEchoServer serves the demo with Echo and hoardecho.
func newEchoServer(d *demo) (server, error) {
	cache, err := hoardecho.Middleware(d.cache, reportOptions...)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/report", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, d.report())
	}, cache)
	e.GET("/square", func(c echo.Context) error {
		code, body := d.squareOf(c.Request().Context(), c.QueryParam("n"))
		return c.String(code, body)
	})
	e.POST("/clear", func(c echo.Context) error {
		code, body := d.clear(c.Request().Context(), c.QueryParam("ns"))
		return c.String(code, body)
	})
	e.GET("/stats", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, d.stats())
	})
	return newHTTPServer(e), nil
}
