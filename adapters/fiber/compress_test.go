package hoardfiber_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"github.com/hoard-go/hoard/core/httpcache"
)

var text = strings.Repeat("compressible text ", 200)

// get sends a GET with Accept-Encoding ae and returns X-Cache, the
// Content-Encoding and the decoded body.
func getEncoded(t *testing.T, app *fiber.App, ae string) (xcache, encoding, body string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/t", nil)
	if ae != "" {
		req.Header.Set("Accept-Encoding", ae)
	}
	res, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	encoding = res.Header.Get("Content-Encoding")
	if encoding == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return res.Header.Get("X-Cache"), encoding, string(b)
}

func TestCompress(t *testing.T) {
	type step struct{ ae, xcache, encoding string }
	tests := []struct {
		name    string
		outside bool // compress registered before the cache
		opts    []httpcache.Option
		steps   []step
		runs    int64
	}{
		{
			name: "outside: plain stored, compressed on the way out", outside: true,
			steps: []step{{"gzip", "MISS", "gzip"}, {"gzip", "HIT", "gzip"}, {"", "HIT", ""}},
			runs:  1,
		},
		{
			// compress says Vary: Accept-Encoding: each encoding is a
			// variant of the URL's entry.
			name:  "inside: stored per encoding as variants",
			steps: []step{{"gzip", "MISS", "gzip"}, {"gzip", "HIT", "gzip"}, {"", "MISS", ""}, {"", "HIT", ""}, {"gzip", "HIT", "gzip"}},
			runs:  2,
		},
		{
			name: "inside with vary: stored per encoding", opts: []httpcache.Option{httpcache.WithVaryBy("Accept-Encoding")},
			steps: []step{{"gzip", "MISS", "gzip"}, {"", "MISS", ""}, {"gzip", "HIT", "gzip"}, {"", "HIT", ""}},
			runs:  2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := fiber.New()
			cache := mustMiddleware(t, newCache(t), tc.opts...)
			z := compress.New(compress.Config{Level: compress.LevelBestSpeed})
			var runs atomic.Int64
			h := func(c *fiber.Ctx) error {
				runs.Add(1)
				return c.SendString(text)
			}
			if tc.outside {
				app.Get("/t", z, cache, h)
			} else {
				app.Get("/t", cache, z, h)
			}
			for i, s := range tc.steps {
				xcache, enc, body := getEncoded(t, app, s.ae)
				if xcache != s.xcache || enc != s.encoding || body != text {
					t.Fatalf("step %d (Accept-Encoding %q): X-Cache %q, Content-Encoding %q, body ok %v; want %q, %q",
						i, s.ae, xcache, enc, body == text, s.xcache, s.encoding)
				}
			}
			if runs.Load() != tc.runs {
				t.Errorf("handler ran %d times, want %d", runs.Load(), tc.runs)
			}
		})
	}
}
