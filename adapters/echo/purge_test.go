package hoardecho_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	hoard "github.com/hoard-go/hoard/core"

	hoardecho "github.com/hoard-go/hoard/adapters/echo"
)

// TestPurgeHandler: the adapter's purge endpoint needs an authoriser,
// refuses what it refuses and invalidates tags otherwise.
func TestPurgeHandler(t *testing.T) {
	c := newCache(t)
	if _, err := hoardecho.PurgeHandler(c, nil); err == nil {
		t.Fatal("built without an authoriser")
	}
	h, err := hoardecho.PurgeHandler(c, func(r *http.Request) error {
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

func servePurge(t *testing.T, h echo.HandlerFunc, r *http.Request) int {
	e := echo.New()
	e.POST("/purge", h)
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w.Code
}
