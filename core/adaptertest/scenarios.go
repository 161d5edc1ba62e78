package adaptertest

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
)

var scenarios = []struct {
	name string
	fn   func(s *suite, t *testing.T)
}{
	{"MissThenHit", missThenHit},
	{"CacheStatusHeaders", cacheStatusHeaders},
	{"HeadFromGet", headFromGet},
	{"OtherMethodsPassThrough", otherMethodsPassThrough},
	{"RequestNoStoreBypasses", requestNoStoreBypasses},
	{"RequestNoCacheRefreshes", requestNoCacheRefreshes},
	{"IgnoreClientCacheControl", ignoreClientCacheControl},
	{"AuthorizationBypasses", authorizationBypasses},
	{"AuthorizationPartitions", authorizationPartitions},
	{"QueryOrderIgnored", queryOrderIgnored},
	{"HostsApart", hostsApart},
	{"VaryByRequestHeader", varyByRequestHeader},
	{"IfNoneMatch", ifNoneMatch},
	{"IfModifiedSince", ifModifiedSince},
	{"StoredStatuses", storedStatuses},
	{"CustomStatuses", customStatuses},
	{"HandlerCacheControlNotStored", handlerCacheControlNotStored},
	{"SetCookieNotStored", setCookieNotStored},
	{"VaryHandling", varyHandling},
	{"SMaxAgeIsTTL", sMaxAgeIsTTL},
	{"AgeGrowsClientFreshnessRemaining", ageGrowsClientFreshnessRemaining},
	{"ClientCacheControlOff", clientCacheControlOff},
	{"HandlerHeadersReplayed", handlerHeadersReplayed},
	{"ETagFromBody", etagFromBody},
	{"BodyOverLimit", bodyOverLimit},
	{"StreamFlushedAndStored", streamFlushedAndStored},
	{"ServerSentEventsNeverStored", serverSentEventsNeverStored},
	{"PanicStoresNothing", panicStoresNothing},
	{"HandlerErrorStoresNothing", handlerErrorStoresNothing},
	{"ClearNamespace", clearNamespace},
	{"MissStormRunsHandlerOnce", missStormRunsHandlerOnce},
	{"FailingBackendFailsOpen", failingBackendFailsOpen},
	{"CacheHeaderName", cacheHeaderName},
	{"UnkeyedHeadersIgnored", unkeyedHeadersIgnored},
	{"HostileRequests", hostileRequests},
	{"CorruptEntryIsMiss", corruptEntryIsMiss},
	{"ManyDistinctURLs", manyDistinctURLs},
	// Defects found by independent probes of earlier versions.
	{"HungUpClientStoresNothing", hungUpClientStoresNothing},
	{"OuterMiddlewareFieldsCount", outerMiddlewareFieldsCount},
	{"LowerCaseFieldNames", lowerCaseFieldNames},
	{"QueryNamesDecoded", queryNamesDecoded},
	{"DuplicateAndInvalidDirectives", duplicateAndInvalidDirectives},
	{"HangingBackendWaitsOnce", hangingBackendWaitsOnce},
	{"OptionEdges", optionEdges},
	// HTTP freshness (RFC 9111).
	{"ResponseFreshnessWins", responseFreshnessWins},
	{"SharedMode", sharedMode},
	{"TargetedField", targetedField},
	{"ValidatorOnMiss", validatorOnMiss},
	{"Revalidation", revalidation},
	{"BrowserReload", browserReload},
	{"RequestDirectives", requestDirectives},
	{"ResponseDirectives", responseDirectives},
	{"UnsafeMethodsInvalidate", unsafeMethodsInvalidate},
	{"RangeOfStored", rangeOfStored},
	// Serving stale on purpose (stale.go).
	{"StaleIfError", staleIfError},
	{"StaleWhileRevalidate", staleWhileRevalidate},
	// Invalidation (tags.go).
	{"TagHeader", tagHeader},
	{"RouteTags", routeTags},
	{"SoftPurge", softPurge},
	{"CacheGroups", cacheGroups},
	{"PurgeEndpoint", purgeEndpoint},
}

func missThenHit(s *suite, t *testing.T) {
	h := &Handler{}
	e := s.start(t, nil, []Route{{Path: "/items", Handler: h}})
	e.expect(e.get("/items?id=1"), 200, "MISS", "ok /items?id=1")
	e.expect(e.get("/items?id=1"), 200, "HIT", "ok /items?id=1")
	e.expect(e.get("/items?id=2"), 200, "MISS", "ok /items?id=2")
	e.runs(h, 2)
	if e.events.count(hoard.EventHit) != 1 || e.events.count(hoard.EventStore) != 2 {
		t.Errorf("observer: %d hits, %d stores; want 1 and 2", e.events.count(hoard.EventHit), e.events.count(hoard.EventStore))
	}
}

