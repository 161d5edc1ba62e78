package httpcache

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/internal/memo"
)

// This file holds what the engine's tests share: in-process backends that
// keep memos (memoStore) or also drop them (dropStore), a manual clock, a
// list-based Response like fasthttp's, and serve, which runs one request
// through Engine.Serve.

// memoStore is an in-process map backend keeping a memo per stored value,
// as memo.Getter asks; shared makes it break that contract by handing
// every value the same memo. It counts the reads of each kind.
type memoStore struct {
	mu     sync.Mutex
	m      map[string]*memoItem
	shared *memo.Memo

	gets, memoGets atomic.Int64
}

type memoItem struct {
	value []byte
	memo  memo.Memo
}

var (
	_ hoard.Backend  = (*memoStore)(nil)
	_ memo.Getter    = (*memoStore)(nil)
	_ memo.InProcess = (*memoStore)(nil)
)

func newMemoStore() *memoStore { return &memoStore{m: map[string]*memoItem{}} }

func (s *memoStore) item(key string) (*memoItem, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.m[key]
	return it, ok
}

func (s *memoStore) Get(_ context.Context, key string) ([]byte, error) {
	s.gets.Add(1)
	it, ok := s.item(key)
	if !ok {
		return nil, hoard.ErrNotFound
	}
	return it.value, nil
}

