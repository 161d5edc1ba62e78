package adaptertest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

// Scenarios of invalidation: tags from a response field and from the
// route, soft purges, RFC 9875 cache groups, and the purge endpoint.

// versioned is a handler serving "<path> v<n>" with extra fields, whose
// version can be bumped.
type versioned struct {
	mu      sync.Mutex
	version int
	header  func(r Request) [][2]string
}

func (v *versioned) bump() {
	v.mu.Lock()
	v.version++
	v.mu.Unlock()
}

func (v *versioned) handler() *Handler {
	return &Handler{Build: func(r Request) Response {
		v.mu.Lock()
		defer v.mu.Unlock()
		var hdr [][2]string
		if v.header != nil {
			hdr = v.header(r)
		}
		return Response{Header: hdr, Chunks: []string{fmt.Sprintf("%s v%d", r.Path, v.version)}}
	}}
}

// tagHeader: tags read from a response field (Surrogate-Key style) make
// the response invalidable by tag; the field does not reach the client.
func tagHeader(s *suite, t *testing.T) {
	v := &versioned{version: 1, header: func(r Request) [][2]string {
		return [][2]string{{"Surrogate-Key", "product" + strings.TrimPrefix(r.Path, "/p") + " catalog"}}
	}}
	opts := []httpcache.Option{httpcache.WithTagHeader("Surrogate-Key", false)}
	e := s.start(t, nil, []Route{{Path: "/p1", Handler: v.handler(), Options: opts}, {Path: "/p2", Handler: v.handler(), Options: opts}})
	for _, want := range []string{"MISS", "HIT"} {
		for _, p := range []string{"/p1", "/p2"} {
			r := e.get(p)
			e.expect(r, 200, want, p+" v1")
			if r.header.Get("Surrogate-Key") != "" {
				t.Fatalf("%s %s: Surrogate-Key %q reached the client", want, p, r.header.Get("Surrogate-Key"))
			}
		}
	}
	v.bump()
	if err := e.cache.InvalidateTags(t.Context(), []string{"product1"}); err != nil {
		t.Fatal(err)
	}
	e.expect(e.get("/p1"), 200, "MISS", "/p1 v2")
	e.expect(e.get("/p2"), 200, "HIT", "/p2 v1")
	if err := e.cache.InvalidateTags(t.Context(), []string{"catalog"}); err != nil {
		t.Fatal(err)
	}
	e.expect(e.get("/p1"), 200, "MISS", "/p1 v2")
	e.expect(e.get("/p2"), 200, "MISS", "/p2 v2")
}

// routeTags: a route's static tags and the tags its function picks per
// request.
func routeTags(s *suite, t *testing.T) {
	v := &versioned{version: 1}
	opts := []httpcache.Option{httpcache.WithTags("catalog"),
		httpcache.WithTagsFunc(func(r httpcache.Request) []string { return []string{"item" + strings.ReplaceAll(r.Path, "/", "-")} })}
	e := s.start(t, nil, []Route{{Path: "/a", Handler: v.handler(), Options: opts}, {Path: "/b", Handler: v.handler(), Options: opts}})
	e.get("/a")
	e.get("/b")
	v.bump()
	if err := e.cache.InvalidateTags(t.Context(), []string{"item-a"}); err != nil {
		t.Fatal(err)
	}
	e.expect(e.get("/a"), 200, "MISS", "/a v2")
	e.expect(e.get("/b"), 200, "HIT", "/b v1")
	if err := e.cache.InvalidateTags(t.Context(), []string{"catalog"}); err != nil {
		t.Fatal(err)
	}
	e.expect(e.get("/b"), 200, "MISS", "/b v2")
}

// softPurge: a soft invalidation marks the tagged responses stale: within
// their stale-while-revalidate window the next request is answered at
// once from the stale copy while one refresh runs.
func softPurge(s *suite, t *testing.T) {
	v := &versioned{version: 1, header: func(Request) [][2]string {
		return [][2]string{{"Cache-Control", "max-age=600, stale-while-revalidate=600"}}
	}}
	e := s.start(t, nil, []Route{{Path: "/s", Handler: v.handler(), Options: []httpcache.Option{httpcache.WithTags("t")}}})
	e.expect(e.get("/s"), 200, "MISS", "/s v1")
	e.expect(e.get("/s"), 200, "HIT", "/s v1")
	v.bump()
	if err := e.cache.InvalidateTags(t.Context(), []string{"t"}, softly()...); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Second) // the next request comes after the purge
	e.expect(e.get("/s"), 200, "STALE", "/s v1")
	e.eventually(func() bool { return e.get("/s").body == "/s v2" })
	e.expect(e.get("/s"), 200, "HIT", "/s v2")
}

