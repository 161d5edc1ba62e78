package hoard_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/memory"
)

// newExampleCache returns a Cache over an in-process memory store.
func newExampleCache(opts ...hoard.Option) (*hoard.Cache, func()) {
	store, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	c, err := hoard.New(store, opts...)
	if err != nil {
		panic(err)
	}
	return c, func() { _ = c.Close() }
}

func ExampleNew() {
	store, err := memory.New(memory.Options{MaxBytes: 32 << 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	c, err := hoard.New(store,
		hoard.WithPrefix("shop"),                // keys are "shop:<namespace>:<id>"
		hoard.WithDefaultTTL(10*time.Minute),    // for calls that pass a TTL of 0
		hoard.WithTimeout(100*time.Millisecond), // a slower backend is a miss
		hoard.WithCircuitBreaker(5, 5*time.Second),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Namespace("products").Key("sku-1"))

	// Options are checked by New, never at request time.
	_, err = hoard.New(store, hoard.WithPrefix("bad:prefix"))
	fmt.Println(errors.Is(err, hoard.ErrInvalidOption))
	// Output:
	// shop:products:sku-1
	// true
}

func ExampleRemember() {
	c, done := newExampleCache()
	defer done()
	ctx := context.Background()

	type User struct {
		ID   int
		Name string
	}
	loadUser := func(ctx context.Context) (User, error) {
		fmt.Println("loading user 42")
		return User{ID: 42, Name: "Ada"}, nil
	}
	for range 2 {
		u, err := hoard.Remember(ctx, c, "user:42", time.Minute, loadUser)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(u.Name)
	}
	// Output:
	// loading user 42
	// Ada
	// Ada
}

func ExampleWrap() {
	c, done := newExampleCache()
	defer done()
	ctx := context.Background()

	type Query struct {
		Country string
		Page    int
	}
	search := func(ctx context.Context, q *Query) ([]string, error) {
		fmt.Println("querying", q.Country, q.Page)
		return []string{"Lyon", "Paris"}, nil
	}
	cached, err := hoard.Wrap(c, "cities", time.Minute, search)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Equal arguments share an entry, even behind different pointers.
	for _, q := range []*Query{{"FR", 1}, {"FR", 1}} {
		cities, _ := cached(ctx, q)
		fmt.Println(cities)
	}
	// Output:
	// querying FR 1
	// [Lyon Paris]
	// [Lyon Paris]
}

func ExampleCache_ClearNamespace() {
	c, done := newExampleCache(hoard.WithPrefix("app"))
	defer done()
	ctx := context.Background()

	users, posts := c.Namespace("users"), c.Namespace("posts")
	_ = users.Set(ctx, "42", []byte("Ada"), 0)
	_ = posts.Set(ctx, "7", []byte("Hello"), 0)

	// Drop every entry of the "users" namespace, in every process sharing
	// the backend.
	if err := c.ClearNamespace(ctx, "users"); err != nil {
		fmt.Println(err)
		return
	}
	_, err := users.Get(ctx, "42")
	fmt.Println("user:", errors.Is(err, hoard.ErrNotFound))
	post, _ := posts.Get(ctx, "7")
	fmt.Println("post:", string(post))
	// Output:
	// user: true
	// post: Hello
}

func ExampleGetValue() {
	c, done := newExampleCache()
	defer done()
	ctx := context.Background()

	type Settings struct {
		Theme string
		Beta  bool
	}
	if err := hoard.SetValue(ctx, c, "settings:1", Settings{Theme: "dark", Beta: true}, time.Hour); err != nil {
		fmt.Println(err)
		return
	}
	s, err := hoard.GetValue[Settings](ctx, c, "settings:1")
	fmt.Printf("%+v %v\n", s, err)

	_, err = hoard.GetValue[Settings](ctx, c, "settings:2")
	fmt.Println(errors.Is(err, hoard.ErrNotFound))
	// Output:
	// {Theme:dark Beta:true} <nil>
	// true
}

// Tags name what a result shows; invalidating a tag drops every result
// that carries it, in every process sharing the backend, without finding
// them.
func ExampleCache_InvalidateTags() {
	ctx := context.Background()
	store, _ := memory.New(memory.Options{})
	c, _ := hoard.New(store)
	defer c.Close()

	price := 10
	load := func(context.Context) (int, error) { return price, nil }
	get := func() int {
		v, _ := hoard.Remember(ctx, c, "product:7:price", time.Hour, load, hoard.Tags("product:7"))
		return v
	}
	fmt.Println(get())
	price = 12 // the product changes...
	fmt.Println(get())
	_ = c.InvalidateTags(ctx, []string{"product:7"}) // ...and its tag is invalidated
	fmt.Println(get())
	// Output:
	// 10
	// 10
	// 12
}
