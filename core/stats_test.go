package hoard_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
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
