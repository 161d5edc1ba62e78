package adaptertest

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoard-go/hoard/core/httpcache"
)

// Route is one path the adapter must serve for every method, through its
// middleware built with Options.
type Route struct {
	Path    string
	Options []httpcache.Option
	Handler *Handler
	// Outer are header fields that middleware outside the cache sets on
	// the response before the cache runs (a session's Vary: Cookie, a
	// request id). Adapters mount such a middleware when it is not empty.
	Outer [][2]string
}

// Handler describes what a route's handler does. Adapters call
// [Handler.Respond] once per request and carry the [Response] out.
type Handler struct {
	// Respond builds the response for a request. Default: 200 with the
	// body "ok <path>?<query>".
	Build func(r Request) Response

	runs atomic.Int64
}

// Request is the framework-neutral view of a request handed to a Handler.
type Request struct {
	Method, Host, Path, Query string
	Header                    http.Header
}

// Response is what a handler must do.
type Response struct {
	// Status to send; 0 means the framework's default (200).
	Status int
	// Header fields to set, in order; a repeated name adds a value.
	Header [][2]string
	// RawHeader fields are set under the name exactly as given, bypassing
	// the framework's canonicalisation where it has a way to (net/http:
	// straight into the header map, w.Header()["set-cookie"]).
	RawHeader [][2]string
	// Chunks of the body. With Stream each is written and flushed
	// separately, after Gate(i) returns for i > 0.
	Chunks []string
	Stream bool
	Gate   func(i int)
	// Err makes the handler fail the framework's way: return an error
	// (Echo, Fiber) or answer 500 (net/http).
	Err bool
	// Panic makes the handler panic before writing anything.
	Panic bool
}

// Respond counts a run and returns what the handler must do.
func (h *Handler) Respond(r Request) Response {
	h.runs.Add(1)
	if h.Build == nil {
		return Response{Chunks: []string{"ok " + r.Path + "?" + r.Query}}
	}
	return h.Build(r)
}

// Runs is how many times the handler ran.
func (h *Handler) Runs() int64 { return h.runs.Load() }

// Body joins the response's chunks.
func (r Response) Body() string {
	n := 0
	for _, c := range r.Chunks {
		n += len(c)
	}
	b := make([]byte, 0, n)
	for _, c := range r.Chunks {
		b = append(b, c...)
	}
	return string(b)
}

// clock is the suite's settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }
