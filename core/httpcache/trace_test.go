package httpcache

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
)

// spanLog is an Observer and hoard.Tracer recording the spans it ended.
type spanLog struct {
	mu    sync.Mutex
	spans []string
}

func (l *spanLog) Observe(context.Context, hoard.Event) {}

// spanKey marks a context as the span's.
type spanKey struct{}

func (l *spanLog) Trace(ctx context.Context, op, _ string) (context.Context, func(error)) {
	return context.WithValue(ctx, spanKey{}, op), func(err error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		s := op
		if err != nil {
			s += ": " + err.Error()
		}
		l.spans = append(l.spans, s)
	}
}

// TestHandlerSpan: on a miss the handler runs in a tracer's span, with the
// span's context (its own spans nest under it), and the span ends with the
// handler's error or its panic; a hit runs no handler span.
func TestHandlerSpan(t *testing.T) {
	l := &spanLog{}
	e := newEngine(t, newMemoStore(), []hoard.Option{hoard.WithObserver(l)})
	ok := func(w http.ResponseWriter, r *http.Request) error {
		if r.Context().Value(spanKey{}) != "handler" {
			t.Error("the handler does not run with the span's context")
		}
		_, err := w.Write([]byte("body"))
		return err
	}
	for _, step := range []struct {
		path string
		next func(http.ResponseWriter, *http.Request) error
	}{
		{"/a", ok},
		{"/a", ok}, // a hit
		{"/b", func(http.ResponseWriter, *http.Request) error { return errors.New("boom") }},
	} {
		_ = e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", step.path, nil), step.next)
	}
	func() {
		defer func() { _ = recover() }()
		_ = e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/c", nil), func(http.ResponseWriter, *http.Request) error { panic("p") })
	}()
	var handlers []string
	for _, s := range l.spans {
		if strings.HasPrefix(s, "handler") {
			handlers = append(handlers, s)
		}
	}
	want := []string{"handler", "handler: boom", "handler: " + errHandlerPanicked.Error()}
	if strings.Join(handlers, "|") != strings.Join(want, "|") {
		t.Fatalf("handler spans %q, want %q", handlers, want)
	}
}
