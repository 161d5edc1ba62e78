package httpcache_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"
)

// An engine as net/http middleware: the first request runs the handler,
// the second is answered from the cache.
func ExampleNew() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		panic(err)
	}
	engine, err := httpcache.New(c, httpcache.WithTTL(time.Minute))
	if err != nil {
		panic(err)
	}
	hello := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "hello")
	})
	handler := engine.Handler(hello)

	for range 2 {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest("GET", "http://example.com/hello", nil))
		fmt.Println(rec.Code, rec.Header().Get("X-Cache"), rec.Header().Get("Cache-Control"), rec.Body)
	}
	// Output:
	// 200 MISS max-age=60 hello
	// 200 HIT max-age=60 hello
}

// response is how a framework that hands its response over once the
// handler has returned (as fasthttp does) shows it to the engine.
type response struct {
	header http.Header
	status int
	body   []byte
}

func (r *response) Header() httpcache.ResponseHeader { return header(r.header) }
func (r *response) Status() int                      { return r.status }
func (r *response) Body() []byte                     { return r.body }
func (r *response) BodyStream() io.Reader            { return nil }
func (r *response) ReplaceBodyStream(io.Reader) bool { return false }
func (r *response) Hijacked() bool                   { return false }

// WriteHit sends a stored response: each name's stored values replace
// the response's.
func (r *response) WriteHit(status int, fields []httpcache.Field, body []byte) {
	for i, f := range fields {
		if i == 0 || fields[i-1].Name != f.Name {
			r.header.Del(f.Name)
		}
		r.header.Add(f.Name, f.Value)
	}
	r.status, r.body = status, body
}

// header is the response's header as the engine reads and writes it.
type header http.Header

func (h header) Range(fn func(name, value string)) {
	for name, values := range h {
		for _, v := range values {
			fn(name, v)
		}
	}
}
func (h header) Set(name, value string) { http.Header(h).Set(name, value) }
func (h header) Del(name string)        { http.Header(h).Del(name) }

// An adapter for a framework that buffers responses calls Serve with views
// of its request and response, and the rest of its chain.
func ExampleEngine_Serve() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		panic(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		panic(err)
	}
	engine, err := httpcache.New(c, httpcache.WithTTL(time.Minute))
	if err != nil {
		panic(err)
	}

	for range 2 {
		req := &httpcache.Request{Method: "GET", Host: "example.com", Path: "/hello"}
		resp := &response{header: http.Header{}}
		err := engine.Serve(context.Background(), req, resp, func() error {
			// The framework's handler.
			resp.status = 200
			resp.header.Set("Content-Type", "text/plain")
			resp.body = []byte("hello")
			return nil
		})
		if err != nil {
			panic(err)
		}
		fmt.Println(resp.status, resp.header.Get("X-Cache"), string(resp.body))
	}
	// Output:
	// 200 MISS hello
	// 200 HIT hello
}

// A response tagged from a Surrogate-Key field, invalidated by its tag;
// another URL purged by itself.
func ExampleWithTagHeader() {
	store, _ := memory.New(memory.Options{})
	c, _ := hoard.New(store)
	defer c.Close()
	engine, err := httpcache.New(c, httpcache.WithTagHeader("Surrogate-Key", false))
	if err != nil {
		panic(err)
	}
	handler := engine.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Surrogate-Key", "product:7 catalog")
		fmt.Fprint(w, r.URL.Path)
	}))
	get := func(url string) string {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return fmt.Sprintf("%s (Surrogate-Key sent: %v)", rec.Header().Get("X-Cache"), rec.Header().Get("Surrogate-Key") != "")
	}
	ctx := context.Background()
	get("http://shop.example/products/7")
	get("http://shop.example/about")
	fmt.Println(get("http://shop.example/products/7"))
	_ = c.InvalidateTags(ctx, []string{"product:7"})
	fmt.Println(get("http://shop.example/products/7"))
	_ = httpcache.PurgeURL(ctx, c, "http://shop.example/about")
	fmt.Println(get("http://shop.example/about"))
	// Output:
	// HIT (Surrogate-Key sent: false)
	// MISS (Surrogate-Key sent: false)
	// MISS (Surrogate-Key sent: false)
}
