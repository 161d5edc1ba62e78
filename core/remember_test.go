package hoard_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

type user struct {
	ID    int
	Name  string
	Tags  []string
	Admin bool
}

func TestRememberMissThenHit(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	loads := 0
	load := func(context.Context) (user, error) {
		loads++
		return user{ID: 42, Name: "Ada", Tags: []string{"a"}}, nil
	}
	for i := range 3 {
		u, err := hoard.Remember(ctx, c, "user:42", time.Minute, load)
		if err != nil || u.ID != 42 || u.Name != "Ada" || len(u.Tags) != 1 {
			t.Fatalf("call %d: Remember = %+v, %v", i, u, err)
		}
	}
	if loads != 1 {
		t.Fatalf("loader ran %d times for 3 calls, want 1", loads)
	}
	// The stored entry is readable by the typed and raw APIs too.
	if u, err := hoard.GetValue[user](ctx, c, "user:42"); err != nil || u.Name != "Ada" {
		t.Fatalf("GetValue = %+v, %v", u, err)
	}
}

func TestRememberDoesNotCacheErrors(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	errDown := errors.New("database down")
	loads := 0
	load := func(context.Context) (string, error) {
		loads++
		if loads == 1 {
			return "partial", errDown
		}
		return "ok", nil
	}
	if _, err := hoard.Remember(ctx, c, "k", 0, load); !errors.Is(err, errDown) {
		t.Fatalf("first Remember error = %v, want the loader's error", err)
	}
	if v, err := hoard.Remember(ctx, c, "k", 0, load); err != nil || v != "ok" {
		t.Fatalf("Remember after a failed load = %q, %v; want a fresh load", v, err)
	}
	if v, err := hoard.Remember(ctx, c, "k", 0, load); err != nil || v != "ok" || loads != 2 {
		t.Fatalf("third Remember = %q, %v after %d loads; want a hit", v, err, loads)
	}
}

func TestRememberCancelledBeforeCall(t *testing.T) {
	c, _ := newMemoryCache(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (int, error) {
		t.Error("loader ran for a cancelled context")
		return 0, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Remember with a cancelled context = %v, want context.Canceled", err)
	}
}

// skipEmptyLoads runs Remember twice for v and reports how many loads it took.
func skipEmptyLoads[T any](t *testing.T, v T, opts ...hoard.CallOption) int {
	t.Helper()
	c, _ := newMemoryCache(t)
	loads := 0
	for range 2 {
		got, err := hoard.Remember(context.Background(), c, "k", 0, func(context.Context) (T, error) { loads++; return v, nil }, opts...)
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Fatalf("Remember = %#v, %v; want %#v", got, err, v)
		}
	}
	return loads
}

func TestRememberSkipEmpty(t *testing.T) {
	type point struct{ X, Y int }
	tests := []struct {
		name  string
		loads func(t *testing.T, opts ...hoard.CallOption) int
		empty bool
	}{
		{"empty string", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, "", o...) }, true},
		{"zero int", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, 0, o...) }, true},
		{"false", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, false, o...) }, true},
		{"nil slice", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, []int(nil), o...) }, true},
		{"empty map", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, map[string]int{}, o...) }, true},
		{"zero struct", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, point{}, o...) }, true},
		{"nil pointer", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, (*point)(nil), o...) }, true},
		{"string", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, "x", o...) }, false},
		{"int", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, 1, o...) }, false},
		{"slice", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, []int{0}, o...) }, false},
		{"struct", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, point{X: 1}, o...) }, false},
		{"pointer to zero", func(t *testing.T, o ...hoard.CallOption) int { return skipEmptyLoads(t, &point{}, o...) }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := 1
			if tc.empty {
				want = 2
			}
			if got := tc.loads(t, hoard.SkipEmpty()); got != want {
				t.Errorf("with SkipEmpty: %d loads, want %d", got, want)
			}
			if got := tc.loads(t); got != 1 {
				t.Errorf("without SkipEmpty: %d loads, want 1 (empty results are cached)", got)
			}
		})
	}
}

