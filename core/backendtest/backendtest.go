// Package backendtest is the conformance suite every hoard backend runs, in
// the manner of testing/fstest: one call checks the whole [hoard.Backend]
// contract (and the optional capabilities the backend implements) against a
// real instance.
//
//	func TestConformance(t *testing.T) {
//		backendtest.Run(t, func(t *testing.T) hoard.Backend { return newStore(t) })
//	}
//
// newBackend is called once per subtest; it may return backends that share
// one server: every subtest writes under its own random key prefix.
package backendtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// Option tunes the suite to a backend's limits.
type Option func(*config)

type config struct {
	advance       func(time.Duration)
	ttlResolution time.Duration
	maxValueSize  int
}

// WithClock gives the suite a way to move the backend's clock forward, for
// backends with an injected clock. Without it the suite waits in real time
// for expiry, which only a backend whose server keeps the time should need.
func WithClock(advance func(d time.Duration)) Option {
	return func(c *config) { c.advance = advance }
}

// WithTTLResolution sets the shortest TTL the backend honours: the suite's
// expiry test uses it as its TTL. Default 1s (memcached's granularity);
// Redis can use a few milliseconds.
func WithTTLResolution(d time.Duration) Option {
	return func(c *config) { c.ttlResolution = d }
}

// WithMaxValueSize sets the largest value the suite stores. Default 512 KiB.
func WithMaxValueSize(n int) Option {
	return func(c *config) { c.maxValueSize = n }
}

// Run runs the conformance suite. Each scenario is a named subtest.
func Run(t *testing.T, newBackend func(t *testing.T) hoard.Backend, opts ...Option) {
	cfg := config{ttlResolution: time.Second, maxValueSize: 512 << 10}
	for _, o := range opts {
		o(&cfg)
	}
	s := &suite{cfg: cfg, newBackend: newBackend}
	tests := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"GetMissing", s.getMissing},
		{"SetGet", s.setGet},
		{"Overwrite", s.overwrite},
		{"Delete", s.delete},
		{"DeleteMissing", s.deleteMissing},
		{"Expiry", s.expiry},
		{"BinaryValues", s.binaryValues},
		{"EmptyValue", s.emptyValue},
		{"KeyAtLimit", s.keyAtLimit},
		{"HashedKeys", s.hashedKeys},
		{"LargeValue", s.largeValue},
		{"ValueIsCopied", s.valueIsCopied},
		{"NamespaceClear", s.namespaceClear},
		{"Concurrent", s.concurrent},
		{"CancelledContext", s.cancelledContext},
		{"UseAfterClose", s.useAfterClose},
		// Invalidation (tags.go).
		{"MultiGet", s.multiGet},
		{"Tags", s.tags},
		{"TagsAcrossNamespaces", s.tagsAcrossNamespaces},
		{"SoftTags", s.softTags},
		{"TagStateLost", s.tagStateLost},
		{"PurgeURL", s.purgeURL},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct {
	cfg        config
	newBackend func(t *testing.T) hoard.Backend
}

// env is one subtest's backend and its private key prefix.
type env struct {
	t      *testing.T
	b      hoard.Backend
	prefix string
	ctx    context.Context
}

func (s *suite) env(t *testing.T) *env {
	t.Helper()
	var r [5]byte
	_, _ = rand.Read(r[:])
	return &env{t: t, b: s.newBackend(t), prefix: "bt" + hex.EncodeToString(r[:]), ctx: t.Context()}
}

func (e *env) key(namespace, id string) string { return hoard.JoinKey(e.prefix, namespace, id) }

func (e *env) set(key string, v []byte, ttl time.Duration) {
	e.t.Helper()
	if err := e.b.Set(e.ctx, key, v, ttl); err != nil {
		e.t.Fatalf("Set(%q): %v", key, err)
	}
}

func (e *env) mustGet(key string, want []byte) {
	e.t.Helper()
	got, err := e.b.Get(e.ctx, key)
	if err != nil {
		e.t.Fatalf("Get(%q): %v, want %d bytes", key, err, len(want))
	}
	if !bytes.Equal(got, want) {
		e.t.Fatalf("Get(%q) = %s, want %s", key, short(got), short(want))
	}
}

func (e *env) mustMiss(key string) {
	e.t.Helper()
	got, err := e.b.Get(e.ctx, key)
	if !errors.Is(err, hoard.ErrNotFound) {
		e.t.Fatalf("Get(%q) = %s, %v; want ErrNotFound", key, short(got), err)
	}
}

func short(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%q...(%d bytes)", b[:40], len(b))
	}
	return fmt.Sprintf("%q", b)
}

func (s *suite) getMissing(t *testing.T) {
	e := s.env(t)
	e.mustMiss(e.key("ns", "missing"))
}

func (s *suite) setGet(t *testing.T) {
	e := s.env(t)
	k := e.key("ns", "k")
	e.set(k, []byte("value"), time.Minute)
	e.mustGet(k, []byte("value"))
	e.mustMiss(e.key("ns", "other"))
}

