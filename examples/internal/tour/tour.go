// Package tour is what every backend example does with its Cache: the
// same few calls whatever the backend, so each example only has to show
// how its backend is built.
package tour

import (
	"context"
	"fmt"
	"io"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// User is the value the tour caches.
type User struct {
	ID   int
	Name string
}

// Run caches a user with hoard.Remember in namespace "users", clears the
// namespace and loads it again, printing what happens and the Cache's
// counters to w. It starts with a clear, so a second run against the same
// server prints the same.
func Run(ctx context.Context, c *hoard.Cache, w io.Writer) error {
	users := c.Namespace("users")
	loads := 0
	load := func(ctx context.Context) (User, error) {
		loads++ // a database query, in a real service
		return User{ID: 42, Name: "Ada"}, nil
	}
	clearUsers := func() error {
		if err := c.ClearNamespace(ctx, "users"); err != nil {
			return err
		}
		fmt.Fprintln(w, `cleared namespace "users"`)
		return nil
	}
	get := func() error {
		before := loads
		u, err := hoard.Remember(ctx, users, "42", time.Minute, load)
		if err != nil {
			return err
		}
		from := "the cache"
		if loads > before {
			from = "the loader"
		}
		fmt.Fprintf(w, "user 42 is %s, from %s\n", u.Name, from)
		return nil
	}
	for _, step := range []func() error{clearUsers, get, get, clearUsers, get} {
		if err := step(); err != nil {
			return err
		}
	}
	s := c.Stats()
	fmt.Fprintf(w, "stats: %d hits, %d misses, %d stores, %d errors; breaker %s\n", s.Hits, s.Misses, s.Stores, s.Errors, s.Breaker)
	return nil
}