func TestCodecs(t *testing.T) {
	ctx := context.Background()
	want := user{ID: 7, Name: "Grace", Tags: []string{"x", "y"}, Admin: true}
	for _, tc := range []struct {
		name  string
		codec hoard.Codec
	}{{"JSON", hoard.JSON}, {"Gob", hoard.Gob}} {
		t.Run(tc.name, func(t *testing.T) {
			for _, how := range []string{"WithCodec", "UseCodec"} {
				var c *hoard.Cache
				var opts []hoard.CallOption
				if how == "WithCodec" {
					c, _ = newMemoryCache(t, hoard.WithCodec(tc.codec))
				} else {
					c, _ = newMemoryCache(t)
					opts = []hoard.CallOption{hoard.WithCodec(tc.codec)}
				}
				loads := 0
				for range 2 {
					got, err := hoard.Remember(ctx, c, "u", 0, func(context.Context) (user, error) { loads++; return want, nil }, opts...)
					if err != nil || !reflect.DeepEqual(got, want) {
						t.Fatalf("%s: Remember = %+v, %v", how, got, err)
					}
				}
				if loads != 1 {
					t.Fatalf("%s: %d loads, want 1", how, loads)
				}
				if err := hoard.SetValue(ctx, c, "v", want, 0, opts...); err != nil {
					t.Fatal(err)
				}
				if got, err := hoard.GetValue[user](ctx, c, "v", opts...); err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: GetValue = %+v, %v", how, got, err)
				}
			}
		})
	}
	t.Run("Raw", func(t *testing.T) {
		c, _ := newMemoryCache(t, hoard.WithCodec(hoard.Raw))
		s, err := hoard.Remember(ctx, c, "s", 0, func(context.Context) (string, error) { return "text", nil })
		if err != nil || s != "text" {
			t.Fatalf("Remember string = %q, %v", s, err)
		}
		b, err := hoard.Remember(ctx, c, "b", 0, func(context.Context) ([]byte, error) { return []byte{0, 1}, nil })
		if err != nil || string(b) != "\x00\x01" {
			t.Fatalf("Remember []byte = %q, %v", b, err)
		}
		// Raw stores the bytes as they are.
		if got, err := c.Get(ctx, "s"); err != nil || string(got) != "text" {
			t.Fatalf("Get of a Raw value = %q, %v", got, err)
		}
		if got, err := hoard.GetValue[[]byte](ctx, c, "s"); err != nil || string(got) != "text" {
			t.Fatalf("GetValue[[]byte] = %q, %v", got, err)
		}
		// A type Raw cannot encode is returned, just not cached.
		loads := 0
		for range 2 {
			v, err := hoard.Remember(ctx, c, "n", 0, func(context.Context) (int, error) { loads++; return 5, nil })
			if err != nil || v != 5 {
				t.Fatalf("Remember int with Raw = %d, %v", v, err)
			}
		}
		if loads != 2 {
			t.Fatalf("%d loads for an unencodable result, want 2 (never cached)", loads)
		}
	})
}

