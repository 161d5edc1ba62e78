package httpcache

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/memo"
)

// storedPlan returns the hit plan e keeps in the memo of the only value in
// s, or nil.
func storedPlan(t *testing.T, s *memoStore) *hitPlan {
	t.Helper()
	keys := s.keys()
	if len(keys) != 1 {
		t.Fatalf("%d values stored, want 1", len(keys))
	}
	it, _ := s.item(keys[0])
	d := it.memo.Live()
	if d == nil {
		return nil
	}
	p, _ := d.Plan.Load().(*hitPlan)
	return p
}

// TestMemoHitsMatchDecodedHits checks that a hit served from an entry's
// memo sends exactly what a hit decoded from the bytes sends, as the entry
// ages, for GET, HEAD and conditional requests.
func TestMemoHitsMatchDecodedHits(t *testing.T) {
	clock := newTestClock()
	store := newMemoStore()
	copts := []hoard.Option{clock.option()}
	memoEngine := newEngine(t, store, copts, WithTTL(time.Hour))
	plain := newEngine(t, plainStore{store}, copts, WithTTL(time.Hour))
	req := Request{Host: "example.com", Path: "/a", RawQuery: "q=1"}
	if res := serve(t, memoEngine, req, nil, validatedHandler("v1")); res.hit {
		t.Fatal("first request: a hit")
	}
	for _, age := range []time.Duration{0, 5 * time.Second, 99 * time.Second, 150 * time.Second, 0, 1 * time.Second, 1000 * time.Second} {
		clock.advance(age)
		for _, c := range conditionalRequests {
			r := req
			r.Method, r.Header = c.method, c.header
			for round := range 2 { // the second round reuses the plan
				hit1, got1 := hitFor(t, memoEngine, r)
				hit2, got2 := hitFor(t, plain, r)
				if !hit1 || !hit2 {
					t.Fatalf("%s: hits %v and %v, want hits", c.name, hit1, hit2)
				}
				if got1 != got2 {
					t.Errorf("%s round %d: memo hit %s, decoded hit %s", c.name, round, got1, got2)
				}
			}
		}
	}
	res := serve(t, memoEngine, req, nil, nil)
	if got := field(res.fields, "Age"); got != "1255" {
		t.Errorf("Age %q after 1255 s, want 1255", got)
	}
	if store.memoGets.Load() == 0 || store.gets.Load() == 0 {
		t.Errorf("%d reads with memos, %d without: the memo store should be read through GetMemo, the plain one not", store.memoGets.Load(), store.gets.Load())
	}
	if p := storedPlan(t, store); p == nil || p.e != memoEngine {
		t.Errorf("the memo holds plan %v, want one of the engine", p)
	}
}

// TestMemoFollowsStoredValue checks that a replaced value is never served
// from the memo of the value before it, even by a backend that breaks the
// contract and hands every value the same Memo.
func TestMemoFollowsStoredValue(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(map[bool]string{false: "memo per value", true: "one memo for all"}[shared], func(t *testing.T) {
			store := newMemoStore()
			if shared {
				store.shared = new(memo.Memo)
			}
			e := newEngine(t, store, nil)
			req := Request{Host: "example.com", Path: "/a"}
			refresh := req
			refresh.Header = fakeHeader{"Cache-Control": "no-cache"}
			for _, body := range []string{"one", "two", "three"} {
				serve(t, e, refresh, nil, validatedHandler(body)) // runs and stores
				for range 2 {
					res := serve(t, e, req, nil, nil)
					if !res.hit || res.body != body || field(res.fields, "Etag") != `"`+body+`"` || field(res.fields, "Content-Length") != fmt.Sprint(len(body)) {
						t.Fatalf("after storing %q: hit %v, body %q, fields %q", body, res.hit, res.body, res.fields)
					}
				}
			}
		})
	}
}

