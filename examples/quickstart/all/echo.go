package main

import (
	"net/http"

	echo "github.com/labstack/echo/v4"

	hoardecho "github.com/hoard-go/hoard/adapters/echo"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// getOrHead are the methods of every GET route: Echo routes HEAD only
// where it is registered (e.GET alone answers HEAD with 405).
var getOrHead = []string{http.MethodGet, http.MethodHead}

// newEchoServer serves the demo with Echo and hoardecho.
func newEchoServer(d *demo.Demo) (demo.Server, error) {
	cache, err := hoardecho.Middleware(d.Cache(), demo.ReportOptions...)
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Match(getOrHead, "/", func(c echo.Context) error {
		return c.String(http.StatusOK, d.Index())
	})
	e.Match(getOrHead, "/report", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, d.Report())
	}, cache)
	e.Match(getOrHead, "/square", func(c echo.Context) error {
		code, body := d.SquareOf(c.Request().Context(), c.QueryParam("n"))
		return c.String(code, body)
	})
	e.POST("/clear", func(c echo.Context) error {
		code, body := d.Clear(c.Request().Context(), c.QueryParam("ns"))
		return c.String(code, body)
	})
	e.Match(getOrHead, "/stats", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, d.Stats())
	})
	return demo.NewHTTPServer(e), nil
}