func (s *suite) overwrite(t *testing.T) {
	e := s.env(t)
	k := e.key("ns", "k")
	e.set(k, []byte("first, longer value"), time.Minute)
	e.set(k, []byte("second"), time.Minute)
	e.mustGet(k, []byte("second"))
}

func (s *suite) delete(t *testing.T) {
	e := s.env(t)
	k, other := e.key("ns", "k"), e.key("ns", "other")
	e.set(k, []byte("v"), time.Minute)
	e.set(other, []byte("o"), time.Minute)
	if err := e.b.Delete(e.ctx, k); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	e.mustMiss(k)
	e.mustGet(other, []byte("o"))
}

func (s *suite) deleteMissing(t *testing.T) {
	e := s.env(t)
	if err := e.b.Delete(e.ctx, e.key("ns", "never-set")); err != nil {
		t.Fatalf("Delete of a missing key: %v, want nil", err)
	}
}

// expiry checks a key with a TTL expires and a key without one does not.
func (s *suite) expiry(t *testing.T) {
	e := s.env(t)
	ttl := s.cfg.ttlResolution
	short, forever := e.key("ns", "short"), e.key("ns", "forever")
	start := time.Now()
	e.set(short, []byte("s"), ttl)
	e.set(forever, []byte("f"), 0)
	if s.cfg.advance != nil {
		e.mustGet(short, []byte("s"))
	} else if got, err := e.b.Get(e.ctx, short); err != nil || !bytes.Equal(got, []byte("s")) {
		// A short TTL on a busy machine may pass before the first read:
		// only a read well within it must find the value.
		if time.Since(start) < ttl/2 {
			t.Fatalf("Get(%q) within its TTL: %s, %v", short, got, err)
		}
	}
	if s.cfg.advance != nil {
		s.cfg.advance(2*ttl + time.Second)
		e.mustMiss(short)
		s.cfg.advance(1000 * time.Hour)
		e.mustGet(forever, []byte("f"))
		return
	}
	// The server keeps its own time: wait for it, polling so a fast server
	// ends the wait early. Resolution-based servers (memcached) may keep a
	// key up to one extra tick.
	deadline := time.Now().Add(3*ttl + 2*time.Second)
	time.Sleep(ttl)
	for {
		_, err := e.b.Get(e.ctx, short)
		if errors.Is(err, hoard.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatalf("Get after expiry: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("key with TTL %v still present after %v", ttl, 3*ttl+2*time.Second)
		}
		time.Sleep(ttl / 4)
	}
	e.mustGet(forever, []byte("f"))
}

func (s *suite) binaryValues(t *testing.T) {
	e := s.env(t)
	all := make([]byte, 256*4)
	for i := range all {
		all[i] = byte(i)
	}
	k := e.key("ns", "all-bytes")
	e.set(k, all, time.Minute)
	e.mustGet(k, all)
	for _, v := range [][]byte{{0}, {0, 0, 0}, {'\r', '\n'}, {0xff, 0xfe}, []byte("END\r\n"), []byte("\x00VALUE x 0 1\r\n")} {
		k := e.key("ns", "v"+hex.EncodeToString(v))
		e.set(k, v, time.Minute)
		e.mustGet(k, v)
	}
}

func (s *suite) emptyValue(t *testing.T) {
	e := s.env(t)
	k := e.key("ns", "empty")
	e.set(k, []byte{}, time.Minute)
	got, err := e.b.Get(e.ctx, k)
	if err != nil || len(got) != 0 {
		t.Fatalf("Get of an empty value = %s, %v; want empty, nil (an empty value is a hit)", short(got), err)
	}
}

func (s *suite) keyAtLimit(t *testing.T) {
	e := s.env(t)
	base := len(e.prefix) + len(":ns:")
	id := strings.Repeat("k", hoard.MaxKeyLen-base-1)
	k1, k2 := e.key("ns", id+"1"), e.key("ns", id+"2")
	if len(k1) != hoard.MaxKeyLen {
		t.Fatalf("test key is %d bytes, want %d", len(k1), hoard.MaxKeyLen)
	}
	e.set(k1, []byte("one"), time.Minute)
	e.set(k2, []byte("two"), time.Minute)
	e.mustGet(k1, []byte("one"))
	e.mustGet(k2, []byte("two"))
}

// hashedKeys stores under ids that JoinKey has to hash (long, spaces,
// unicode) and under ids full of key punctuation.
func (s *suite) hashedKeys(t *testing.T) {
	e := s.env(t)
	ids := []string{strings.Repeat("long", 200), "with space", "ünïcödé/ключ", "tab\tnewline\n", "a:b:c", "GET|/x?y=1&z=%20", "#hash-looking"}
	for i, id := range ids {
		e.set(e.key("ns", id), []byte{byte(i)}, time.Minute)
	}
	for i, id := range ids {
		e.mustGet(e.key("ns", id), []byte{byte(i)})
	}
}

func (s *suite) largeValue(t *testing.T) {
	e := s.env(t)
	v := make([]byte, s.cfg.maxValueSize)
	_, _ = rand.Read(v)
	k := e.key("ns", "large")
	e.set(k, v, time.Minute)
	e.mustGet(k, v)
}

func (s *suite) valueIsCopied(t *testing.T) {
	e := s.env(t)
	k := e.key("ns", "k")
	v := []byte("original")
	e.set(k, v, time.Minute)
	copy(v, "MUTATED!")
	e.mustGet(k, []byte("original"))
}

func (s *suite) namespaceClear(t *testing.T) {
	e := s.env(t)
	nc, ok := e.b.(hoard.NamespaceClearer)
	if !ok {
		t.Skip("backend does not implement hoard.NamespaceClearer")
	}
	keys := map[string]string{}
	for _, ns := range []string{"a", "ab", "b"} {
		for i := 0; i < 3; i++ {
			k := e.key(ns, fmt.Sprint("item", i))
			keys[k] = ns
			e.set(k, []byte(ns), time.Minute)
		}
	}
	nsA, _ := hoard.KeyNamespace(e.key("a", "x"))
	if err := nc.ClearNamespace(e.ctx, nsA); err != nil {
		t.Fatalf("ClearNamespace(%q): %v", nsA, err)
	}
	for k, ns := range keys {
		if ns == "a" {
			e.mustMiss(k)
		} else {
			e.mustGet(k, []byte(ns))
		}
	}
	// The namespace is usable again at once, and a second clear works too.
	k := e.key("a", "after")
	e.set(k, []byte("new"), time.Minute)
	e.mustGet(k, []byte("new"))
	if err := nc.ClearNamespace(e.ctx, nsA); err != nil {
		t.Fatalf("second ClearNamespace: %v", err)
	}
	e.mustMiss(k)
	// Clearing a namespace that was never used is not an error.
	empty, _ := hoard.KeyNamespace(e.key("never-used", "x"))
	if err := nc.ClearNamespace(e.ctx, empty); err != nil {
		t.Fatalf("ClearNamespace of an unused namespace: %v", err)
	}
}

// concurrent runs writers, readers and deleters on overlapping keys; under
// -race this also checks the backend's own synchronisation. Every value read
// must be one that was written under that key.
func (s *suite) concurrent(t *testing.T) {
	e := s.env(t)
	const workers, ops, nkeys = 8, 150, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < ops; i++ {
				id := fmt.Sprint("k", (w+i)%nkeys)
				k := e.key("ns", id)
				switch i % 4 {
				case 0, 1:
					if err := e.b.Set(e.ctx, k, []byte(fmt.Sprintf("%s=%d.%d", id, w, i)), time.Minute); err != nil {
						errs <- fmt.Errorf("Set: %w", err)
						return
					}
				case 2:
					v, err := e.b.Get(e.ctx, k)
					if err != nil && !errors.Is(err, hoard.ErrNotFound) {
						errs <- fmt.Errorf("Get: %w", err)
						return
					}
					if err == nil && !bytes.HasPrefix(v, []byte(id+"=")) {
						errs <- fmt.Errorf("Get(%s) = %q: a value written under another key", id, v)
						return
					}
				case 3:
					if err := e.b.Delete(e.ctx, k); err != nil {
						errs <- fmt.Errorf("Delete: %w", err)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func (s *suite) cancelledContext(t *testing.T) {
	e := s.env(t)
	k := e.key("ns", "k")
	e.set(k, []byte("v"), time.Minute)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	if _, err := e.b.Get(ctx, k); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a cancelled context: %v, want context.Canceled", err)
	}
	if err := e.b.Set(ctx, k, []byte("new"), time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with a cancelled context: %v, want context.Canceled", err)
	}
	if err := e.b.Delete(ctx, k); !errors.Is(err, context.Canceled) {
		t.Errorf("Delete with a cancelled context: %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithDeadline(e.ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, err := e.b.Get(ctx, k); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get past its deadline: %v, want context.DeadlineExceeded", err)
	}
	e.mustGet(k, []byte("v"))
}

func (s *suite) useAfterClose(t *testing.T) {
	e := s.env(t)
	c, ok := e.b.(io.Closer)
	if !ok {
		t.Skip("backend does not implement io.Closer")
	}
	k := e.key("ns", "k")
	e.set(k, []byte("v"), time.Minute)
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := e.b.Get(e.ctx, k); !errors.Is(err, hoard.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	if err := e.b.Set(e.ctx, k, []byte("v"), time.Minute); !errors.Is(err, hoard.ErrClosed) {
		t.Errorf("Set after Close: %v, want ErrClosed", err)
	}
	if err := e.b.Delete(e.ctx, k); !errors.Is(err, hoard.ErrClosed) {
		t.Errorf("Delete after Close: %v, want ErrClosed", err)
	}
	_ = c.Close() // a second Close must not panic
}