// cacheGroups: in shared mode, a successful unsafe request whose response
// says Cache-Group-Invalidation drops the responses of those groups (RFC
// 9875), and only of the same origin.
func cacheGroups(s *suite, t *testing.T) {
	v := &versioned{version: 1, header: func(r Request) [][2]string {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			return [][2]string{{"Cache-Group-Invalidation", `"products"`}}
		}
		return [][2]string{{"Cache-Control", "max-age=600"}, {"Cache-Groups", `"products", "eu"`}}
	}}
	shared := []httpcache.Option{httpcache.WithMode(httpcache.SharedCache)}
	e := s.start(t, nil, []Route{{Path: "/g", Handler: v.handler(), Options: shared}, {Path: "/w", Handler: v.handler(), Options: shared}})
	e.get("/g")
	e.get("/g", "Host", "other.example")
	e.expect(e.get("/g"), 200, "HIT", "/g v1")
	v.bump()
	if r := e.do(http.MethodPost, "/w"); r.status != 200 {
		t.Fatalf("POST: %d", r.status)
	}
	e.expect(e.get("/g"), 200, "MISS", "/g v2")
	e.expect(e.get("/g", "Host", "other.example"), 200, "HIT", "/g v1") // another origin's group
}

// purgeEndpoint: the adapter's purge handler (httpcache.PurgeHandler on
// net/http), on a server of its framework, needs an authoriser, refuses
// what it refuses, and otherwise purges URLs and invalidates tags, of
// responses and of values alike.
func purgeEndpoint(s *suite, t *testing.T) {
	v := &versioned{version: 1}
	e := s.start(t, nil, []Route{{Path: "/u", Handler: v.handler(), Options: []httpcache.Option{httpcache.WithTags("u")}},
		{Path: "/t", Handler: v.handler(), Options: []httpcache.Option{httpcache.WithTags("t")}}})
	if _, err := s.cfg.purgeServer(t, e.cache, nil); err == nil {
		t.Fatal("a purge endpoint without an authoriser was built")
	}
	url, err := s.cfg.purgeServer(t, e.cache, func(r *http.Request) error {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			return errors.New("no")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	purge := func(auth, body string) int {
		t.Helper()
		r, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/json")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		res, err := e.client.Do(r)
		if err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	// A value tagged like /t: a purge by tag reaches it too.
	if err := hoard.SetValue(t.Context(), e.cache, "k", "v", time.Hour, hoard.Tags("t")); err != nil {
		t.Fatal(err)
	}
	valuePurged := func() bool {
		_, err := hoard.GetValue[string](t.Context(), e.cache, "k")
		return errors.Is(err, hoard.ErrNotFound)
	}
	e.get("/u")
	e.get("/t")
	host := strings.TrimPrefix(e.base, "http://")
	body := fmt.Sprintf(`{"urls": ["http://%s/u"], "tags": ["t"]}`, host)
	for _, auth := range []string{"", "Bearer guess"} {
		if code := purge(auth, body); code != http.StatusForbidden {
			t.Fatalf("Authorization %q: %d, want 403", auth, code)
		}
		if valuePurged() {
			t.Fatalf("Authorization %q: the tagged value was purged", auth)
		}
	}
	e.expect(e.get("/u"), 200, "HIT", "/u v1")
	e.expect(e.get("/t"), 200, "HIT", "/t v1")
	if code := purge("Bearer s3cret", `{"tags": ["not a tag"]}`); code != http.StatusBadRequest {
		t.Fatalf("a bad tag: %d, want 400", code)
	}
	v.bump()
	if code := purge("Bearer s3cret", body); code != http.StatusNoContent {
		t.Fatalf("allowed: %d, want 204", code)
	}
	if !valuePurged() {
		t.Fatal("allowed: the tagged value was not purged")
	}
	e.expect(e.get("/u"), 200, "MISS", "/u v2")
	e.expect(e.get("/t"), 200, "MISS", "/t v2")
}

// softly is the options of a soft invalidation.
func softly() []hoard.InvalidateOption { return []hoard.InvalidateOption{hoard.Soft()} }