// TestCodecMismatch reads an entry with a codec (or type) other than the
// one that wrote it: a miss, and the loader's result replaces it.
func TestCodecMismatch(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	c, _ := newMemoryCache(t, hoard.WithObserver(&log))
	if err := hoard.SetValue(ctx, c, "k", user{ID: 1}, 0, hoard.WithCodec(hoard.Gob)); err != nil {
		t.Fatal(err)
	}
	if _, err := hoard.GetValue[user](ctx, c, "k"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("GetValue with the wrong codec = %v, want a miss", err)
	}
	if _, ok := log.find(hoard.EventError, "decode"); !ok {
		t.Fatalf("events %+v, want a decode error", log.all())
	}
	// An undecodable value is a miss, not a hit and a miss.
	if n := log.count(hoard.EventHit); n != 0 {
		t.Errorf("%d hit events for an undecodable value, want 0 (events %+v)", n, log.all())
	}
	if st := c.Stats(); st.Hits != 0 || st.Misses != 1 {
		t.Errorf("Stats after an undecodable value: %d hits, %d misses; want 0, 1", st.Hits, st.Misses)
	}
	log.reset()
	u, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (user, error) { return user{ID: 2}, nil })
	if err != nil || u.ID != 2 {
		t.Fatalf("Remember over an undecodable entry = %+v, %v", u, err)
	}
	if _, err := hoard.GetValue[int](ctx, c, "k"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("GetValue into the wrong type = %v, want a miss", err)
	}
	if u, err := hoard.GetValue[user](ctx, c, "k"); err != nil || u.ID != 2 {
		t.Fatalf("GetValue after Remember replaced the entry = %+v, %v", u, err)
	}
	// Remember's undecodable read, then GetValue[int]'s: misses; the last
	// GetValue: the one hit.
	if hits, misses := log.count(hoard.EventHit), log.count(hoard.EventMiss); hits != 1 || misses != 2 {
		t.Errorf("after Remember and two GetValue: %d hit and %d miss events, want 1 and 2 (events %+v)", hits, misses, log.all())
	}
}

type query struct {
	Table string
	ID    int
}

