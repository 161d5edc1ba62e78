package hoardhttp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

func ExampleMiddleware() {
	store, _ := memory.New(memory.Options{})
	defer store.Close()
	c, _ := hoard.New(store)

	cache, err := hoardhttp.Middleware(c, httpcache.WithTTL(time.Minute))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /hello/{name}", cache(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.PathValue("name"))
	})))

	for i := 0; i < 2; i++ {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/hello/ada", nil))
		fmt.Println(rec.Code, rec.Header().Get("X-Cache"), rec.Header().Get("Cache-Control"), rec.Body.String())
	}
	// Output:
	// 200 MISS max-age=60 hello, ada
	// 200 HIT max-age=60 hello, ada
}

func ExampleMiddleware_badOption() {
	store, _ := memory.New(memory.Options{})
	defer store.Close()
	c, _ := hoard.New(store)
	_, err := hoardhttp.Middleware(c, httpcache.WithMaxBodySize(-1))
	fmt.Println(err)
	// Output:
	// hoard: invalid option: max body size -1 must be positive
}