func cacheStatusHeaders(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{{Path: "/s", Handler: &Handler{}}})
	tests := []struct {
		hdr         []string
		xcache, cst string
	}{
		{nil, "MISS", "hoard; fwd=uri-miss"},
		{nil, "HIT", "hoard; hit"},
		{[]string{"Cache-Control", "no-store"}, "BYPASS", "hoard; fwd=bypass"},
		// A reload of an entry without a validator of the handler's: fetched
		// whole, and the result stored (RFC 9211 fwd-status, stored).
		{[]string{"Cache-Control", "no-cache"}, "MISS", "hoard; fwd=request; fwd-status=200; stored"},
	}
	for i, tc := range tests {
		r := e.get("/s", tc.hdr...)
		if r.xcache() != tc.xcache || r.header.Get("Cache-Status") != tc.cst {
			t.Errorf("request %d (%v): X-Cache=%q Cache-Status=%q; want %q, %q", i, tc.hdr, r.xcache(), r.header.Get("Cache-Status"), tc.xcache, tc.cst)
		}
	}
}

func headFromGet(s *suite, t *testing.T) {
	h := &Handler{}
	e := s.start(t, nil, []Route{{Path: "/h", Handler: h}})
	// A HEAD miss runs the handler but stores nothing: a HEAD has no body.
	r := e.do(http.MethodHead, "/h")
	e.expect(r, 200, "MISS", "")
	e.expect(e.get("/h"), 200, "MISS", "ok /h?")
	r = e.do(http.MethodHead, "/h")
	e.expect(r, 200, "HIT", "")
	if cl := r.header.Get("Content-Length"); cl != strconv.Itoa(len("ok /h?")) {
		t.Errorf("HEAD hit Content-Length = %q, want %d", cl, len("ok /h?"))
	}
	e.runs(h, 2)
}

func otherMethodsPassThrough(s *suite, t *testing.T) {
	h := &Handler{}
	e := s.start(t, nil, []Route{{Path: "/p", Handler: h}})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodPost} {
		r := e.do(m, "/p")
		if r.status != 200 || r.body != "ok /p?" {
			t.Fatalf("%s: %d %q", m, r.status, r.body)
		}
		if r.xcache() != "" || r.header.Get("Cache-Status") != "" {
			t.Fatalf("%s got cache headers X-Cache=%q Cache-Status=%q; other methods must pass untouched", m, r.xcache(), r.header.Get("Cache-Status"))
		}
	}
	e.runs(h, 5)
	e.expect(e.get("/p"), 200, "MISS", "ok /p?")
}

func requestNoStoreBypasses(s *suite, t *testing.T) {
	h := &Handler{}
	e := s.start(t, nil, []Route{{Path: "/ns", Handler: h}})
	e.expect(e.get("/ns", "Cache-Control", "no-store"), 200, "BYPASS", "ok /ns?")
	e.expect(e.get("/ns"), 200, "MISS", "ok /ns?") // the bypass stored nothing
	e.expect(e.get("/ns", "Cache-Control", "no-store"), 200, "BYPASS", "ok /ns?")
	e.runs(h, 3)
}

func requestNoCacheRefreshes(s *suite, t *testing.T) {
	n := 0
	var mu sync.Mutex
	h := &Handler{Build: func(Request) Response {
		mu.Lock()
		defer mu.Unlock()
		n++
		return Response{Chunks: []string{fmt.Sprint("version ", n)}}
	}}
	e := s.start(t, nil, []Route{{Path: "/r", Handler: h}})
	e.expect(e.get("/r"), 200, "MISS", "version 1")
	e.expect(e.get("/r"), 200, "HIT", "version 1")
	for i, hdr := range [][]string{
		{"Cache-Control", "no-cache"},
		{"Cache-Control", "max-age=0"},
		{"Pragma", "no-cache"},
	} {
		want := fmt.Sprint("version ", i+2)
		e.expect(e.get("/r", hdr...), 200, "MISS", want)
		// The refreshed response replaced the entry.
		e.expect(e.get("/r"), 200, "HIT", want)
	}
}

