package bench

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"time"

	echocache "github.com/SporkHubr/echo-http-cache"
	echocachememory "github.com/SporkHubr/echo-http-cache/adapter/memory"
	gincache "github.com/chenyahui/gin-cache"
	gincachepersist "github.com/chenyahui/gin-cache/persist"
	"github.com/gin-gonic/gin"
	fiberv2 "github.com/gofiber/fiber/v2"
	fiberv2cache "github.com/gofiber/fiber/v2/middleware/cache"
	fiberv3 "github.com/gofiber/fiber/v3"
	fiberv3cache "github.com/gofiber/fiber/v3/middleware/cache"
	echo "github.com/labstack/echo/v4"
	"github.com/valyala/fasthttp"

	hoardecho "github.com/hoard-go/hoard/adapters/echo"
	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"
	hoardgin "github.com/hoard-go/hoard/adapters/gin"
	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// PeerTTL is how long the peers keep an entry: longer than any run.
const PeerTTL = time.Hour

// Target is one framework serving [Path], bare or behind a cache.
type Target struct {
	// Name is "framework/variant", e.g. "nethttp/bare" or "fiber/hoard".
	Name string
	// HTTP is set for the net/http family (net/http, Gin, Echo).
	HTTP http.Handler
	// Fast is set for Fiber: the app's fasthttp handler.
	Fast fasthttp.RequestHandler

	serve func(net.Listener) error
	close func() error
}

// Serve serves the target on ln until Close.
func (t *Target) Serve(ln net.Listener) error { return t.serve(ln) }

// Close stops serving.
func (t *Target) Close() error { return t.close() }

// builder makes a target; c is nil for the targets without hoard.
type builder struct {
	hoard bool
	build func(o *Origin, c *hoard.Cache, opts []httpcache.Option) (*Target, error)
}

// bare is the builder of a target without hoard or a peer cache.
func bare(build func(o *Origin) *Target) builder {
	return builder{false, func(o *Origin, _ *hoard.Cache, _ []httpcache.Option) (*Target, error) { return build(o), nil }}
}

var builders = map[string]builder{
	"nethttp/bare":         bare(func(o *Origin) *Target { return httpTarget(netHTTPOrigin(o)) }),
	"nethttp/hoard":        {true, hoardNetHTTP},
	"nethttp/bare-headers": bare(func(o *Origin) *Target { return httpTarget(netHTTPHitHeaders(o)) }),
	"gin/bare":             bare(func(o *Origin) *Target { return httpTarget(ginApp(o, nil)) }),
	"gin/gin-cache":        {false, ginCache},
	"gin/hoard":            {true, hoardGin},
	"gin/hoard-outside":    {true, hoardAroundGin},
	"echo/bare":            bare(func(o *Origin) *Target { return httpTarget(echoApp(o, nil)) }),
	"echo/bare-headers":    bare(func(o *Origin) *Target { return httpTarget(echoHitHeaders(o)) }),
	"echo/hoard":           {true, hoardEcho},
	"echo/echo-http-cache": {false, echoHTTPCache},
	"fiber/bare":           bare(func(o *Origin) *Target { return fiberV2Target(fiberV2App(o, nil)) }),
	"fiber/bare-headers":   bare(func(o *Origin) *Target { return fiberV2Target(fiberV2HitHeaders(o)) }),
	"fiber/hoard":          {true, hoardFiber},
	"fiber/fiber-cache":    {false, fiberV2Cache},
	"fiberv3/bare":         bare(func(o *Origin) *Target { return fiberV3Target(fiberV3App(o, nil)) }),
	"fiberv3/fiber-cache":  {false, fiberV3Cache},
}