func TestWrap(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	c, _ := newMemoryCache(t, hoard.WithObserver(&log))
	calls := 0
	get, err := hoard.Wrap(c, "row", time.Minute, func(_ context.Context, q *query) (string, error) {
		calls++
		return q.Table + "/" + strconv.Itoa(q.ID), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two distinct pointers to equal values share one entry.
	a, b := &query{"users", 1}, &query{"users", 1}
	for _, q := range []*query{a, b, a} {
		if v, err := get(ctx, q); err != nil || v != "users/1" {
			t.Fatalf("wrapped(%+v) = %q, %v", q, v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("fn ran %d times for equal arguments, want 1", calls)
	}
	if v, _ := get(ctx, &query{"users", 2}); v != "users/2" || calls != 2 {
		t.Fatalf("a different argument = %q after %d calls, want its own entry", v, calls)
	}
	// The key comes from the encoded value, never from a printed pointer.
	ev, ok := log.find(hoard.EventStore, "set")
	if want := c.Key(`row|{"Table":"users","ID":1}`); !ok || ev.Key != want {
		t.Fatalf("stored under %q, want %q", ev.Key, want)
	}

	// Struct (non-pointer) arguments work the same.
	calls = 0
	byValue, err := hoard.Wrap(c, "byvalue", 0, func(_ context.Context, q query) (int, error) { calls++; return q.ID, nil })
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if v, err := byValue(ctx, query{"t", 3}); err != nil || v != 3 {
			t.Fatalf("wrapped = %d, %v", v, err)
		}
	}
	if calls != 1 {
		t.Fatalf("fn ran %d times, want 1", calls)
	}
	// Names keep functions apart even for equal arguments.
	other, _ := hoard.Wrap(c, "other", 0, func(_ context.Context, q query) (int, error) { return -1, nil })
	if v, _ := other(ctx, query{"t", 3}); v != -1 {
		t.Fatalf("a second wrapped function got %d from the first one's entry", v)
	}
}

func TestWrapKeyFunc(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	c, _ := newMemoryCache(t, hoard.WithObserver(&log))
	calls := 0
	get, err := hoard.Wrap(c, "user", 0, func(_ context.Context, q query) (string, error) {
		calls++
		return q.Table, nil
	}, hoard.KeyFunc(func(q query) string { return strconv.Itoa(q.ID) }))
	if err != nil {
		t.Fatal(err)
	}
	// Only the ID is in the key: these share an entry.
	if v, _ := get(ctx, query{"first", 9}); v != "first" {
		t.Fatalf("got %q", v)
	}
	if v, _ := get(ctx, query{"second", 9}); v != "first" || calls != 1 {
		t.Fatalf("got %q after %d calls; want the entry keyed by ID", v, calls)
	}
	if ev, ok := log.find(hoard.EventStore, "set"); !ok || ev.Key != c.Key("user|9") {
		t.Fatalf("stored under %q, want %q", ev.Key, c.Key("user|9"))
	}
}

func TestWrapInvalid(t *testing.T) {
	c, _ := newMemoryCache(t)
	fn := func(_ context.Context, n int) (int, error) { return n, nil }
	tests := []struct {
		name string
		wrap func() error
	}{
		{"KeyFunc of another type", func() error {
			_, err := hoard.Wrap(c, "f", 0, fn, hoard.KeyFunc(func(s string) string { return s }))
			return err
		}},
		{"nil function", func() error {
			_, err := hoard.Wrap[int, int](c, "f", 0, nil)
			return err
		}},
		{"negative TTL", func() error {
			_, err := hoard.Wrap(c, "f", -time.Second, fn)
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.wrap(); !errors.Is(err, hoard.ErrInvalidOption) {
				t.Fatalf("Wrap = %v, want ErrInvalidOption", err)
			}
		})
	}
	if _, err := hoard.Wrap(c, "f", hoard.NoExpiry, fn, nil); err != nil {
		t.Fatalf("Wrap with NoExpiry and a nil option = %v", err)
	}
}

func TestWrapUnencodableArgument(t *testing.T) {
	ctx := context.Background()
	var log eventLog
	c, _ := newMemoryCache(t, hoard.WithObserver(&log))
	calls := 0
	recv, err := hoard.Wrap(c, "recv", 0, func(_ context.Context, ch chan int) (int, error) { calls++; return cap(ch), nil })
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan int, 3)
	for range 2 {
		if v, err := recv(ctx, ch); err != nil || v != 3 {
			t.Fatalf("wrapped = %d, %v", v, err)
		}
	}
	if calls != 2 {
		t.Fatalf("fn ran %d times, want 2 (uncached)", calls)
	}
	if ev, ok := log.find(hoard.EventBypass, "encode"); !ok || ev.Err == nil {
		t.Fatalf("events %+v, want a bypass with the encode error", log.all())
	}
	if n := log.count(hoard.EventStore); n != 0 {
		t.Fatalf("%d stores for an unencodable argument, want 0", n)
	}
}

// joinSpy reports when a caller enters Remember's wait: Remember consults
// ctx.Done only in the select after it has joined (or started) the load
// for its key, so a count of Done calls is a count of callers that share it.
type joinSpy struct {
	context.Context
	once   sync.Once
	joined func()
}

func (s *joinSpy) Done() <-chan struct{} {
	s.once.Do(s.joined)
	return s.Context.Done()
}

// TestRememberLoadsOnce has 100 callers miss one key at once: the loader
// runs once, held until every caller is waiting on it, and all get its
// result.
func TestRememberLoadsOnce(t *testing.T) {
	const callers = 100
	c, _ := newMemoryCache(t)
	var waiting atomic.Int32
	allWaiting := make(chan struct{})
	joined := func() {
		if waiting.Add(1) == callers {
			close(allWaiting)
		}
	}
	var loads atomic.Int32
	load := func(context.Context) (user, error) {
		loads.Add(1)
		<-allWaiting
		return user{ID: 1, Name: "once"}, nil
	}
	results := make([]user, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			ctx := &joinSpy{Context: context.Background(), joined: joined}
			results[i], errs[i] = hoard.Remember(ctx, c, "hot", 0, load)
		})
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("loader ran %d times for %d concurrent misses, want 1", n, callers)
	}
	for i := range callers {
		if errs[i] != nil || results[i].Name != "once" {
			t.Fatalf("caller %d: %+v, %v", i, results[i], errs[i])
		}
	}
	if v, err := hoard.Remember(context.Background(), c, "hot", 0, load); err != nil || v.Name != "once" || loads.Load() != 1 {
		t.Fatalf("Remember after the load = %+v, %v; want a hit", v, err)
	}
}

