package backendtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Invalidation through the backend: tags and URL purges are written by one
// Cache and must be seen by another over the same backend (another
// process).

// caches returns two Caches over one backend, as two processes sharing it.
func (e *env) caches() (a, b *hoard.Cache) {
	e.t.Helper()
	for _, c := range []**hoard.Cache{&a, &b} {
		var err error
		*c, err = hoard.New(e.b, hoard.WithPrefix(e.prefix))
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return a, b
}

// counter is a load function returning how many times it ran.
type counter struct{ n atomic.Int64 }

func (c *counter) load(context.Context) (int64, error) { return c.n.Add(1), nil }

// remember calls hoard.Remember on c and fails the test on an error.
func remember(t *testing.T, c *hoard.Cache, key string, load func(context.Context) (int64, error), opts ...hoard.CallOption) int64 {
	t.Helper()
	v, err := hoard.Remember(t.Context(), c, key, time.Hour, load, opts...)
	if err != nil {
		t.Fatalf("Remember(%q): %v", key, err)
	}
	return v
}

// tags: a tagged function result is a miss once another process
// invalidates one of its tags; an untagged one, or one with other tags,
// is not.
func (s *suite) tags(t *testing.T) {
	e := s.env(t)
	a, b := e.caches()
	var tagged, other, untagged counter
	for range 2 {
		remember(t, a, "p:1", tagged.load, hoard.Tags("product:1", "catalog"))
		remember(t, a, "p:2", other.load, hoard.Tags("product:2"))
		remember(t, a, "plain", untagged.load)
	}
	if tagged.n.Load() != 1 {
		t.Fatalf("a tagged result was loaded %d times before any invalidation", tagged.n.Load())
	}
	if err := b.InvalidateTags(t.Context(), []string{"product:1"}); err != nil {
		t.Fatal(err)
	}
	if v := remember(t, a, "p:1", tagged.load, hoard.Tags("product:1", "catalog")); v != 2 {
		t.Errorf("after its tag was invalidated: %d, want a new load", v)
	}
	if v := remember(t, a, "p:1", tagged.load, hoard.Tags("product:1", "catalog")); v != 2 {
		t.Errorf("the result stored after the invalidation: %d, want it kept", v)
	}
	if other.n.Load() != 1 || untagged.n.Load() != 1 {
		t.Errorf("other results loaded again: %d, %d", other.n.Load(), untagged.n.Load())
	}
	// SetValue and GetValue carry tags too.
	if err := hoard.SetValue(t.Context(), a, "v", "x", time.Hour, hoard.Tags("catalog")); err != nil {
		t.Fatal(err)
	}
	if err := b.InvalidateTags(t.Context(), []string{"catalog"}); err != nil {
		t.Fatal(err)
	}
	if _, err := hoard.GetValue[string](t.Context(), a, "v"); !errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("GetValue of an invalidated value: %v, want ErrNotFound", err)
	}
}

// tagsAcrossNamespaces: an invalidation reaches every namespace, or only
// the one OnlyNamespace names.
func (s *suite) tagsAcrossNamespaces(t *testing.T) {
	e := s.env(t)
	a, b := e.caches()
	users, orders := a.Namespace("users"), a.Namespace("orders")
	var u, o counter
	remember(t, users, "1", u.load, hoard.Tags("account:7"))
	remember(t, orders, "1", o.load, hoard.Tags("account:7"))
	if err := b.InvalidateTags(t.Context(), []string{"account:7"}, hoard.OnlyNamespace("users")); err != nil {
		t.Fatal(err)
	}
	if remember(t, users, "1", u.load, hoard.Tags("account:7")) != 2 || remember(t, orders, "1", o.load, hoard.Tags("account:7")) != 1 {
		t.Fatalf("OnlyNamespace(users): users loaded %d times, orders %d; want 2, 1", u.n.Load(), o.n.Load())
	}
	if err := b.InvalidateTags(t.Context(), []string{"account:7"}); err != nil {
		t.Fatal(err)
	}
	if remember(t, users, "1", u.load, hoard.Tags("account:7")) != 3 || remember(t, orders, "1", o.load, hoard.Tags("account:7")) != 2 {
		t.Fatalf("every namespace: users loaded %d times, orders %d; want 3, 2", u.n.Load(), o.n.Load())
	}
}