// Names lists every target, sorted.
func Names() []string {
	names := make([]string, 0, len(builders))
	for n := range builders {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// UsesHoard reports whether the named target needs a *hoard.Cache.
func UsesHoard(name string) bool { return builders[name].hoard }

// Build makes the named target around o. Targets using hoard need c and
// pass opts to hoard's middleware; the others ignore both. Each call builds
// a fresh app with an empty peer cache.
func Build(name string, o *Origin, c *hoard.Cache, opts ...httpcache.Option) (*Target, error) {
	b, ok := builders[name]
	if !ok {
		return nil, fmt.Errorf("bench: unknown target %q", name)
	}
	if b.hoard && c == nil {
		return nil, fmt.Errorf("bench: target %q needs a hoard cache", name)
	}
	t, err := b.build(o, c, opts)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	t.Name = name
	return t, nil
}

// net/http family.

func httpTarget(h http.Handler) *Target {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return &Target{
		HTTP: h,
		serve: func(ln net.Listener) error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
		close: srv.Close,
	}
}

func netHTTPOrigin(o *Origin) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		o.run()
		w.Header().Set("Content-Type", ContentType)
		_, _ = w.Write(o.Body)
	})
}

// HitHeaders are the header fields a hoard hit on [Path] sends besides
// Content-Type (values as the memory-backend hit sends them).
var HitHeaders = [][2]string{
	{"Etag", `"dac96504a1d376f6"`},
	{"Age", "0"},
	{"Content-Length", "1024"},
	{"Cache-Control", "max-age=300"},
	{"X-Cache", "HIT"},
	{"Cache-Status", "hoard; hit"},
}

// netHTTPHitHeaders is the bare handler writing the same header fields as
// a hoard hit: the floor for a hit that sends them through net/http's
// Header.Set.
func netHTTPHitHeaders(o *Origin) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		o.run()
		h := w.Header()
		h.Set("Content-Type", ContentType)
		for _, f := range HitHeaders {
			h.Set(f[0], f[1])
		}
		_, _ = w.Write(o.Body)
	})
}

func hoardNetHTTP(o *Origin, c *hoard.Cache, opts []httpcache.Option) (*Target, error) {
	mw, err := hoardhttp.Middleware(c, opts...)
	if err != nil {
		return nil, err
	}
	return httpTarget(mw(netHTTPOrigin(o))), nil
}

// Lean are the options of a hit with the fewest header fields: no X-Cache
// (Cache-Status says the same) and no Cache-Control added to responses
// that set none.
var Lean = []httpcache.Option{httpcache.WithCacheHeader(""), httpcache.WithMaxAgeHeader(false)}

func init() { gin.SetMode(gin.ReleaseMode) }

func ginApp(o *Origin, mw gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	h := func(c *gin.Context) {
		o.run()
		c.Data(http.StatusOK, ContentType, o.Body)
	}
	if mw != nil {
		r.GET(Path, mw, h)
	} else {
		r.GET(Path, h)
	}
	return r
}

func ginCache(o *Origin, _ *hoard.Cache, _ []httpcache.Option) (*Target, error) {
	store := gincachepersist.NewMemoryStore(PeerTTL)
	return httpTarget(ginApp(o, gincache.CacheByRequestURI(store, PeerTTL))), nil
}

// hoardGin is hoard's Gin adapter on the route, where gin-cache goes.
func hoardGin(o *Origin, c *hoard.Cache, opts []httpcache.Option) (*Target, error) {
	mw, err := hoardgin.Middleware(c, opts...)
	if err != nil {
		return nil, err
	}
	return httpTarget(ginApp(o, mw)), nil
}

// hoardAroundGin is hoard's net/http middleware around the whole Gin
// engine: a hit is answered before Gin routes the request, which the
// adapter (a route middleware) cannot do, at the price of per-route
// options.
func hoardAroundGin(o *Origin, c *hoard.Cache, opts []httpcache.Option) (*Target, error) {
	mw, err := hoardhttp.Middleware(c, opts...)
	if err != nil {
		return nil, err
	}
	return httpTarget(mw(ginApp(o, nil))), nil
}

func echoApp(o *Origin, mw echo.MiddlewareFunc) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Logger.SetOutput(io.Discard)
	h := func(c echo.Context) error {
		o.run()
		return c.Blob(http.StatusOK, ContentType, o.Body)
	}
	if mw != nil {
		e.GET(Path, h, mw)
	} else {
		e.GET(Path, h)
	}
	return e
}

