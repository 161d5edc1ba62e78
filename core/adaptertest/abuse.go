package adaptertest

import (
	"context"
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

// Scenarios of hostile or malformed input: nothing an attacker sends may
// put their response under another request's key, and no request may make
// the cache fail.

// unkeyedHeadersIgnored: forwarding and rewrite headers are not part of the
// key, and the key is taken from what the server routed, so a request
// carrying them can never fill an entry that another URL or host reads.
func unkeyedHeadersIgnored(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response {
		return Response{Chunks: []string{"host=" + r.Host + " path=" + r.Path}}
	}}
	e := s.start(t, nil, []Route{{Path: "/a", Handler: h}, {Path: "/b", Handler: h}})
	e.expect(e.get("/a", "Host", "good.example", "X-Forwarded-Host", "evil.example", "X-Original-URL", "/b", "X-Rewrite-URL", "/b",
		"X-Forwarded-Prefix", "/evil", "X-Host", "evil.example"), 200, "MISS", "host=good.example path=/a")
	e.expect(e.get("/b", "Host", "good.example"), 200, "MISS", "host=good.example path=/b")
	e.expect(e.get("/a", "Host", "evil.example"), 200, "MISS", "host=evil.example path=/a")
	e.expect(e.get("/a", "Host", "good.example"), 200, "HIT", "host=good.example path=/a")
}

// hostileRequests: huge queries and headers, invalid percent-encoding and
// odd bytes are served correctly and cached consistently.
func hostileRequests(s *suite, t *testing.T) {
	h := &Handler{Build: func(r Request) Response {
		return Response{Chunks: []string{fmt.Sprintf("q=%d:%s lang=%d", len(r.Query), clip(r.Query), len(r.Header.Get("Accept-Language")))}}
	}}
	e := s.start(t, nil, []Route{{Path: "/h", Handler: h, Options: []httpcache.Option{httpcache.WithVaryBy("Accept-Language")}}})
	long := strings.Repeat("k=v&", 1500) + "end=1" // ~6 KB: hashed key
	for _, tc := range []struct {
		name, path string
		hdr        []string
	}{
		{"huge query", "/h?" + long, nil},
		{"invalid percent-encoding", "/h?q=%zz&r=%", nil},
		{"encoded separators", "/h?a=%26b%3D1&c=%7C3%3A", nil},
		{"huge header", "/h", []string{"Accept-Language", strings.Repeat("en-GB,", 2000)}},
		{"header with key punctuation", "/h", []string{"Accept-Language", "|3:x|a32:y"}},
	} {
		first := e.get(tc.path, tc.hdr...)
		if first.status != 200 || first.xcache() != "MISS" {
			t.Fatalf("%s: %d %s", tc.name, first.status, first.xcache())
		}
		e.expect(e.get(tc.path, tc.hdr...), 200, "HIT", first.body)
	}
}

// corruptEntryIsMiss plants garbage in the backend under the key of a live
// entry: the next request is a MISS that runs the handler and overwrites
// it, never an error or a wrong body.
func corruptEntryIsMiss(s *suite, t *testing.T) {
	rec := &recordingBackend{Backend: s.cfg.newBackend(t)}
	h := &Handler{}
	e := s.start(t, rec, []Route{{Path: "/c", Handler: h}})
	e.expect(e.get("/c?x=1"), 200, "MISS", "ok /c?x=1")
	key := rec.key(1)
	e.expect(e.get("/c?x=1"), 200, "HIT", "ok /c?x=1")
	writes := 1
	for i, garbage := range [][]byte{
		{},
		[]byte("not an entry"),
		[]byte("h\x01\x02garbage that claims to be an envelope"),
		bytesOf(4096, 0xff),
	} {
		if err := rec.Backend.Set(t.Context(), key, garbage, time.Minute); err != nil {
			t.Fatalf("planting garbage %d: %v", i, err)
		}
		e.expect(e.get("/c?x=1"), 200, "MISS", "ok /c?x=1")
		writes++
		rec.key(writes) // the rewrite is done: the next garbage lands after it
		e.expect(e.get("/c?x=1"), 200, "HIT", "ok /c?x=1")
	}
	// A valid entry of another key planted under this one is a miss too.
	e.get("/c?x=2")
	writes++
	other := rec.key(writes)
	v, err := rec.Backend.Get(t.Context(), other)
	if err != nil {
		t.Fatalf("reading the other entry: %v", err)
	}
	if err := rec.Backend.Set(t.Context(), key, v, time.Minute); err != nil {
		t.Fatal(err)
	}
	e.expect(e.get("/c?x=1"), 200, "MISS", "ok /c?x=1")
}

// manyDistinctURLs fills the cache with thousands of distinct query
// strings; every response must still be the one its URL asked for.
func manyDistinctURLs(s *suite, t *testing.T) {
	e := s.start(t, nil, []Route{{Path: "/many", Handler: &Handler{}}})
	const n, workers = 2000, 16
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				q := fmt.Sprintf("id=%d&pad=%s", i, strings.Repeat("x", i%64))
				for pass := 0; pass < 2; pass++ {
					res, err := e.client.Get(e.base + "/many?" + q)
					if err != nil {
						errs <- err
						return
					}
					if body := readAll(res); res.StatusCode != 200 || body != "ok /many?"+q {
						errs <- fmt.Errorf("%s: %d %q", q, res.StatusCode, clip(body))
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// recordingBackend remembers the keys written through it, in the order
// the writes completed.
type recordingBackend struct {
	hoard.Backend
	mu   sync.Mutex
	keys []string
}

// Set records key once the write is done: for a backend that is not in
// process, the engine writes after the response has gone out.
func (r *recordingBackend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	err := r.Backend.Set(ctx, key, value, ttl)
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return err
}

// key waits (briefly) for the n-th write (from 1) to complete and returns
// its key.
func (r *recordingBackend) key(n int) string {
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		r.mu.Lock()
		k := ""
		if len(r.keys) >= n {
			k = r.keys[n-1]
		}
		r.mu.Unlock()
		if k != "" || time.Now().After(deadline) {
			return k
		}
	}
}

func bytesOf(n int, b byte) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }

func readAll(res *http.Response) string {
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}