// TestMemoPerEngine checks that two routes with different header settings
// sharing one entry each send their own fields.
func TestMemoPerEngine(t *testing.T) {
	for name, store := range map[string]hoard.Backend{"memo": newMemoStore(), "hot table": newDropStore()} {
		t.Run(name, func(t *testing.T) {
			c := newCache(t, store)
			a, err := New(c, WithCacheHeader("X-A"))
			if err != nil {
				t.Fatal(err)
			}
			b, err := New(c, WithCacheHeader("X-B"), WithCacheStatusName("edge"), WithMaxAgeHeader(false))
			if err != nil {
				t.Fatal(err)
			}
			req := Request{Host: "example.com", Path: "/shared"}
			serve(t, a, req, nil, textHandler("v"))
			for range 3 {
				fa := serve(t, a, req, nil, nil).fields
				fb := serve(t, b, req, nil, nil).fields
				if field(fa, "X-A") != "HIT" || field(fa, "X-B") != "" || !strings.HasPrefix(field(fa, "Cache-Status"), "hoard;") || field(fa, "Cache-Control") == "" {
					t.Errorf("route a: %v", fa)
				}
				if field(fb, "X-B") != "HIT" || field(fb, "X-A") != "" || !strings.HasPrefix(field(fb, "Cache-Status"), "edge;") || field(fb, "Cache-Control") != "" {
					t.Errorf("route b: %v", fb)
				}
			}
		})
	}
}

// TestHitWithManyFields: a stored response with more header fields than
// an exchange keeps inline is served whole, on every path (decoded, memo,
// hot table, 304), and releasing the hit is safe.
func TestHitWithManyFields(t *testing.T) {
	const n = 20
	for name, backend := range hitPaths() {
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, backend(), nil)
			req := Request{Host: "example.com", Path: "/many"}
			serve(t, e, req, nil, func(resp *fakeResponse) {
				resp.status = 200
				for i := range n {
					resp.header.Set(fmt.Sprintf("X-Field-%02d", i), "v")
				}
				resp.header.Set("Etag", `"e"`)
				resp.body = []byte("body")
			})
			for round, inm := range []string{"", "", "", `"e"`, ""} {
				r := req
				r.Header = fakeHeader{"If-None-Match": inm}
				res := serve(t, e, r, nil, nil)
				if !res.hit {
					t.Fatalf("round %d: not a hit", round)
				}
				if inm != "" {
					if res.status != 304 || res.body != "" {
						t.Fatalf("conditional: status %d, body %q", res.status, res.body)
					}
					continue
				}
				for i := range n {
					if got := field(res.fields, fmt.Sprintf("X-Field-%02d", i)); got != "v" {
						t.Fatalf("round %d: X-Field-%02d = %q in %d fields", round, i, got, len(res.fields))
					}
				}
				if len(res.fields) != n+7 || res.body != "body" { // + Date, stored with the response

					t.Fatalf("round %d: %d fields, body %q", round, len(res.fields), res.body)
				}
			}
		})
	}
}

// TestHitPlanWithinMemoSize: what the engine attaches to an entry's memo
// (the decoded entry and the hit plan), once hits at several ages have
// made it, is within memo.Size of the entry (give or take the allocator's
// rounding), which an in-process backend adds to the entry's weight to
// bound its memory. It is measured on the heap, over many entries.
func TestHitPlanWithinMemoSize(t *testing.T) {
	if got := unsafe.Sizeof(Field{}); got > memo.PlanFieldSize {
		t.Errorf("a Field takes %d bytes, memo.PlanFieldSize is %d", got, memo.PlanFieldSize)
	}
	const entries = 500
	for _, n := range []int{0, 5, 20} {
		t.Run(fmt.Sprintf("%d fields", n), func(t *testing.T) {
			clock := newTestClock()
			store := newMemoStore()
			e := newEngine(t, store, []hoard.Option{clock.option()}, WithTTL(time.Hour))
			req := func(i int) Request { return Request{Host: "example.com", Path: fmt.Sprintf("/size/%d", i)} }
			for i := range entries {
				serve(t, e, req(i), nil, func(resp *fakeResponse) {
					resp.status = 200
					for j := range n {
						resp.header.Set(fmt.Sprintf("X-Field-%02d", j), "v")
					}
					resp.body = []byte("body")
				})
			}
			before := heapInUse()
			for range 3 { // hits at ages 0, 1 and 2
				for i := range entries {
					if !serve(t, e, req(i), nil, nil).hit {
						t.Fatal("not a hit")
					}
				}
				clock.advance(time.Second)
			}
			kept := (heapInUse() - before) / entries
			it, _ := store.item(store.keys()[0])
			// Go's size classes round an allocation up by at most 1/8.
			if size := memo.Size(it.value); kept > size+size/8 {
				t.Errorf("the engine keeps %d bytes in a memo, memo.Size says %d at most", kept, size)
			}
			runtime.KeepAlive(e)
		})
	}
}

// heapInUse is the memory of the live heap objects, after a collection.
func heapInUse() int {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int(m.HeapAlloc)
}
