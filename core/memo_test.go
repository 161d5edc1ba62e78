package hoard

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// memoStore is an in-process map backend. With memos it keeps a Memo per
// stored value, as MemoGetter asks; shared makes it break that contract by
// handing every value the same Memo.
type memoStore struct {
	mu     sync.Mutex
	m      map[string]*memoItem
	shared *Memo
}

type memoItem struct {
	value []byte
	memo  Memo
}

func newMemoStore() *memoStore { return &memoStore{m: map[string]*memoItem{}} }

func (s *memoStore) Get(_ context.Context, key string) ([]byte, error) {
	v, _, err := s.GetMemo(context.Background(), key)
	return v, err
}

func (s *memoStore) GetMemo(_ context.Context, key string) ([]byte, *Memo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.m[key]
	if !ok {
		return nil, nil, ErrNotFound
	}
	if s.shared != nil {
		return it.value, s.shared, nil
	}
	return it.value, &it.memo, nil
}

func (s *memoStore) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = &memoItem{value: slices.Clone(value)}
	return nil
}

func (s *memoStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

func (s *memoStore) InProcess() bool { return true }

// plainStore hides the memos: the same bytes, decoded on every read.
type plainStore struct{ s *memoStore }

func (p plainStore) Get(ctx context.Context, key string) ([]byte, error) { return p.s.Get(ctx, key) }
func (p plainStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return p.s.Set(ctx, key, value, ttl)
}
func (p plainStore) Delete(ctx context.Context, key string) error { return p.s.Delete(ctx, key) }
func (p plainStore) InProcess() bool                              { return true }

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// exchange runs one request through h: on a miss the handler's response
// (an ETag, a Last-Modified and body) is stored. It returns the action and,
// for a hit, the status, header fields and body.
func exchange(t *testing.T, h *HTTP, method string, reqHeader RequestHeader, body string) (Action, int, []HeaderField, string) {
	t.Helper()
	x := h.Begin(context.Background(), &Request{Method: method, Host: "example.com", Path: "/a", RawQuery: "q=1", Header: reqHeader})
	defer x.Release()
	switch a := x.Action(); a {
	case ActionServe:
		return a, x.Status(), slices.Clone(x.ResponseHeaders()), string(x.Body())
	case ActionRun:
		hdr := Header(http.Header{})
		x.Prepare(hdr)
		hdr.Set("Content-Type", "text/plain")
		hdr.Set("Etag", `"`+body+`"`)
		hdr.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		x.Commit(200, hdr)
		x.Capture([]byte(body))
		x.Finish(context.Background(), 200, hdr)
		return a, 200, nil, body
	default:
		return a, 0, nil, ""
	}
}

func field(fields []HeaderField, name string) string {
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// TestMemoHitsMatchDecodedHits checks that a hit served from an entry's
// memo sends exactly what a hit decoded from the bytes sends, as the entry
// ages, for GET, HEAD and conditional requests.
func TestMemoHitsMatchDecodedHits(t *testing.T) {
	clock := &testClock{t: time.Unix(1_700_000_000, 0)}
	store := newMemoStore()
	engine := func(b Backend) *HTTP {
		c, err := New(b, WithClock(clock.now))
		if err != nil {
			t.Fatal(err)
		}
		h, err := NewHTTP(c, WithTTL(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	memo, plain := engine(store), engine(plainStore{store})
	if memo.cache.memos == nil || plain.cache.memos != nil {
		t.Fatal("the memo store should be used through GetMemo, the plain one not")
	}
	if a, _, _, _ := exchange(t, memo, "GET", nil, "v1"); a != ActionRun {
		t.Fatalf("first request: action %v, want a run", a)
	}
	requests := []struct {
		name   string
		method string
		header fakeHeader
	}{
		{"get", "GET", nil},
		{"head", "HEAD", nil},
		{"if-none-match", "GET", fakeHeader{"If-None-Match": `"v1"`}},
		{"if-none-match other", "GET", fakeHeader{"If-None-Match": `"v0"`}},
		{"if-modified-since", "GET", fakeHeader{"If-Modified-Since": "Mon, 02 Jan 2006 15:04:05 GMT"}},
	}
	for _, age := range []time.Duration{0, 5 * time.Second, 99 * time.Second, 150 * time.Second, 0, 1 * time.Second, 1000 * time.Second} {
		clock.t = clock.t.Add(age)
		for _, r := range requests {
			for round := range 2 { // the second round reuses the plan
				a1, s1, f1, b1 := exchange(t, memo, r.method, r.header, "")
				a2, s2, f2, b2 := exchange(t, plain, r.method, r.header, "")
				if a1 != ActionServe || a2 != ActionServe {
					t.Fatalf("%s: actions %v and %v, want hits", r.name, a1, a2)
				}
				if s1 != s2 || b1 != b2 || !slices.Equal(f1, f2) {
					t.Errorf("%s round %d: memo hit %d %v %q, decoded hit %d %v %q", r.name, round, s1, f1, b1, s2, f2, b2)
				}
			}
		}
	}
	_, _, f, _ := exchange(t, memo, "GET", nil, "")
	if got := field(f, "Age"); got != "1255" {
		t.Errorf("Age %q after 1255 s, want 1255", got)
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
				store.shared = new(Memo)
			}
			c, err := New(store)
			if err != nil {
				t.Fatal(err)
			}
			h, err := NewHTTP(c)
			if err != nil {
				t.Fatal(err)
			}
			refresh := fakeHeader{"Cache-Control": "no-cache"}
			for _, body := range []string{"one", "two", "three"} {
				exchange(t, h, "GET", refresh, body) // runs and stores
				for range 2 {
					a, _, f, got := exchange(t, h, "GET", nil, "")
					if a != ActionServe || got != body || field(f, "Etag") != `"`+body+`"` {
						t.Fatalf("after storing %q: action %v, body %q, ETag %q", body, a, got, field(f, "Etag"))
					}
				}
			}
		})
	}
}

// TestMemoPerEngine checks that two routes with different header settings
// sharing one entry each send their own fields.
func TestMemoPerEngine(t *testing.T) {
	c, err := New(newMemoStore())
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewHTTP(c, WithCacheHeader("X-A"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewHTTP(c, WithCacheHeader("X-B"), WithCacheStatusName("edge"))
	if err != nil {
		t.Fatal(err)
	}
	exchange(t, a, "GET", nil, "v")
	for range 3 {
		_, _, fa, _ := exchange(t, a, "GET", nil, "")
		_, _, fb, _ := exchange(t, b, "GET", nil, "")
		if field(fa, "X-A") != "HIT" || field(fa, "X-B") != "" || !strings.HasPrefix(field(fa, "Cache-Status"), "hoard;") {
			t.Errorf("route a: %v", fa)
		}
		if field(fb, "X-B") != "HIT" || field(fb, "X-A") != "" || !strings.HasPrefix(field(fb, "Cache-Status"), "edge;") {
			t.Errorf("route b: %v", fb)
		}
	}
}

func TestMemoSize(t *testing.T) {
	e := entry{kind: kindHTTP, status: 200, etag: []byte(`"x"`), body: []byte("body")}
	e.header = appendHeaderField(e.header, "Content-Type", "text/plain")
	e.header = appendHeaderField(e.header, "Vary", "Accept")
	e.key = []byte("p:ns:id")
	httpEntry := appendEntry(nil, &e)
	value := appendEntry(nil, &entry{kind: kindValue, key: []byte("p:ns:id"), body: []byte("v")})
	if n := MemoSize(httpEntry); n < 300 || n > 1024 {
		t.Errorf("MemoSize of an HTTP entry with 2 fields = %d, want a few hundred bytes", n)
	}
	for name, b := range map[string][]byte{"value entry": value, "empty": nil, "foreign": []byte("hello, world, not an entry"), "corrupt": httpEntry[:len(httpEntry)-1]} {
		if n := MemoSize(b); n != 0 {
			t.Errorf("MemoSize(%s) = %d, want 0", name, n)
		}
	}
}

// TestHitWithManyFields: a stored response with more header fields than
// an Exchange keeps inline is served whole, on every path (decoded, memo,
// hot table, 304), and releasing the hit is safe.
func TestHitWithManyFields(t *testing.T) {
	const n = 20
	backends := map[string]func() Backend{
		"decoded":   func() Backend { return plainStore{newMemoStore()} },
		"memo":      func() Backend { return newMemoStore() },
		"hot table": func() Backend { return newDropStore() },
	}
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			h := newEngine(t, backend(), nil)
			r := Request{Method: "GET", Host: "example.com", Path: "/many"}
			x := h.Begin(context.Background(), &r)
			hdr := Header(http.Header{})
			x.Prepare(hdr)
			for i := range n {
				hdr.Set(fmt.Sprintf("X-Field-%02d", i), "v")
			}
			hdr.Set("Etag", `"e"`)
			x.Commit(200, hdr)
			x.Capture([]byte("body"))
			x.Finish(context.Background(), 200, hdr)
			x.Release()
			for round, inm := range []string{"", "", "", `"e"`} {
				r.Header = fakeHeader{"If-None-Match": inm}
				x := h.Begin(context.Background(), &r)
				if x.Action() != ActionServe {
					t.Fatalf("round %d: action %v", round, x.Action())
				}
				fields := x.ResponseHeaders()
				if inm == "" {
					for i := range n {
						if got := field(fields, fmt.Sprintf("X-Field-%02d", i)); got != "v" {
							t.Fatalf("round %d: X-Field-%02d = %q in %d fields", round, i, got, len(fields))
						}
					}
				} else if x.Status() != 304 {
					t.Fatalf("conditional: status %d", x.Status())
				}
				x.Release()
			}
		})
	}
}