// echoHitHeaders is the bare Echo app writing the same header fields as a
// hoard hit, set by a middleware in hoard's place.
func echoHitHeaders(o *Origin) *echo.Echo {
	return echoApp(o, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			for _, f := range HitHeaders {
				h.Set(f[0], f[1])
			}
			return next(c)
		}
	})
}

func hoardEcho(o *Origin, c *hoard.Cache, opts []httpcache.Option) (*Target, error) {
	mw, err := hoardecho.Middleware(c, opts...)
	if err != nil {
		return nil, err
	}
	return httpTarget(echoApp(o, mw)), nil
}

func echoHTTPCache(o *Origin, _ *hoard.Cache, _ []httpcache.Option) (*Target, error) {
	store, err := echocachememory.NewAdapter(
		echocachememory.AdapterWithAlgorithm(echocachememory.LRU),
		echocachememory.AdapterWithCapacity(1_000_000),
	)
	if err != nil {
		return nil, err
	}
	client, err := echocache.NewClient(echocache.ClientWithAdapter(store), echocache.ClientWithTTL(PeerTTL))
	if err != nil {
		return nil, err
	}
	return httpTarget(echoApp(o, client.Middleware())), nil
}

// Fiber v2 (the version hoardfiber adapts).

func fiberV2App(o *Origin, mw fiberv2.Handler) *fiberv2.App {
	app := fiberv2.New(fiberv2.Config{DisableStartupMessage: true})
	h := func(c *fiberv2.Ctx) error {
		o.run()
		c.Set(fiberv2.HeaderContentType, ContentType)
		return c.Send(o.Body)
	}
	if mw != nil {
		app.Get(Path, mw, h)
	} else {
		app.Get(Path, h)
	}
	return app
}

// fiberV2HitHeaders is the bare Fiber app writing the same header fields
// as a hoard hit, set by a middleware in hoard's place the cheapest way
// fasthttp offers (canonical names; Content-Length left to fasthttp, as
// hoard's adapter does): the floor for a hit that sends them.
func fiberV2HitHeaders(o *Origin) *fiberv2.App {
	var fields [][2][]byte
	for _, f := range HitHeaders {
		if f[0] != fiberv2.HeaderContentLength {
			fields = append(fields, [2][]byte{[]byte(f[0]), []byte(f[1])})
		}
	}
	return fiberV2App(o, func(c *fiberv2.Ctx) error {
		h := &c.Response().Header
		for _, f := range fields {
			h.SetCanonical(f[0], f[1])
		}
		return c.Next()
	})
}

func fiberV2Target(app *fiberv2.App) *Target {
	return &Target{HTTP: nil, Fast: app.Handler(), serve: app.Listener, close: app.Shutdown}
}

func hoardFiber(o *Origin, c *hoard.Cache, opts []httpcache.Option) (*Target, error) {
	mw, err := hoardfiber.Middleware(c, opts...)
	if err != nil {
		return nil, err
	}
	return fiberV2Target(fiberV2App(o, mw)), nil
}

func fiberV2Cache(o *Origin, _ *hoard.Cache, _ []httpcache.Option) (*Target, error) {
	return fiberV2Target(fiberV2App(o, fiberv2cache.New(fiberv2cache.Config{Expiration: PeerTTL}))), nil
}

// Fiber v3.

func fiberV3App(o *Origin, mw fiberv3.Handler) *fiberv3.App {
	app := fiberv3.New()
	h := func(c fiberv3.Ctx) error {
		o.run()
		c.Set(fiberv3.HeaderContentType, ContentType)
		return c.Send(o.Body)
	}
	if mw != nil {
		app.Get(Path, mw, h)
	} else {
		app.Get(Path, h)
	}
	return app
}

func fiberV3Target(app *fiberv3.App) *Target {
	return &Target{
		Fast: app.Handler(),
		serve: func(ln net.Listener) error {
			return app.Listener(ln, fiberv3.ListenConfig{DisableStartupMessage: true})
		},
		close: app.Shutdown,
	}
}

func fiberV3Cache(o *Origin, _ *hoard.Cache, _ []httpcache.Option) (*Target, error) {
	return fiberV3Target(fiberV3App(o, fiberv3cache.New(fiberv3cache.Config{Expiration: PeerTTL}))), nil
}