func ignoreClientCacheControl(s *suite, t *testing.T) {
	h := &Handler{}
	e := s.start(t, nil, []Route{{Path: "/i", Handler: h, Options: []httpcache.Option{httpcache.WithRequestCacheControl(false)}}})
	e.expect(e.get("/i"), 200, "MISS", "ok /i?")
	e.expect(e.get("/i", "Cache-Control", "no-cache"), 200, "HIT", "ok /i?")
	e.expect(e.get("/i", "Cache-Control", "no-store"), 200, "HIT", "ok /i?")
	e.expect(e.get("/i", "Pragma", "no-cache"), 200, "HIT", "ok /i?")
	e.runs(h, 1)
}

func authorizationBypasses(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response {
		return Response{Chunks: []string{"for " + r.Header.Get("Authorization")}}
	}}
	e := s.start(t, nil, []Route{{Path: "/a", Handler: h}})
	e.expect(e.get("/a", "Authorization", "Bearer alice"), 200, "BYPASS", "for Bearer alice")
	e.expect(e.get("/a", "Authorization", "Bearer bob"), 200, "BYPASS", "for Bearer bob")
	e.expect(e.get("/a"), 200, "MISS", "for ")
	e.expect(e.get("/a", "Authorization", "Bearer alice"), 200, "BYPASS", "for Bearer alice")
}

func authorizationPartitions(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response {
		return Response{Chunks: []string{"for " + r.Header.Get("Authorization")}}
	}}
	e := s.start(t, nil, []Route{{Path: "/a", Handler: h, Options: []httpcache.Option{httpcache.WithAuthorization(true)}}})
	e.expect(e.get("/a", "Authorization", "Bearer alice"), 200, "MISS", "for Bearer alice")
	e.expect(e.get("/a", "Authorization", "Bearer bob"), 200, "MISS", "for Bearer bob")
	e.expect(e.get("/a", "Authorization", "Bearer alice"), 200, "HIT", "for Bearer alice")
	e.expect(e.get("/a", "Authorization", "Bearer bob"), 200, "HIT", "for Bearer bob")
	e.expect(e.get("/a"), 200, "MISS", "for ")
}

func queryOrderIgnored(s *suite, t *testing.T) {
	h := &Handler{}
	e := s.start(t, nil, []Route{{Path: "/q", Handler: h}})
	e.expect(e.get("/q?a=1&b=2"), 200, "MISS", "ok /q?a=1&b=2")
	e.expect(e.get("/q?b=2&a=1"), 200, "HIT", "ok /q?a=1&b=2")
	e.expect(e.get("/q?a=1&b=3"), 200, "MISS", "ok /q?a=1&b=3")
	// A repeated parameter is a list: its order is kept in the key.
	e.expect(e.get("/q?x=1&x=2"), 200, "MISS", "ok /q?x=1&x=2")
	e.expect(e.get("/q?x=2&x=1"), 200, "MISS", "ok /q?x=2&x=1")
	// The query is always part of the key (Fiber's CVE-2022-... class).
	e.expect(e.get("/q"), 200, "MISS", "ok /q?")
	e.expect(e.get("/q?"), 200, "HIT", "ok /q?")
}

func hostsApart(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response { return Response{Chunks: []string{"host " + r.Host}} }}
	e := s.start(t, nil, []Route{{Path: "/host", Handler: h}})
	e.expect(e.get("/host", "Host", "a.example"), 200, "MISS", "host a.example")
	e.expect(e.get("/host", "Host", "b.example"), 200, "MISS", "host b.example")
	e.expect(e.get("/host", "Host", "a.example"), 200, "HIT", "host a.example")
	// Unkeyed forwarding headers never pick another host's entry.
	e.expect(e.get("/host", "Host", "b.example", "X-Forwarded-Host", "a.example"), 200, "HIT", "host b.example")
}

func varyByRequestHeader(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response {
		return Response{Header: [][2]string{{"Vary", "Accept-Language"}}, Chunks: []string{"lang " + r.Header.Get("Accept-Language")}}
	}}
	e := s.start(t, nil, []Route{{Path: "/v", Handler: h, Options: []httpcache.Option{httpcache.WithVaryBy("Accept-Language")}}})
	e.expect(e.get("/v", "Accept-Language", "en"), 200, "MISS", "lang en")
	e.expect(e.get("/v", "Accept-Language", "fr"), 200, "MISS", "lang fr")
	e.expect(e.get("/v", "Accept-Language", "en"), 200, "HIT", "lang en")
	e.expect(e.get("/v", "Accept-Language", "fr"), 200, "HIT", "lang fr")
	e.expect(e.get("/v"), 200, "MISS", "lang ")
}

