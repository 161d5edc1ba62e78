package hoard_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

// manualClock is a time source that moves only when told to.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newManualClock() *manualClock { return &manualClock{t: time.Unix(1_700_000_000, 0)} }

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// eventLog records every event an Observer receives.
type eventLog struct {
	mu     sync.Mutex
	events []hoard.Event
}

func (l *eventLog) Observe(_ context.Context, ev hoard.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *eventLog) all() []hoard.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *eventLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = nil
}

// kinds returns the kinds of the recorded events, in order.
func (l *eventLog) kinds() []hoard.EventKind {
	var ks []hoard.EventKind
	for _, ev := range l.all() {
		ks = append(ks, ev.Kind)
	}
	return ks
}

func (l *eventLog) count(kind hoard.EventKind) int {
	n := 0
	for _, ev := range l.all() {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// find returns the first event of kind with op, if any.
func (l *eventLog) find(kind hoard.EventKind, op string) (hoard.Event, bool) {
	for _, ev := range l.all() {
		if ev.Kind == kind && ev.Op == op {
			return ev, true
		}
	}
	return hoard.Event{}, false
}

// newMemoryCache returns a Cache over a fresh memory store, both closed at
// the end of the test.
func newMemoryCache(t testing.TB, opts ...hoard.Option) (*hoard.Cache, *memory.Store) {
	t.Helper()
	store, err := memory.New(memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	c, err := hoard.New(store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c, store
}

// remoteBackend is a map behind a mutex that hands out a fresh copy of a
// value on every Get, as a remote backend's client does.
type remoteBackend struct {
	mu   sync.Mutex
	data map[string][]byte
}

func newRemoteBackend() *remoteBackend { return &remoteBackend{data: map[string][]byte{}} }

func (b *remoteBackend) Get(_ context.Context, key string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	v, ok := b.data[key]
	if !ok {
		return nil, hoard.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (b *remoteBackend) Set(_ context.Context, key string, value []byte, _ time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.data[key] = slices.Clone(value)
	return nil
}

func (b *remoteBackend) Delete(_ context.Context, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.data, key)
	return nil
}
