package adaptertest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"
)

// NewServer starts a real HTTP server serving routes through the adapter's
// middleware over c, and returns its base URL ("http://127.0.0.1:port").
// It must stop the server in t.Cleanup. Every route must answer every
// method.
type NewServer func(t *testing.T, c *hoard.Cache, routes []Route) string

// Option configures the suite.
type Option func(*config)

type config struct {
	newBackend       func(t *testing.T) hoard.Backend
	purgeServer      PurgeServer
	flushedNotStored bool
	serverDate       bool
}

// PurgeServer starts a real HTTP server of the adapter's framework with
// the adapter's own purge handler, built over c with authorize, mounted
// for POST, and returns the URL to POST to; it must stop the server in
// t.Cleanup. When building the handler fails (no authoriser), it returns
// that error and starts nothing.
type PurgeServer func(t *testing.T, c *hoard.Cache, authorize func(*http.Request) error) (string, error)

// WithPurgeServer has the purge scenario go through the adapter's purge
// handler (default: [NetHTTPPurge] of httpcache.PurgeHandler).
func WithPurgeServer(p PurgeServer) Option {
	return func(c *config) { c.purgeServer = p }
}

// NetHTTPPurge returns a [PurgeServer] for a net/http purge handler built
// by build (httpcache.PurgeHandler), served by an httptest server.
func NetHTTPPurge(build func(c *hoard.Cache, authorize func(*http.Request) error, opts ...httpcache.Option) (http.Handler, error)) PurgeServer {
	return func(t *testing.T, c *hoard.Cache, authorize func(*http.Request) error) (string, error) {
		h, err := build(c, authorize)
		if err != nil {
			return "", err
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL + "/purge", nil
	}
}

// WithBackend runs the suite on another backend (default: a fresh memory
// store per scenario). Scenarios use distinct key prefixes, so the backends
// may share one server.
func WithBackend(newBackend func(t *testing.T) hoard.Backend) Option {
	return func(c *config) { c.newBackend = newBackend }
}

// FlushedStreamsNotStored tells the suite that the adapter's framework
// cannot put the engine's reader in front of a flushed body stream through
// its public API (fasthttp closes a stream it replaces): such a stream
// must then arrive whole and unstored, instead of stored.
func FlushedStreamsNotStored() Option {
	return func(c *config) { c.flushedNotStored = true }
}

// ServerDate tells the suite that the adapter's framework writes its own
// Date on every response and ignores one set by a handler or a cache
// (fasthttp): a hit then carries the time it was sent rather than the
// stored response's Date.
func ServerDate() Option {
	return func(c *config) { c.serverDate = true }
}

// NewCache returns a cache over a fresh memory store that logs nothing,
// closed when the test ends: for an adapter's own tests. opts come after
// the silent logger, so WithLogger may replace it.
func NewCache(t testing.TB, opts ...hoard.Option) *hoard.Cache {
	t.Helper()
	s, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c, err := hoard.New(s, append([]hoard.Option{hoard.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Run runs every scenario as a named subtest.
func Run(t *testing.T, newServer NewServer, opts ...Option) {
	cfg := config{newBackend: func(t *testing.T) hoard.Backend {
		s, err := memory.New(memory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}, purgeServer: NetHTTPPurge(httpcache.PurgeHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	s := &suite{cfg: cfg, newServer: newServer}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) { sc.fn(s, t) })
	}
}

type suite struct {
	cfg       config
	newServer NewServer
	seq       int
	mu        sync.Mutex
}

// env is one scenario's server, cache, clock and client.
type env struct {
	t      *testing.T
	base   string
	cache  *hoard.Cache
	clk    *clock
	client *http.Client
	events *eventLog
}

// start builds a cache (fake clock, unique prefix) over backend and serves
// routes through the adapter.
func (s *suite) start(t *testing.T, backend hoard.Backend, routes []Route, opts ...hoard.Option) *env {
	t.Helper()
	s.mu.Lock()
	s.seq++
	prefix := fmt.Sprintf("at%d%d", time.Now().UnixNano()%1_000_000, s.seq)
	s.mu.Unlock()
	if backend == nil {
		backend = s.cfg.newBackend(t)
	}
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	events := &eventLog{}
	all := append([]hoard.Option{hoard.WithPrefix(prefix), hoard.WithClock(clk.Now), hoard.WithObserver(events),
		hoard.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	c, err := hoard.New(backend, all...)
	if err != nil {
		t.Fatal(err)
	}
	base := s.newServer(t, c, routes)
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &env{t: t, base: base, cache: c, clk: clk, client: &http.Client{Transport: tr, Timeout: 30 * time.Second}, events: events}
}

// response is what the client received.
type response struct {
	status int
	header http.Header
	body   string
}

func (r *response) xcache() string { return r.header.Get("X-Cache") }

// do sends a request. hdr is name/value pairs; "Host" sets the Host.
func (e *env) do(method, path string, hdr ...string) *response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Add(hdr[i], hdr[i+1])
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return &response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (e *env) get(path string, hdr ...string) *response {
	e.t.Helper()
	return e.do(http.MethodGet, path, hdr...)
}

// eventually waits, up to 5 seconds, for cond to hold: for work the
// engine does in the background (a refresh), not for time to pass, which
// the scenario's clock controls.
func (e *env) eventually(cond func() bool) {
	e.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			e.t.Fatal("the background work did not finish within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// expect checks status, X-Cache and body of a response.
func (e *env) expect(r *response, status int, xcache, body string) {
	e.t.Helper()
	if r.status != status || r.xcache() != xcache || (body != "*" && r.body != body) {
		e.t.Fatalf("got %d X-Cache=%q body=%q; want %d X-Cache=%q body=%q\nheaders: %v",
			r.status, r.xcache(), clip(r.body), status, xcache, clip(body), r.header)
	}
}

func (e *env) runs(h *Handler, want int64) {
	e.t.Helper()
	if got := h.Runs(); got != want {
		e.t.Fatalf("handler ran %d times, want %d", got, want)
	}
}

func clip(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%s...(%d bytes)", s[:80], len(s))
	}
	return s
}

// eventLog records observer events.
type eventLog struct {
	mu     sync.Mutex
	counts map[hoard.EventKind]int
	onMiss func()
}

func (l *eventLog) Observe(_ context.Context, ev hoard.Event) {
	l.mu.Lock()
	if l.counts == nil {
		l.counts = map[hoard.EventKind]int{}
	}
	l.counts[ev.Kind]++
	f := l.onMiss
	l.mu.Unlock()
	if ev.Kind == hoard.EventMiss && f != nil {
		f()
	}
}

func (l *eventLog) count(k hoard.EventKind) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[k]
}

// static returns a handler answering body with extra header pairs.
func static(body string, hdr ...string) *Handler {
	return &Handler{Build: func(Request) Response {
		return Response{Header: pairs(hdr), Chunks: []string{body}}
	}}
}

func pairs(hdr []string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(hdr); i += 2 {
		out = append(out, [2]string{hdr[i], hdr[i+1]})
	}
	return out
}

// failingBackend fails every operation: a dead server.
type failingBackend struct{}

var errBackendDown = errors.New("adaptertest: backend down")

func (failingBackend) Get(context.Context, string) ([]byte, error) { return nil, errBackendDown }
func (failingBackend) Set(context.Context, string, []byte, time.Duration) error {
	return errBackendDown
}
func (failingBackend) Delete(context.Context, string) error { return errBackendDown }

func hasToken(list, tok string) bool {
	for _, p := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(p), tok) {
			return true
		}
	}
	return false
}
