package hoard_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

func TestStats(t *testing.T) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	load := func(context.Context) (int, error) { return 7, nil }
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				_, _ = hoard.Remember(ctx, c, "warm", time.Minute, load)
			}
		}()
	}
	wg.Wait()
	_, _ = hoard.Remember(ctx, c, "fails", time.Minute, func(context.Context) (int, error) { return 0, errors.New("boom") })
	st := c.Stats()
	if st.Hits+st.Misses != 801 || st.Misses < 2 || st.Stores < 1 || st.Errors != 1 {
		t.Fatalf("Stats = %+v; want 801 lookups, at least 2 misses and 1 store, 1 error", st)
	}
	if st.Breaker != "disabled" {
		t.Fatalf("memory backend breaker state %q, want disabled", st.Breaker)
	}
}

func TestSlogObserver(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store, _ := memory.New(memory.Options{})
	defer store.Close()
	c, err := hoard.New(store, hoard.WithObserver(hoard.SlogObserver(l)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, _ = hoard.Remember(ctx, c, "k", time.Minute, func(context.Context) (string, error) { return "v", nil })
	_, _ = hoard.Remember(ctx, c, "k", time.Minute, func(context.Context) (string, error) { return "v", nil })
	for _, want := range []string{"event=miss", "event=store", "event=hit"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}

// tracingObserver is an Observer that is also a Tracer: it records each
// span it was asked for and how it ended, and each event's duration.
type tracingObserver struct {
	mu     sync.Mutex
	spans  []string // "op key -> error"
	events []hoard.Event
}

func (o *tracingObserver) Observe(_ context.Context, ev hoard.Event) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, ev)
}

func (o *tracingObserver) Trace(ctx context.Context, op, key string) (context.Context, func(error)) {
	return ctx, func(err error) {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.spans = append(o.spans, fmt.Sprintf("%s %s -> %v", op, key, err))
	}
}

// TestTracerAndDurations: with a Tracer, every backend operation runs in a
// span that ends with its outcome, and events behind a backend call carry
// its duration.
func TestTracerAndDurations(t *testing.T) {
	ctx := context.Background()
	o := &tracingObserver{}
	c, err := hoard.New(slowBackend{newRemoteBackend(), time.Millisecond}, hoard.WithObserver(o), hoard.WithPrefix("p"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hoard.Remember(ctx, c, "k", time.Minute, func(context.Context) (int, error) { return 1, nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := hoard.Remember(ctx, c, "k", time.Minute, func(context.Context) (int, error) { return 2, nil }); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"get p::k -> hoard: not found",
		"set p::k -> <nil>",
		"get p::k -> <nil>",
		"delete p::k -> <nil>",
	}
	if !slices.Equal(o.spans, want) {
		t.Errorf("spans %q, want %q", o.spans, want)
	}
	for _, ev := range o.events {
		if ev.Duration < time.Millisecond {
			t.Errorf("%v %s: duration %v, want at least the backend's 1ms", ev.Kind, ev.Op, ev.Duration)
		}
	}
	if len(o.events) != 3 { // miss, store, hit
		t.Errorf("events %v", o.events)
	}
}

// slowBackend takes at least d for every call.
type slowBackend struct {
	hoard.Backend
	d time.Duration
}

func (b slowBackend) Get(ctx context.Context, key string) ([]byte, error) {
	time.Sleep(b.d)
	return b.Backend.Get(ctx, key)
}

func (b slowBackend) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	time.Sleep(b.d)
	return b.Backend.Set(ctx, key, v, ttl)
}

func TestStaleEventName(t *testing.T) {
	if hoard.EventStale.String() != "stale" {
		t.Errorf("EventStale is %q", hoard.EventStale.String())
	}
}
