package hoardfiber_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	hoard "github.com/hoard-go/hoard/core"

	hoardfiber "github.com/hoard-go/hoard/adapters/fiber"
)

// TestPurgeHandler: the adapter's purge endpoint needs an authoriser,
// refuses what it refuses and invalidates tags otherwise.
func TestPurgeHandler(t *testing.T) {
	c := newCache(t)
	if _, err := hoardfiber.PurgeHandler(c, nil); err == nil {
		t.Fatal("built without an authoriser")
	}
	h, err := hoardfiber.PurgeHandler(c, func(r *http.Request) error {
		if r.Header.Get("X-Purge-Token") != "s3cret" {
			return errors.New("no")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := hoard.SetValue(t.Context(), c, "k", "v", time.Hour, hoard.Tags("t")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		token string
		want  int
	}{{"", http.StatusForbidden}, {"guess", http.StatusForbidden}, {"s3cret", http.StatusNoContent}} {
		r := httptest.NewRequest(http.MethodPost, "/purge", strings.NewReader(`{"tags": ["t"]}`))
		r.Header.Set("Content-Type", "application/json")
		if tc.token != "" {
			r.Header.Set("X-Purge-Token", tc.token)
		}
		if got := servePurge(t, h, r); got != tc.want {
			t.Fatalf("token %q: %d, want %d", tc.token, got, tc.want)
		}
		_, err := hoard.GetValue[string](t.Context(), c, "k")
		if purged := errors.Is(err, hoard.ErrNotFound); purged != (tc.want == http.StatusNoContent) {
			t.Fatalf("token %q: purged %v", tc.token, purged)
		}
	}
}

func servePurge(t *testing.T, h fiber.Handler, r *http.Request) int {
	app := fiber.New()
	app.Post("/purge", h)
	resp, err := app.Test(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