func ifNoneMatch(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{{Path: "/e", Handler: static("etag body", "ETag", `"v1"`)}})
	e.expect(e.get("/e"), 200, "MISS", "etag body")
	tests := []struct {
		inm    string
		status int
	}{
		{`"v1"`, 304},
		{`W/"v1"`, 304},
		{`"other", "v1"`, 304},
		{`"a","b",  W/"v1"`, 304},
		{`*`, 304},
		{`"other"`, 200},
		{`"v1`, 200},
		{`v1`, 200},
	}
	for _, tc := range tests {
		r := e.get("/e", "If-None-Match", tc.inm)
		if r.status != tc.status {
			t.Errorf("If-None-Match %s: status %d, want %d", tc.inm, r.status, tc.status)
			continue
		}
		if tc.status == 304 {
			if r.body != "" || r.header.Get("Etag") != `"v1"` || r.header.Get("Age") == "" || r.header.Get("Cache-Control") == "" || r.xcache() != "HIT" {
				t.Errorf("304 for %s: body %q, ETag %q, Age %q, Cache-Control %q, X-Cache %q", tc.inm,
					r.body, r.header.Get("Etag"), r.header.Get("Age"), r.header.Get("Cache-Control"), r.xcache())
			}
		} else if r.body != "etag body" {
			t.Errorf("If-None-Match %s: body %q", tc.inm, r.body)
		}
	}
}

func ifModifiedSince(s *suite, t *testing.T) {
	lm := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := s.start(t, nil, []Route{{Path: "/m", Handler: static("dated", "Last-Modified", lm.Format(http.TimeFormat))}})
	e.expect(e.get("/m"), 200, "MISS", "dated")
	tests := []struct {
		hdr    []string
		status int
	}{
		{[]string{"If-Modified-Since", lm.Format(http.TimeFormat)}, 304},
		{[]string{"If-Modified-Since", lm.Add(time.Hour).Format(http.TimeFormat)}, 304},
		{[]string{"If-Modified-Since", lm.Add(-time.Hour).Format(http.TimeFormat)}, 200},
		{[]string{"If-Modified-Since", "not a date"}, 200},
		// If-None-Match takes precedence over If-Modified-Since.
		{[]string{"If-None-Match", `"nope"`, "If-Modified-Since", lm.Format(http.TimeFormat)}, 200},
	}
	for _, tc := range tests {
		if r := e.get("/m", tc.hdr...); r.status != tc.status {
			t.Errorf("%v: status %d, want %d", tc.hdr, r.status, tc.status)
		}
	}
}

func storedStatuses(s *suite, t *testing.T) {
	for _, tc := range []struct {
		status int
		stored bool
	}{
		{200, true}, {203, true}, {204, true}, {300, true}, {301, true}, {308, true},
		{201, false}, {302, false}, {404, false}, {500, false}, {503, false},
	} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			h := &Handler{Build: func(Request) Response {
				r := Response{Status: tc.status, Header: [][2]string{{"Location", "/elsewhere"}}}
				if tc.status != 204 && tc.status != 304 {
					r.Chunks = []string{"status body"}
				}
				return r
			}}
			e := s.start(t, nil, []Route{{Path: "/st", Handler: h}})
			noRedirect := *e.client
			noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			e.client = &noRedirect
			first := e.get("/st")
			if first.status != tc.status {
				t.Fatalf("status %d, want %d", first.status, tc.status)
			}
			if cc := first.header.Get("Cache-Control"); !tc.stored && cc != "" {
				t.Errorf("an unstorable %d response got Cache-Control %q: clients would cache it", tc.status, cc)
			}
			second := e.get("/st")
			want := "MISS"
			if tc.stored {
				want = "HIT"
			}
			if second.xcache() != want || second.status != tc.status || second.body != first.body {
				t.Fatalf("second request: %d %s %q; want %d %s %q", second.status, second.xcache(), second.body, tc.status, want, first.body)
			}
		})
	}
}

func customStatuses(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response {
		if r.Path == "/c404" {
			return Response{Status: 404, Chunks: []string{"missing"}}
		}
		return Response{Chunks: []string{"fine"}}
	}}
	opts := []httpcache.Option{httpcache.WithStatuses(404)}
	e := s.start(t, nil, []Route{{Path: "/c404", Handler: h, Options: opts}, {Path: "/c200", Handler: h, Options: opts}})
	e.expect(e.get("/c404"), 404, "MISS", "missing")
	e.expect(e.get("/c404"), 404, "HIT", "missing")
	e.expect(e.get("/c200"), 200, "MISS", "fine")
	e.expect(e.get("/c200"), 200, "MISS", "fine")
}

