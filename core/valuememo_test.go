package hoard_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// order has every kind of mutable part a caller could change.
type order struct {
	ID     int
	Items  []string
	Attrs  map[string]string
	Owner  *user
	Extra  any
	Placed time.Time
}

func newOrder() order {
	return order{
		ID: 1, Items: []string{"a", "b"}, Attrs: map[string]string{"k": "v"},
		Owner: &user{ID: 2, Name: "Ada", Tags: []string{"t"}},
		Extra: map[string]any{"list": []any{"x", 1.0}}, Placed: time.Unix(1_700_000_000, 0).UTC(),
	}
}

// scribble changes every mutable part of o in place.
func scribble(o order) {
	o.Items[0] = "changed"
	o.Attrs["k"] = "changed"
	o.Attrs["new"] = "changed"
	o.Owner.Name = "changed"
	o.Owner.Tags[0] = "changed"
	extra := o.Extra.(map[string]any)
	extra["list"].([]any)[0] = "changed"
	extra["new"] = "changed"
}

// cacheBackends are the two paths of a hit: an in-process store (the same
// bytes every time) and a remote one (fresh bytes on every hit).
func cacheBackends(t *testing.T) map[string]*hoard.Cache {
	memory, _ := newMemoryCache(t)
	remote, err := hoard.New(newRemoteBackend(), hoard.WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*hoard.Cache{"Memory": memory, "Remote": remote}
}

// TestHitsShareNothing: every hit returns its own value; changing one
// changes neither the cached value nor what other callers got, also when
// they are used at the same time (run with -race).
func TestHitsShareNothing(t *testing.T) {
	ctx := context.Background()
	want := newOrder()
	for name, c := range cacheBackends(t) {
		t.Run(name, func(t *testing.T) {
			load := func(context.Context) (order, error) { return newOrder(), nil }
			get := func() order {
				t.Helper()
				o, err := hoard.Remember(ctx, c, "order:1", 0, load)
				if err != nil {
					t.Fatal(err)
				}
				return o
			}
			get() // the miss
			first, second := get(), get()
			scribble(first)
			if !reflect.DeepEqual(second, want) {
				t.Fatalf("a change to one hit's value reached another's: %+v", second)
			}
			if got := get(); !reflect.DeepEqual(got, want) {
				t.Fatalf("a change to a hit's value reached the cache: %+v", got)
			}
			v, err := hoard.GetValue[order](ctx, c, "order:1")
			if err != nil || !reflect.DeepEqual(v, want) {
				t.Fatalf("GetValue = %+v, %v", v, err)
			}
			scribble(v)

			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for range 20 {
						o, err := hoard.Remember(ctx, c, "order:1", 0, load)
						if err != nil || !reflect.DeepEqual(o, want) {
							t.Errorf("concurrent hit = %+v, %v", o, err)
							return
						}
						scribble(o)
					}
				})
			}
			wg.Wait()
		})
	}
}

// TestHitAfterChange: a hit returns what is stored now, never a value
// decoded from bytes stored before, whether they changed or went away.
func TestHitAfterChange(t *testing.T) {
	ctx := context.Background()
	for name, c := range cacheBackends(t) {
		t.Run(name, func(t *testing.T) {
			for i := range 3 {
				if err := hoard.SetValue(ctx, c, "k", []int{i}, 0); err != nil {
					t.Fatal(err)
				}
				for range 2 {
					if v, err := hoard.GetValue[[]int](ctx, c, "k"); err != nil || len(v) != 1 || v[0] != i {
						t.Fatalf("GetValue after storing [%d] = %v, %v", i, v, err)
					}
				}
			}
			if err := c.Delete(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) ([]int, error) { return []int{9}, nil })
			if err != nil || len(v) != 1 || v[0] != 9 {
				t.Fatalf("Remember after Delete = %v, %v; want the loader's [9]", v, err)
			}
		})
	}
}

// counted counts its decodes: a type with its own UnmarshalJSON is decoded
// on every hit, never copied, whatever its UnmarshalJSON does.
type counted struct{ N int }

var countedDecodes atomic.Int64

func (c *counted) UnmarshalJSON(b []byte) error {
	countedDecodes.Add(1)
	var v struct{ N int }
	err := json.Unmarshal(b, &v)
	c.N = v.N
	return err
}

func TestCustomUnmarshalerDecodedOnEveryHit(t *testing.T) {
	ctx := context.Background()
	for name, c := range cacheBackends(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (counted, error) { return counted{N: 3}, nil }); err != nil {
				t.Fatal(err)
			}
			before := countedDecodes.Load()
			for range 3 {
				v, err := hoard.Remember(ctx, c, "k", 0, func(context.Context) (counted, error) { return counted{}, nil })
				if err != nil || v.N != 3 {
					t.Fatalf("hit = %+v, %v", v, err)
				}
			}
			if got := countedDecodes.Load() - before; got != 3 {
				t.Fatalf("%d decodes for 3 hits, want 3", got)
			}
		})
	}
}