// TestRememberWaiterCancelled: a caller waiting on another's load returns
// when its own context ends, without waiting for the load.
func TestRememberWaiterCancelled(t *testing.T) {
	c, _ := newMemoryCache(t)
	started, release := make(chan struct{}), make(chan struct{})
	var loads atomic.Int32
	load := func(context.Context) (int, error) {
		loads.Add(1)
		close(started)
		<-release
		return 1, nil
	}
	leader := make(chan error, 1)
	go func() {
		_, err := hoard.Remember(context.Background(), c, "k", 0, load)
		leader <- err
	}()
	<-started

	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan struct{})
	spy := &joinSpy{Context: ctx, joined: func() { close(waiting) }}
	waiter := make(chan error, 1)
	go func() {
		_, err := hoard.Remember(spy, c, "k", 0, load)
		waiter <- err
	}()
	<-waiting
	cancel()
	select {
	case err := <-waiter:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled waiter = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled waiter did not return while the load was still running")
	}
	close(release)
	if err := <-leader; err != nil {
		t.Fatalf("leader = %v", err)
	}
	if n := loads.Load(); n != 1 {
		t.Fatalf("loader ran %d times, want 1", n)
	}
}

// TestRememberLeaderCancelled: when the caller whose context runs the load
// gives up, a waiter still gets a result, loaded on its own context.
func TestRememberLeaderCancelled(t *testing.T) {
	c, _ := newMemoryCache(t)
	started := make(chan struct{})
	var loads atomic.Int32
	load := func(ctx context.Context) (int, error) {
		if loads.Add(1) == 1 {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return 2, nil
	}
	leaderCtx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, err := hoard.Remember(leaderCtx, c, "k", 0, load)
		leader <- err
	}()
	<-started
	waiting := make(chan struct{})
	spy := &joinSpy{Context: context.Background(), joined: func() { close(waiting) }}
	waiter := make(chan int, 1)
	go func() {
		v, err := hoard.Remember(spy, c, "k", 0, load)
		if err != nil {
			t.Errorf("waiter = %v, want its own load's result", err)
		}
		waiter <- v
	}()
	<-waiting
	cancel()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader = %v, want context.Canceled", err)
	}
	if v := <-waiter; v != 2 {
		t.Fatalf("waiter got %d, want 2 from its own load", v)
	}
	if n := loads.Load(); n != 2 {
		t.Fatalf("loader ran %d times, want 2", n)
	}
}

func TestGetValueSetValue(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	if _, err := hoard.GetValue[user](ctx, c, "u"); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("GetValue of a missing key = %v, want ErrNotFound", err)
	}
	want := user{ID: 3, Name: "Lin"}
	if err := hoard.SetValue(ctx, c, "u", want, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := hoard.GetValue[user](ctx, c, "u"); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("GetValue = %+v, %v", got, err)
	}
	if err := hoard.SetValue(ctx, c, "bad", make(chan int), 0); err == nil {
		t.Fatal("SetValue of an unencodable value succeeded")
	}
}

// TestRememberTypesShareNoLoad: callers of one key that want different
// types never share a load: each gets its own loader's result, not a zero
// value and a nil error.
func TestRememberTypesShareNoLoad(t *testing.T) {
	ctx := context.Background()
	c, _ := newMemoryCache(t)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		n, err := hoard.Remember(ctx, c, "shared", time.Minute, func(context.Context) (int, error) {
			close(started)
			<-release
			return 42, nil
		})
		if err == nil && n != 42 {
			err = fmt.Errorf("int caller got %d", n)
		}
		done <- err
	}()
	<-started
	type result struct {
		s   string
		err error
	}
	got := make(chan result, 1)
	go func() {
		s, err := hoard.Remember(ctx, c, "shared", time.Minute, func(context.Context) (string, error) { return "text", nil })
		got <- result{s, err}
	}()
	select {
	case r := <-got:
		if r.err != nil || r.s != "text" {
			t.Errorf("string caller got %q, %v while an int load of the key was in flight; want its own result", r.s, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the string caller waited on the int caller's load")
	}
	close(release)
	if err := <-done; err != nil {
		t.Error(err)
	}
}