func handlerCacheControlNotStored(s *suite, t *testing.T) {
	for _, cc := range []string{"no-store", "private", "no-cache", "private, max-age=60", "public, no-store", "max-age=0", "s-maxage=0"} {
		t.Run(cc, func(t *testing.T) {
			h := static("secret", "Cache-Control", cc)
			e := s.start(t, nil, []Route{{Path: "/cc", Handler: h}})
			e.expect(e.get("/cc"), 200, "MISS", "secret")
			e.expect(e.get("/cc"), 200, "MISS", "secret")
			if got := e.get("/cc").header.Get("Cache-Control"); got != cc {
				t.Errorf("Cache-Control %q was changed to %q", cc, got)
			}
		})
	}
}

func setCookieNotStored(s *suite, t *testing.T) {
	n := 0
	var mu sync.Mutex
	h := &Handler{Build: func(Request) Response {
		mu.Lock()
		defer mu.Unlock()
		n++
		return Response{Header: [][2]string{{"Set-Cookie", fmt.Sprintf("session=user%d", n)}}, Chunks: []string{"welcome"}}
	}}
	e := s.start(t, nil, []Route{{Path: "/login", Handler: h}})
	a := e.get("/login")
	b := e.get("/login")
	e.expect(b, 200, "MISS", "welcome")
	if a.header.Get("Set-Cookie") == b.header.Get("Set-Cookie") {
		t.Fatalf("two clients got the same cookie %q: a response with Set-Cookie was replayed", a.header.Get("Set-Cookie"))
	}
	e.runs(h, 2)
}

// varyHandling: a response's Vary is honoured whether or not the route
// keys on the fields it names (RFC 9111 section 4.1): a later request gets
// the stored response only if it sends the same values (normalised), and
// Vary: * is never stored.
func varyHandling(s *suite, t *testing.T) {
	tests := []struct {
		name   string
		vary   string
		origin bool // the response varies on Origin too
		opts   []httpcache.Option
	}{
		{"keyed header", "Accept-Language", false, []httpcache.Option{httpcache.WithVaryBy("accept-language")}},
		{"unkeyed header", "Accept-Language", false, nil},
		{"one of two unkeyed", "Accept-Language, Origin", true, []httpcache.Option{httpcache.WithVaryBy("Accept-Language")}},
		{"both unkeyed", "accept-language, origin", true, nil},
		{"both keyed", "accept-language, origin", true, []httpcache.Option{httpcache.WithVaryBy("Accept-Language", "Origin")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The body depends on exactly what the response says it varies on.
			h := &Handler{Build: func(r Request) Response {
				body := "lang=" + r.Header.Get("Accept-Language")
				if tc.origin {
					body += " origin=" + r.Header.Get("Origin")
				}
				return Response{Header: [][2]string{{"Vary", tc.vary}}, Chunks: []string{body}}
			}}
			e := s.start(t, nil, []Route{{Path: "/vary", Handler: h, Options: tc.opts}})
			origin := func(o string) string {
				if tc.origin {
					return " origin=" + o
				}
				return ""
			}
			en := []string{"Accept-Language", "en-GB, fr;q=0.5", "Origin", "https://a.example"}
			e.expect(e.get("/vary", en...), 200, "MISS", "lang=en-GB, fr;q=0.5"+origin("https://a.example"))
			e.expect(e.get("/vary", en...), 200, "HIT", "lang=en-GB, fr;q=0.5"+origin("https://a.example"))
			// The same language list written another way is the same value.
			e.expect(e.get("/vary", "Accept-Language", "EN-gb,fr; q=0.5", "Origin", "https://a.example"), 200, "HIT", "lang=en-GB, fr;q=0.5"+origin("https://a.example"))
			e.expect(e.get("/vary", "Accept-Language", "de", "Origin", "https://a.example"), 200, "MISS", "lang=de"+origin("https://a.example"))
			other := e.get("/vary", "Accept-Language", "en-GB, fr;q=0.5")
			if tc.origin {
				e.expect(other, 200, "MISS", "lang=en-GB, fr;q=0.5 origin=")
			} else {
				e.expect(other, 200, "HIT", "lang=en-GB, fr;q=0.5")
			}
			e.expect(e.get("/vary", en...), 200, "HIT", "lang=en-GB, fr;q=0.5"+origin("https://a.example"))
			e.expect(e.get("/vary", "Accept-Language", "de", "Origin", "https://a.example"), 200, "HIT", "lang=de"+origin("https://a.example"))
		})
	}
	t.Run("star", func(t *testing.T) {
		e := s.start(t, nil, []Route{{Path: "/vary", Handler: static("varied", "Vary", "*")}})
		e.expect(e.get("/vary"), 200, "MISS", "varied")
		e.expect(e.get("/vary"), 200, "MISS", "varied")
	})
}