// softTags: a soft invalidation makes a tagged result stale, not gone: a
// call that accepts it stale gets it at once while one background load
// replaces it; a call that does not loads again.
func (s *suite) softTags(t *testing.T) {
	e := s.env(t)
	a, b := e.caches()
	var n counter
	swr := hoard.StaleWhileRevalidate(time.Hour)
	remember(t, a, "k", n.load, hoard.Tags("t"), swr)
	if err := b.InvalidateTags(t.Context(), []string{"t"}, hoard.Soft()); err != nil {
		t.Fatal(err)
	}
	if v := remember(t, a, "k", n.load, hoard.Tags("t"), swr); v != 1 {
		t.Fatalf("after a soft invalidation: %d, want the stale 1 at once", v)
	}
	// (A read that fetched the old entry as the refresh replaced it may
	// start one more refresh: wait for any new value.)
	for deadline := time.Now().Add(5 * time.Second); remember(t, a, "k", n.load, hoard.Tags("t"), swr) == 1; {
		if time.Now().After(deadline) {
			t.Fatal("the background load did not replace the softly invalidated result")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A hard invalidation after a soft one drops it.
	if err := b.InvalidateTags(t.Context(), []string{"t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := hoard.GetValue[int64](t.Context(), a, "k"); !errors.Is(err, hoard.ErrNotFound) {
		t.Errorf("after a hard invalidation: %v, want ErrNotFound", err)
	}
}

// purgeURL: httpcache.PurgeURL by another process drops every stored
// response of the URL, its variants (from the response's Vary) included,
// and no other URL's.
func (s *suite) purgeURL(t *testing.T) {
	e := s.env(t)
	a, b := e.caches()
	var runs atomic.Int64
	engine, err := httpcache.New(a)
	if err != nil {
		t.Fatal(err)
	}
	h := engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs.Add(1)
		w.Header().Set("Vary", "Accept-Language")
		fmt.Fprintf(w, "%s in %s", r.URL.Path, r.Header.Get("Accept-Language"))
	}))
	get := func(path, lang string) string {
		r := httptest.NewRequest("GET", "http://shop.example"+path, nil)
		r.Header.Set("Accept-Language", lang)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Header().Get("X-Cache")
	}
	for _, lang := range []string{"en", "fr"} {
		get("/p/1", lang)
		get("/p/2", lang)
		if x := get("/p/1", lang); x != "HIT" {
			t.Fatalf("/p/1 in %s: %s before the purge, want HIT", lang, x)
		}
	}
	if err := httpcache.PurgeURL(t.Context(), b, "http://shop.example/p/1"); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr"} {
		if x := get("/p/1", lang); x != "MISS" {
			t.Errorf("/p/1 in %s after the purge: %s, want MISS", lang, x)
		}
		if x := get("/p/2", lang); x != "HIT" {
			t.Errorf("/p/2 in %s after /p/1's purge: %s, want HIT", lang, x)
		}
	}
}

// tagStateLost: a tag's state that goes missing (evicted) makes the
// entries carrying the tag misses, never valid again: an invalidation may
// have gone with it.
func (s *suite) tagStateLost(t *testing.T) {
	e := s.env(t)
	a, _ := e.caches()
	var n counter
	remember(t, a, "k", n.load, hoard.Tags("t"))
	remember(t, a, "k", n.load, hoard.Tags("t"))
	if n.n.Load() != 1 {
		t.Fatalf("loaded %d times before the state was lost", n.n.Load())
	}
	// The states' keys, as the Cache names them (every namespace's and the
	// entry's own), evicted.
	for _, scope := range []string{"*", ""} {
		if err := e.b.Delete(e.ctx, hoard.JoinKey(e.prefix, "_tags", scope+"/t")); err != nil {
			t.Fatal(err)
		}
	}
	if v := remember(t, a, "k", n.load, hoard.Tags("t")); v != 2 {
		t.Errorf("after its tag's state was lost: %d, want a new load", v)
	}
	if v := remember(t, a, "k", n.load, hoard.Tags("t")); v != 2 {
		t.Errorf("the result stored after that: %d, want it kept", v)
	}
}