func (s *memoStore) GetMemo(_ context.Context, key string) ([]byte, *memo.Memo, error) {
	s.memoGets.Add(1)
	it, ok := s.item(key)
	if !ok {
		return nil, nil, hoard.ErrNotFound
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

// keys returns the stored keys.
func (s *memoStore) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ks []string
	for k := range s.m {
		ks = append(ks, k)
	}
	return ks
}

// plainStore hides the memos: the same bytes, decoded on every read.
type plainStore struct{ s *memoStore }

func (p plainStore) Get(ctx context.Context, key string) ([]byte, error) { return p.s.Get(ctx, key) }
func (p plainStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return p.s.Set(ctx, key, value, ttl)
}
func (p plainStore) Delete(ctx context.Context, key string) error { return p.s.Delete(ctx, key) }
func (p plainStore) InProcess() bool                              { return true }

// dropStore is a memoStore keeping the memo.Dropper promise: a value that
// leaves it has its memo dropped. It counts reads and touches, to tell hits
// answered from the hot table from the others.
type dropStore struct {
	*memoStore
	reads, touches atomic.Int64
}

var _ memo.Dropper = (*dropStore)(nil)

func newDropStore() *dropStore { return &dropStore{memoStore: newMemoStore()} }

func (s *dropStore) GetMemo(ctx context.Context, key string) ([]byte, *memo.Memo, error) {
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

// nopBackend stores nothing: enough for a Cache whose keys are built.
type nopBackend struct{}

func (nopBackend) Get(context.Context, string) ([]byte, error)              { return nil, hoard.ErrNotFound }
func (nopBackend) Set(context.Context, string, []byte, time.Duration) error { return nil }
func (nopBackend) Delete(context.Context, string) error                     { return nil }

// testClock is a clock that moves only when told to.
type testClock struct{ ns atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.ns.Store(time.Unix(1_700_000_000, 0).UnixNano())
	return c
}

func (c *testClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *testClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func (c *testClock) option() hoard.Option    { return hoard.WithClock(c.now) }

// newCache returns a Cache over b.
func newCache(t testing.TB, b hoard.Backend, copts ...hoard.Option) *hoard.Cache {
	t.Helper()
	c, err := hoard.New(b, copts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newEngine returns an engine over b, with Cache options copts.
func newEngine(t testing.TB, b hoard.Backend, copts []hoard.Option, opts ...Option) *Engine {
	t.Helper()
	e, err := New(newCache(t, b, copts...), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// fakeHeader is a request header with canonical names.
type fakeHeader map[string]string

func (h fakeHeader) Get(name string) string { return h[name] }

// listHeader is a ResponseHeader that lists its fields in the order they
// were set, as fasthttp does (http.Header groups them by name), with names
// kept as written: Add("set-cookie", ...) stays lower case.
type listHeader struct{ fields []Field }

var _ ResponseHeader = (*listHeader)(nil)

func (h *listHeader) Range(fn func(name, value string)) {
	for _, f := range h.fields {
		fn(f.Name, f.Value)
	}
}

func (h *listHeader) Set(name, value string) {
	h.Del(name)
	h.Add(name, value)
}

// Add appends a field, its name as given.
func (h *listHeader) Add(name, value string) { h.fields = append(h.fields, Field{name, value}) }

// Del removes name in any case.
func (h *listHeader) Del(name string) {
	h.fields = slices.DeleteFunc(h.fields, func(f Field) bool { return strings.EqualFold(f.Name, name) })
}

// Get returns the first value of name, in any case.
func (h *listHeader) Get(name string) string {
	for _, f := range h.fields {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Values returns the values of name, in any case, in order.
func (h *listHeader) Values(name string) []string {
	var vals []string
	for _, f := range h.fields {
		if strings.EqualFold(f.Name, name) {
			vals = append(vals, f.Value)
		}
	}
	return vals
}

// fakeResponse is a buffered framework's response (fasthttp's shape).
type fakeResponse struct {
	header   listHeader
	status   int
	body     []byte
	stream   io.Reader
	hijacked bool

	hit      bool    // WriteHit was called
	hitField []Field // the fields WriteHit was given (copied)
}

var _ Response = (*fakeResponse)(nil)

func (r *fakeResponse) Header() ResponseHeader { return &r.header }

func (r *fakeResponse) WriteHit(status int, fields []Field, body []byte) {
	r.hit = true
	r.hitField = slices.Clone(fields)
	var replaced []string
	for _, f := range fields {
		if !slices.Contains(replaced, f.Name) {
			r.header.Del(f.Name)
			replaced = append(replaced, f.Name)
		}
		r.header.Add(f.Name, f.Value)
	}
	r.status = status
	r.body = body
}

func (r *fakeResponse) Status() int           { return r.status }
func (r *fakeResponse) Body() []byte          { return r.body }
func (r *fakeResponse) BodyStream() io.Reader { return r.stream }
func (r *fakeResponse) Hijacked() bool        { return r.hijacked }

func (r *fakeResponse) ReplaceBodyStream(s io.Reader) bool {
	r.stream = s
	return true
}

// result is what one request through the engine produced.
type result struct {
	hit    bool // answered from the cache
	ran    bool // the handler ran
	status int
	header *listHeader
	fields []Field // a hit's fields
	body   string
	raw    []byte // the body as given to WriteHit or by the handler
}

// handlerFunc is a handler of a buffered framework: it sets the response.
type handlerFunc func(resp *fakeResponse)

// textHandler answers 200 text/plain with body.
func textHandler(body string) handlerFunc {
	return func(resp *fakeResponse) {
		resp.status = 200
		resp.header.Set("Content-Type", "text/plain")
		resp.body = []byte(body)
	}
}

// serve runs r through e.Serve: outer (if any) sets fields before the
// engine runs, as a middleware outside hoard would; h is the handler.
func serve(t testing.TB, e *Engine, r Request, outer []Field, h handlerFunc) result {
	t.Helper()
	if r.Method == "" {
		r.Method = "GET"
	}
	resp := &fakeResponse{}
	for _, f := range outer {
		resp.header.Add(f.Name, f.Value)
	}
	ran := false
	err := e.Serve(context.Background(), &r, resp, func() error {
		ran = true
		if h != nil {
			h(resp)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if resp.hit == ran {
		t.Fatalf("Serve: hit %v and handler ran %v", resp.hit, ran)
	}
	return result{hit: resp.hit, ran: ran, status: resp.status, header: &resp.header, fields: resp.hitField, body: string(resp.body), raw: resp.body}
}

// field returns the first value of name in fields.
func field(fields []Field, name string) string {
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// hitPaths are the three ways a hit is served (hit.go): decoded from the
// stored bytes, from the value's memo, and from the hot table.
func hitPaths() map[string]func() hoard.Backend {
	return map[string]func() hoard.Backend{
		"decoded":   func() hoard.Backend { return plainStore{newMemoStore()} },
		"memo":      func() hoard.Backend { return newMemoStore() },
		"hot table": func() hoard.Backend { return newDropStore() },
	}
}