func sMaxAgeIsTTL(s *suite, t *testing.T) {
	h := static("shared", "Cache-Control", "public, max-age=5, s-maxage=30")
	e := s.start(t, nil, []Route{{Path: "/sm", Handler: h, Options: []httpcache.Option{httpcache.WithTTL(time.Hour)}}})
	e.expect(e.get("/sm"), 200, "MISS", "shared")
	e.clk.Advance(29 * time.Second)
	r := e.get("/sm")
	e.expect(r, 200, "HIT", "shared")
	if cc := r.header.Get("Cache-Control"); cc != "public, max-age=5, s-maxage=30" {
		t.Errorf("the handler's Cache-Control must be replayed as is, got %q", cc)
	}
	e.clk.Advance(2 * time.Second)
	e.expect(e.get("/sm"), 200, "MISS", "shared")
}

// ageGrowsClientFreshnessRemaining: Age grows with the entry, and
// max-age stays the TTL, so the freshness a client computes (max-age - Age,
// RFC 9111 section 4.2) is exactly the TTL that remains in hoard.
func ageGrowsClientFreshnessRemaining(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{{Path: "/age", Handler: &Handler{}, Options: []httpcache.Option{httpcache.WithTTL(time.Minute)}}})
	first := e.get("/age")
	if cc := first.header.Get("Cache-Control"); cc != "max-age=60" {
		t.Errorf("MISS Cache-Control = %q, want max-age=60", cc)
	}
	for _, step := range []struct {
		advance   time.Duration
		age       int
		remaining int
	}{
		{0, 0, 60},
		{10 * time.Second, 10, 50},
		{45 * time.Second, 55, 5},
	} {
		e.clk.Advance(step.advance)
		r := e.get("/age")
		e.expect(r, 200, "HIT", "ok /age?")
		age, _ := strconv.Atoi(r.header.Get("Age"))
		maxAge, _ := strconv.Atoi(strings.TrimPrefix(r.header.Get("Cache-Control"), "max-age="))
		if age != step.age || maxAge-age != step.remaining {
			t.Errorf("after %v more: Age %q, Cache-Control %q; want Age %d and max-age - Age = %d",
				step.advance, r.header.Get("Age"), r.header.Get("Cache-Control"), step.age, step.remaining)
		}
	}
	e.clk.Advance(5 * time.Second)
	e.expect(e.get("/age"), 200, "MISS", "ok /age?")
}

func clientCacheControlOff(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{{Path: "/off", Handler: &Handler{}, Options: []httpcache.Option{httpcache.WithMaxAgeHeader(false)}}})
	for _, want := range []string{"MISS", "HIT"} {
		r := e.get("/off")
		e.expect(r, 200, want, "ok /off?")
		if cc := r.header.Get("Cache-Control"); cc != "" {
			t.Errorf("%s: Cache-Control %q with client Cache-Control off", want, cc)
		}
	}
}

func handlerHeadersReplayed(s *suite, t *testing.T) {
	// Link's values are set apart: a framework that lists fields in the
	// order they were set (fasthttp) must not lose the first.
	h := static(`{"a":1}`, "Content-Type", "application/json", "Link", "</a>; rel=preload", "X-Custom", "one", "Link", "</b>; rel=preload")
	e := s.start(t, nil, []Route{{Path: "/hdr", Handler: h}})
	e.expect(e.get("/hdr"), 200, "MISS", `{"a":1}`)
	r := e.get("/hdr")
	e.expect(r, 200, "HIT", `{"a":1}`)
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Custom") != "one" {
		t.Errorf("hit lost headers: %v", r.header)
	}
	if links := r.header.Values("Link"); !slices.Equal(links, []string{"</a>; rel=preload", "</b>; rel=preload"}) {
		t.Errorf("hit Link values %q, want both in order", links)
	}
	if r.header.Get("Content-Length") != "7" {
		t.Errorf("hit Content-Length %q, want 7", r.header.Get("Content-Length"))
	}
}

