package hoardhttp

import (
	"net/http"

	hoard "github.com/hoard-go/hoard/core"
)

// Middleware returns net/http middleware that caches responses in c. The
// options (hoard.WithTTL, hoard.WithVaryBy, ...) apply to every route it
// wraps; use one Middleware per route for per-route settings. A bad option
// is an error here, never at request time.
func Middleware(c *hoard.Cache, opts ...hoard.HTTPOption) (func(http.Handler) http.Handler, error) {
	engine, err := hoard.NewHTTP(c, opts...)
	if err != nil {
		return nil, err
	}
	return func(next http.Handler) http.Handler {
		return &handler{engine: engine, next: next}
	}, nil
}

type handler struct {
	engine *hoard.HTTP
	next   http.Handler
}

func (m *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := hoard.Request{
		Method:   r.Method,
		Host:     r.Host,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   requestHeader(r.Header),
	}
	x := m.engine.Begin(r.Context(), &req)
	defer x.Release()
	hdr := header(w.Header())
	switch x.Action() {
	case hoard.ActionServe:
		writeFields(hdr, x.ResponseHeaders())
		w.WriteHeader(x.Status())
		if body := x.Body(); len(body) > 0 {
			_, _ = w.Write(body)
		}
	case hoard.ActionBypass:
		x.Prepare(hdr)
		m.next.ServeHTTP(w, r)
	case hoard.ActionRun:
		x.Prepare(hdr)
		if !x.Capturing() {
			m.next.ServeHTTP(w, r)
			return
		}
		m.run(w, r, x, hdr)
	default:
		m.next.ServeHTTP(w, r)
	}
}

// run calls the handler through a capturing writer and offers the result
// to the engine. A panic stores nothing and keeps unwinding.
func (m *handler) run(w http.ResponseWriter, r *http.Request, x *hoard.Exchange, hdr header) {
	cw := &captureWriter{ResponseWriter: w, x: x, hdr: hdr}
	ok := false
	defer func() {
		if !ok {
			x.Abort()
		}
	}()
	m.next.ServeHTTP(cw, r)
	ok = true
	if cw.hijacked {
		x.Abort()
		return
	}
	x.Finish(r.Context(), http.StatusOK, hdr)
}

// writeFields sets a hit's header fields. The engine's names are canonical
// and its strings immutable, so they go into the map as they are, with all
// the values in one backing array: one allocation for the whole header.
func writeFields(h header, fields []hoard.HeaderField) {
	vals := make([]string, len(fields))
	prev := ""
	for i, f := range fields {
		if f.Name == prev {
			h[f.Name] = append(h[f.Name], f.Value)
			continue
		}
		vals[i] = f.Value
		h[f.Name] = vals[i : i+1 : i+1]
		prev = f.Name
	}
}

// requestHeader reads request fields by canonical name without
// re-canonicalising: the engine only asks for canonical names.
type requestHeader http.Header

func (h requestHeader) Get(name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}
