package hoard

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// dropStore is memoStore keeping the MemoDropper promise: a value that
// leaves it has its memo dropped. It counts reads and touches, to tell
// hits answered from the hot table from the others.
type dropStore struct {
	*memoStore
	reads, touches atomic.Int64
}

var _ MemoDropper = (*dropStore)(nil)

func newDropStore() *dropStore { return &dropStore{memoStore: newMemoStore()} }

func (s *dropStore) GetMemo(ctx context.Context, key string) ([]byte, *Memo, error) {
	s.reads.Add(1)
	return s.memoStore.GetMemo(ctx, key)
}

func (s *dropStore) Get(ctx context.Context, key string) ([]byte, error) {
	v, _, err := s.GetMemo(ctx, key)
	return v, err
}

func (s *dropStore) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[key]; ok {
		old.memo.Drop()
	}
	s.m[key] = &memoItem{value: slices.Clone(value)}
	return nil
}

func (s *dropStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[key]; ok {
		old.memo.Drop()
	}
	delete(s.m, key)
	return nil
}

func (s *dropStore) Touch(string) { s.touches.Add(1) }

// get runs one GET for host+path through h (storing body on a miss) and
// returns the action, the body and the header fields.
func get(t *testing.T, h *HTTP, r Request, body string) (Action, string, []HeaderField) {
	t.Helper()
	r.Method = "GET"
	x := h.Begin(context.Background(), &r)
	defer x.Release()
	switch a := x.Action(); a {
	case ActionServe:
		return a, string(x.Body()), slices.Clone(x.ResponseHeaders())
	case ActionRun:
		hdr := Header(http.Header{})
		x.Prepare(hdr)
		hdr.Set("Content-Type", "text/plain")
		if len(h.cfg.varyBy) > 0 {
			hdr.Set("Vary", strings.Join(h.cfg.varyBy, ", "))
		}
		x.Commit(200, hdr)
		x.Capture([]byte(body))
		x.Finish(context.Background(), 200, hdr)
		return a, body, nil
	default:
		return a, "", nil
	}
}

// TestHotTable checks that repeated hits skip the backend, and that
// everything that changes what a request should get (a new value, a
// deleted one, expiry, another Vary value, another host) is seen at once.
func TestHotTable(t *testing.T) {
	clock := &testClock{t: time.Unix(1_700_000_000, 0)}
	req := Request{Host: "example.com", Path: "/a", RawQuery: "q=1"}
	refresh := fakeHeader{"Cache-Control": "no-cache"}

	t.Run("repeat hits skip the backend", func(t *testing.T) {
		s := newDropStore()
		h := newEngine(t, s, nil)
		get(t, h, req, "v1")
		get(t, h, req, "") // a hit through the backend remembers the memo
		before := s.reads.Load()
		// Enough hits that the sampled touches number about 16 (sampling
		// none at all is as unlikely as 1 in 10^7).
		const hits = 16 * hotTouchSample
		for range hits {
			if a, body, _ := get(t, h, req, ""); a != ActionServe || body != "v1" {
				t.Fatalf("hit: %v %q", a, body)
			}
		}
		if n := s.reads.Load() - before; n != 0 {
			t.Errorf("%d backend reads for %d repeated hits, want 0", n, hits)
		}
		if n := s.touches.Load(); n == 0 || n > 3*16 {
			t.Errorf("%d touches for %d hits, want about 16", n, hits)
		}
		if st := h.cache.Stats(); st.Hits != hits+1 {
			t.Errorf("Stats.Hits = %d, want %d", st.Hits, hits+1)
		}
	})

	t.Run("a new value is served at once", func(t *testing.T) {
		h := newEngine(t, newDropStore(), nil)
		for _, v := range []string{"one", "two", "three"} {
			get(t, h, Request{Host: req.Host, Path: req.Path, RawQuery: req.RawQuery, Header: refresh}, v)
			for range 3 {
				if a, body, f := get(t, h, req, ""); a != ActionServe || body != v || field(f, "Content-Length") != fmt.Sprint(len(v)) {
					t.Fatalf("after storing %q: %v %q %v", v, a, body, f)
				}
			}
		}
	})

	t.Run("a deleted value is a miss", func(t *testing.T) {
		s := newDropStore()
		h := newEngine(t, s, nil)
		get(t, h, req, "v")
		get(t, h, req, "")
		get(t, h, req, "")
		for k := range s.m {
			_ = s.Delete(context.Background(), k)
		}
		if a, _, _ := get(t, h, req, "w"); a != ActionRun {
			t.Fatalf("after delete: %v, want a miss", a)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		h := newEngine(t, newDropStore(), []Option{WithClock(clock.now)}, WithTTL(10*time.Second))
		get(t, h, req, "v")
		get(t, h, req, "")
		clock.t = clock.t.Add(9 * time.Second)
		if a, _, f := get(t, h, req, ""); a != ActionServe || field(f, "Age") != "9" {
			t.Fatalf("at 9 s: %v, Age %q", a, field(f, "Age"))
		}
		clock.t = clock.t.Add(time.Second)
		if a, _, _ := get(t, h, req, "w"); a != ActionRun {
			t.Fatalf("at 10 s: %v, want a miss", a)
		}
	})

	t.Run("vary values and hosts", func(t *testing.T) {
		h := newEngine(t, newDropStore(), nil, WithVaryBy("Accept-Language"))
		en := Request{Host: "example.com", Path: "/a", Header: fakeHeader{"Accept-Language": "en"}}
		fr := Request{Host: "example.com", Path: "/a", Header: fakeHeader{"Accept-Language": "fr"}}
		upper := Request{Host: "EXAMPLE.com", Path: "/a", Header: fakeHeader{"Accept-Language": "en"}}
		other := Request{Host: "example.org", Path: "/a", Header: fakeHeader{"Accept-Language": "en"}}
		get(t, h, en, "english")
		get(t, h, fr, "french")
		get(t, h, other, "org")
		for range 3 {
			for _, c := range []struct {
				r    Request
				want string
			}{{en, "english"}, {fr, "french"}, {upper, "english"}, {other, "org"}} {
				if a, body, _ := get(t, h, c.r, ""); a != ActionServe || body != c.want {
					t.Fatalf("%s %v: %v %q, want %q", c.r.Host, c.r.Header, a, body, c.want)
				}
			}
		}
	})

	t.Run("credentials never use the table", func(t *testing.T) {
		s := newDropStore()
		h := newEngine(t, s, nil, AllowAuthorization())
		auth := Request{Host: "example.com", Path: "/a", Header: fakeHeader{"Authorization": "Bearer x"}}
		get(t, h, auth, "mine")
		get(t, h, auth, "")
		before := s.reads.Load()
		get(t, h, auth, "")
		if s.reads.Load() == before {
			t.Error("a request with a credential was answered without the backend")
		}
	})

	t.Run("only for backends that drop memos", func(t *testing.T) {
		if h := newEngine(t, newMemoStore(), nil); h.hot != nil {
			t.Error("a MemoGetter that does not drop memos got a hot table")
		}
		if h := newEngine(t, newDropStore(), nil, WithKeyFunc(func(Request) string { return "k" })); h.hot != nil {
			t.Error("a route with a key function got a hot table")
		}
	})
}

// TestHotHitsMatchDecodedHits: a hit from the hot table sends what a hit
// decoded from the bytes sends, as the entry ages.
func TestHotHitsMatchDecodedHits(t *testing.T) {
	clock := &testClock{t: time.Unix(1_700_000_000, 0)}
	s := newDropStore()
	hot := newEngine(t, s, []Option{WithClock(clock.now)}, WithTTL(time.Hour))
	plain := newEngine(t, plainStore{s.memoStore}, []Option{WithClock(clock.now)}, WithTTL(time.Hour))
	exchange(t, hot, "GET", nil, "v1")
	requests := []struct {
		method string
		header fakeHeader
	}{
		{"GET", nil},
		{"HEAD", nil},
		{"GET", fakeHeader{"If-None-Match": `"v1"`}},
		{"GET", fakeHeader{"If-None-Match": `"v0"`}},
		{"HEAD", fakeHeader{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}},
	}
	for _, step := range []time.Duration{0, time.Second, 98 * time.Second, 2 * time.Second, 1000 * time.Second} {
		clock.t = clock.t.Add(step)
		for _, r := range requests {
			for range 3 {
				a1, s1, f1, b1 := exchange(t, hot, r.method, r.header, "")
				a2, s2, f2, b2 := exchange(t, plain, r.method, r.header, "")
				if a1 != ActionServe || a2 != ActionServe || s1 != s2 || b1 != b2 || !slices.Equal(f1, f2) {
					t.Fatalf("%s %v after %v: hot %v %d %v %q, decoded %v %d %v %q", r.method, r.header, step, a1, s1, f1, b1, a2, s2, f2, b2)
				}
			}
		}
	}
	if s.reads.Load() > 20 {
		t.Errorf("%d backend reads: the hot table was not used", s.reads.Load())
	}
}

// TestRequestTime: on the default clock the engine takes the request's
// arrival time as now; a Cache with its own clock ignores it.
func TestRequestTime(t *testing.T) {
	clock := &testClock{t: time.Unix(1_700_000_000, 0)}
	for _, own := range []bool{false, true} {
		var copts []Option
		if own {
			copts = []Option{WithClock(clock.now)}
		}
		h := newEngine(t, newDropStore(), copts, WithTTL(time.Hour))
		r := Request{Host: "example.com", Path: "/t"}
		get(t, h, r, "v")
		r.Time = time.Now().Add(42 * time.Second)
		if own {
			r.Time = clock.t.Add(time.Hour + time.Minute) // past expiry, if it were used
		}
		for range 3 { // through the backend, then from the table
			a, _, f := get(t, h, r, "")
			if a != ActionServe {
				t.Fatalf("own clock %v: %v, want a hit", own, a)
			}
			want := "42"
			if own {
				want = "0"
			}
			if got := field(f, "Age"); got != want {
				t.Errorf("own clock %v: Age %q, want %q", own, got, want)
			}
		}
	}
}

// TestDroppedMemoStaysDropped: a reader that fetched a value just before it
// left must not revive its memo.
func TestDroppedMemoStaysDropped(t *testing.T) {
	var m Memo
	m.Drop()
	e := entry{kind: kindHTTP}
	if d := m.keep([]byte("raw"), &e); d == nil {
		t.Fatal("keep returned nothing")
	}
	if m.live() != nil || m.load([]byte("raw")) != nil {
		t.Fatal("a dropped memo came back to life")
	}
}

// TestHotTableUnderChurn races hits on many URLs against new values for
// them; a response always belongs to its URL.
func TestHotTableUnderChurn(t *testing.T) {
	h := newEngine(t, newDropStore(), nil)
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 3000 {
				path := fmt.Sprintf("/u%d", (i*7+g)%40)
				r := Request{Host: "example.com", Path: path}
				if g == 0 && i%5 == 0 {
					r.Header = fakeHeader{"Cache-Control": "no-cache"}
				}
				r.Method = "GET"
				x := h.Begin(context.Background(), &r)
				switch x.Action() {
				case ActionServe:
					if body := string(x.Body()); !strings.HasPrefix(body, path+"#") {
						t.Errorf("%s got %q", path, body)
					}
				case ActionRun:
					hdr := Header(http.Header{})
					x.Prepare(hdr)
					x.Commit(200, hdr)
					x.Capture(fmt.Appendf(nil, "%s#%d", path, i))
					x.Finish(context.Background(), 200, hdr)
				}
				x.Release()
			}
		})
	}
	wg.Wait()
}

func TestMixStringSeparatesParts(t *testing.T) {
	tab := newHotTable()
	seen := map[uint64]string{}
	for _, parts := range [][3]string{
		{"ab", "c", ""}, {"a", "bc", ""}, {"", "abc", ""}, {"abc", "", ""}, {"", "", "abc"},
		{"example.com", "/items", "page=1"}, {"example.com", "/items", "page=2"}, {"example.com", "/item", "spage=1"},
		{"h", strings.Repeat("x", 17), ""}, {"h", strings.Repeat("x", 16), "x"},
	} {
		hsh := tab.hash(&Request{Host: parts[0], Path: parts[1], RawQuery: parts[2]})
		if prev, ok := seen[hsh]; ok {
			t.Errorf("%q and %s hash alike", parts, prev)
		}
		seen[hsh] = fmt.Sprintf("%q", parts)
	}
}