func etagFromBody(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{{Path: "/a", Handler: &Handler{}}, {Path: "/b", Handler: &Handler{}}})
	e.get("/a")
	a := e.get("/a").header.Get("Etag")
	if !strings.HasPrefix(a, `"`) || !strings.HasSuffix(a, `"`) || len(a) < 4 {
		t.Fatalf("hit ETag %q is not a strong entity tag", a)
	}
	e.get("/b")
	if b := e.get("/b").header.Get("Etag"); b == a {
		t.Fatalf("different bodies share ETag %q", a)
	}
	e.expect(e.get("/a", "If-None-Match", a), 304, "HIT", "")
}

func bodyOverLimit(s *suite, t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 4096) // 64 KiB
	h := static(big)
	e := s.start(t, nil, []Route{{Path: "/big", Handler: h, Options: []httpcache.Option{httpcache.WithMaxBodySize(16 << 10)}}})
	e.expect(e.get("/big"), 200, "MISS", big)
	e.expect(e.get("/big"), 200, "MISS", big)
	e.runs(h, 2)
}

// streamFlushedAndStored checks each flushed chunk reaches the client
// before the handler writes the next, and that the finished stream is
// stored and replayed byte for byte.
func streamFlushedAndStored(s *suite, t *testing.T) {
	chunks := []string{"first chunk\n", "second chunk\n", "third chunk\n"}
	gates := make([]chan struct{}, len(chunks))
	for i := range gates {
		gates[i] = make(chan struct{})
	}
	h := &Handler{Build: func(Request) Response {
		return Response{Header: [][2]string{{"Content-Type", "text/plain"}}, Chunks: chunks, Stream: true, Gate: func(i int) {
			select {
			case <-gates[i]:
			case <-time.After(10 * time.Second):
			}
		}}
	}}
	e := s.start(t, nil, []Route{{Path: "/stream", Handler: h}})
	res, err := e.client.Get(e.base + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.Header.Get("X-Cache") != "MISS" {
		t.Fatalf("X-Cache %q, want MISS", res.Header.Get("X-Cache"))
	}
	br := bufio.NewReader(res.Body)
	for i, want := range chunks {
		if i > 0 {
			close(gates[i]) // the handler may write chunk i only now
		}
		got, err := br.ReadString('\n')
		if err != nil || got != want {
			t.Fatalf("chunk %d = %q, %v; want %q (a flushed chunk must arrive before the next is written)", i, got, err, want)
		}
	}
	if rest, _ := br.ReadString(0); rest != "" {
		t.Fatalf("unexpected trailing bytes %q", rest)
	}
	res.Body.Close()
	if s.cfg.flushedNotStored {
		e.expect(e.get("/stream"), 200, "MISS", strings.Join(chunks, ""))
		e.runs(h, 2)
		return
	}
	e.expect(e.get("/stream"), 200, "HIT", strings.Join(chunks, ""))
	e.runs(h, 1)
}

func serverSentEventsNeverStored(s *suite, t *testing.T) {
	h := &Handler{Build: func(Request) Response {
		return Response{Header: [][2]string{{"Content-Type", "text/event-stream"}}, Chunks: []string{"data: 1\n\n", "data: 2\n\n"}, Stream: true}
	}}
	e := s.start(t, nil, []Route{{Path: "/events", Handler: h}})
	e.expect(e.get("/events"), 200, "MISS", "data: 1\n\ndata: 2\n\n")
	e.expect(e.get("/events"), 200, "MISS", "data: 1\n\ndata: 2\n\n")
	e.runs(h, 2)
}

func panicStoresNothing(s *suite, t *testing.T) {
	var once sync.Once
	h := &Handler{Build: func(Request) Response {
		panicNow := false
		once.Do(func() { panicNow = true })
		return Response{Panic: panicNow, Chunks: []string{"recovered"}}
	}}
	e := s.start(t, nil, []Route{{Path: "/panic", Handler: h}})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, e.base+"/panic", nil)
	if res, err := e.client.Do(req); err == nil {
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Fatalf("a panicking handler answered 200")
		}
	}
	e.expect(e.get("/panic"), 200, "MISS", "recovered")
	e.expect(e.get("/panic"), 200, "HIT", "recovered")
}

