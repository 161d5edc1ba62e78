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

func (l *spanLog) Trace(ctx context.Context, op, _ string) (context.Context, func(error)) {
	return ctx, func(err error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		s := op
		if err != nil {
			s += ": " + err.Error()
		}
		l.spans = append(l.spans, s)
	}
}

// TestHandlerSpan: on a miss the handler runs in a tracer's span, which
// ends with the handler's error or its panic; a hit runs no handler span.
func TestHandlerSpan(t *testing.T) {
	l := &spanLog{}
	e := newEngine(t, newMemoStore(), []hoard.Option{hoard.WithObserver(l)})
	ok := func(w http.ResponseWriter) error { _, err := w.Write([]byte("body")); return err }
	for _, step := range []struct {
		path string
		next func(http.ResponseWriter) error
	}{
		{"/a", ok},
		{"/a", ok}, // a hit
		{"/b", func(http.ResponseWriter) error { return errors.New("boom") }},
	} {
		_ = e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", step.path, nil), step.next)
	}
	func() {
		defer func() { _ = recover() }()
		_ = e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/c", nil), func(http.ResponseWriter) error { panic("p") })
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
