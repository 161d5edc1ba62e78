package hoardotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hoard-go/hoard/core/httpcache"

	hoardotel "github.com/hoard-go/hoard/otel"
)

// TestSpans serves a miss, a hit and a request while the backend fails
// through the HTTP engine, and checks the spans the recorder got.
func TestSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	obs, err := hoardotel.New(hoardotel.WithTracerProvider(tp), hoardotel.WithBackendName("flaky"))
	if err != nil {
		t.Fatal(err)
	}
	b := newFlaky(t)
	engine, err := httpcache.New(newCache(t, b, obs), httpcache.WithNamespace("pages"))
	if err != nil {
		t.Fatal(err)
	}
	h := engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("page"))
	}))
	type span struct {
		name   string
		status codes.Code
	}
	tests := []struct {
		name   string
		fail   bool
		xcache string
		want   []span
	}{
		{"miss", false, "MISS", []span{{"hoard.get", codes.Unset}, {"hoard.handler", codes.Unset}, {"hoard.set", codes.Unset}}},
		{"hit", false, "HIT", []span{{"hoard.get", codes.Unset}}},
		{"backend down", true, "MISS", []span{{"hoard.get", codes.Error}, {"hoard.handler", codes.Unset}}},
	}
	path := "/a"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b.fail.Store(tt.fail)
			if tt.fail {
				path = "/b" // a new key: the engine's in-process hit path would not ask the backend
			}
			before := len(rec.Ended())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			if w.Header().Get("X-Cache") != tt.xcache {
				t.Fatalf("X-Cache %q, want %s", w.Header().Get("X-Cache"), tt.xcache)
			}
			var got []span
			for _, s := range rec.Ended()[before:] {
				got = append(got, span{s.Name(), s.Status().Code})
				if s.SpanKind() != trace.SpanKindInternal {
					t.Errorf("%s: kind %v, want internal", s.Name(), s.SpanKind())
				}
				attrs := attribute.NewSet(s.Attributes()...)
				op := strings.TrimPrefix(s.Name(), "hoard.")
				for _, kv := range []attribute.KeyValue{
					hoardotel.AttrOperation.String(op),
					hoardotel.AttrNamespace.String("hoard:pages"),
					hoardotel.AttrBackend.String("flaky"),
				} {
					if v, ok := attrs.Value(kv.Key); !ok || v != kv.Value {
						t.Errorf("%s: %s = %q, want %q", s.Name(), kv.Key, v.Emit(), kv.Value.Emit())
					}
				}
				if s.Status().Code == codes.Error {
					if v, _ := attrs.Value(hoardotel.AttrErrorType); v.AsString() != "_OTHER" {
						t.Errorf("%s: error.type %q, want _OTHER", s.Name(), v.Emit())
					}
					if len(s.Events()) != 1 || s.Events()[0].Name != "exception" {
						t.Errorf("%s: events %v, want the recorded error", s.Name(), s.Events())
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("spans %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("span %d: %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestSpanParent: a backend operation's span is a child of the caller's.
func TestSpanParent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	obs, err := hoardotel.New(hoardotel.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	opCtx, end := obs.Trace(ctx, "delete", "hoard:users:1")
	if got := trace.SpanFromContext(opCtx).SpanContext(); got.SpanID() == parent.SpanContext().SpanID() || !got.IsValid() {
		t.Errorf("the operation's context carries span %v, want a new one", got.SpanID())
	}
	end(nil)
	parent.End()
	spans := rec.Ended()
	if len(spans) != 2 || spans[0].Name() != "hoard.delete" || spans[0].Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("spans %v: want hoard.delete as a child of request", spans)
	}
}

// TestHandlerSpanParent: on a miss the handler runs with the hoard.handler
// span's context, so a span the handler starts (a database query) is its
// child.
func TestHandlerSpanParent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	obs, err := hoardotel.New(hoardotel.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	engine, err := httpcache.New(newCache(t, newFlaky(t), obs))
	if err != nil {
		t.Fatal(err)
	}
	h := engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, query := tp.Tracer("app").Start(r.Context(), "db.query")
		query.End()
		_, _ = w.Write([]byte("page"))
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/a", nil))
	spans := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		spans[s.Name()] = s
	}
	query, handler := spans["db.query"], spans["hoard.handler"]
	if query == nil || handler == nil {
		t.Fatalf("spans %v, want db.query and hoard.handler", spans)
	}
	if query.Parent().SpanID() != handler.SpanContext().SpanID() {
		t.Errorf("db.query's parent is %v, want hoard.handler %v", query.Parent().SpanID(), handler.SpanContext().SpanID())
	}
}