func handlerErrorStoresNothing(s *suite, t *testing.T) {
	var once sync.Once
	h := &Handler{Build: func(Request) Response {
		fail := false
		once.Do(func() { fail = true })
		return Response{Err: fail, Chunks: []string{"fine"}}
	}}
	e := s.start(t, nil, []Route{{Path: "/err", Handler: h}})
	if r := e.get("/err"); r.status < 500 {
		t.Fatalf("a failing handler answered %d", r.status)
	}
	e.expect(e.get("/err"), 200, "MISS", "fine")
	e.expect(e.get("/err"), 200, "HIT", "fine")
}

func clearNamespace(s *suite, t *testing.T) {
	users, orders := &Handler{}, &Handler{}
	e := s.start(t, nil, []Route{
		{Path: "/users", Handler: users, Options: []httpcache.Option{httpcache.WithNamespace("users")}},
		{Path: "/orders", Handler: orders, Options: []httpcache.Option{httpcache.WithNamespace("orders")}},
	})
	e.get("/users")
	e.get("/orders")
	e.expect(e.get("/users"), 200, "HIT", "ok /users?")
	if err := e.cache.ClearNamespace(t.Context(), "users"); err != nil {
		t.Fatalf("Clear: %v", err)
	}
	e.expect(e.get("/users"), 200, "MISS", "ok /users?")
	e.expect(e.get("/orders"), 200, "HIT", "ok /orders?")
}

// missStormRunsHandlerOnce sends 1,000 concurrent requests for one cold
// URL. The handler is held until every request has missed, so all of them
// overlap its run; it must run once and every client gets its body.
func missStormRunsHandlerOnce(s *suite, t *testing.T) {
	const n = 1000
	var missed sync.WaitGroup
	missed.Add(n)
	var missCount int64
	var mu sync.Mutex
	release := make(chan struct{})
	h := &Handler{Build: func(Request) Response {
		select {
		case <-release:
		case <-time.After(20 * time.Second):
		}
		return Response{Chunks: []string{"expensive"}}
	}}
	// A generous operation timeout: this is about collapsing misses, and a
	// slow backend under a loaded machine (DynamoDB Local in CI) that
	// times out the leader's store would rightly let a late request run
	// the handler again.
	e := s.start(t, nil, []Route{{Path: "/storm", Handler: h}}, hoard.WithTimeout(30*time.Second))
	e.events.mu.Lock()
	e.events.onMiss = func() {
		mu.Lock()
		missCount++
		if missCount == n {
			close(release)
		}
		mu.Unlock()
	}
	e.events.mu.Unlock()
	tr := &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := client.Get(e.base + "/storm")
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			b := make([]byte, 64)
			k, _ := res.Body.Read(b)
			if res.StatusCode != 200 || string(b[:k]) != "expensive" {
				errs <- fmt.Errorf("got %d %q", res.StatusCode, b[:k])
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	e.runs(h, 1)
}

// failingBackendFailsOpen: with a dead backend every request is a MISS
// that still gets its 200.
func failingBackendFailsOpen(s *suite, t *testing.T) {
	h := &Handler{}
	e := s.start(t, failingBackend{}, []Route{{Path: "/down", Handler: h}}, hoard.WithTimeout(100*time.Millisecond))
	for i := 0; i < 10; i++ {
		e.expect(e.get("/down"), 200, "MISS", "ok /down?")
	}
	e.runs(h, 10)
	if e.events.count(hoard.EventError) == 0 {
		t.Error("no backend error reached the observer")
	}
	if e.events.count(hoard.EventBreakerOpen) != 1 {
		t.Errorf("breaker opened %d times, want once", e.events.count(hoard.EventBreakerOpen))
	}
}

func cacheHeaderName(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{
		{Path: "/named", Handler: &Handler{}, Options: []httpcache.Option{httpcache.WithCacheHeader("X-Hoard")}},
		{Path: "/quiet", Handler: &Handler{}, Options: []httpcache.Option{httpcache.WithCacheHeader("")}},
	})
	e.get("/named")
	if r := e.get("/named"); r.header.Get("X-Hoard") != "HIT" || r.xcache() != "" {
		t.Errorf("X-Hoard=%q X-Cache=%q, want HIT and none", r.header.Get("X-Hoard"), r.xcache())
	}
	e.get("/quiet")
	if r := e.get("/quiet"); r.xcache() != "" || r.header.Get("Cache-Status") != "hoard; hit" {
		t.Errorf("with the cache header off: X-Cache=%q Cache-Status=%q", r.xcache(), r.header.Get("Cache-Status"))
	}
}
