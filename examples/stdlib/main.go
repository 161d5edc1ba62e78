// Command stdlib caches a net/http API with hoardhttp: per-route options,
// a response that varies by a request header, a per-user route, and
// invalidation when data changes. The memory backend needs no server.
//
//	go run ./examples/stdlib -addr 127.0.0.1:8080
//	curl -i 127.0.0.1:8080/products/7                          # MISS, then HIT
//	curl -i -H 'Accept-Language: fr' 127.0.0.1:8080/greeting   # cached per language
//	curl -i -H 'Authorization: Bearer alice' 127.0.0.1:8080/me # cached per credential
//	curl -i -X POST 127.0.0.1:8080/products/7                  # update: clears "products"
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	c, err := hoard.New(store, hoard.WithDefaultTTL(time.Minute))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	h, err := newHandler(c)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on http://%s", *addr)
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newHandler mounts the API. Each route gets its own middleware, so each
// has its own options; a bad option is an error here, not at request time.
func newHandler(c *hoard.Cache) (http.Handler, error) {
	products, err := hoardhttp.Middleware(c, httpcache.WithNamespace("products"), httpcache.WithTTL(5*time.Minute))
	if err != nil {
		return nil, err
	}
	// The greeting depends on Accept-Language: key on it. Without
	// WithVaryBy the response (which says Vary: Accept-Language) is not
	// stored at all, rather than served in the wrong language.
	greeting, err := hoardhttp.Middleware(c, httpcache.WithVaryBy("Accept-Language"))
	if err != nil {
		return nil, err
	}
	// Requests with Authorization are never cached unless the route opts
	// in; then a hash of the credential is part of the key.
	perUser, err := hoardhttp.Middleware(c, httpcache.WithAuthorization(true), httpcache.WithTTL(10*time.Second))
	if err != nil {
		return nil, err
	}

	mux := http.NewServeMux()
	mux.Handle("GET /products/{id}", products(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond) // the database
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"name":"product %s"}`, r.PathValue("id"), r.PathValue("id"))
	})))
	mux.HandleFunc("POST /products/{id}", func(w http.ResponseWriter, r *http.Request) {
		// ... update the product, then drop every cached product response,
		// on every instance sharing the backend.
		if err := c.ClearNamespace(r.Context(), "products"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("GET /greeting", greeting(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Accept-Language")
		if r.Header.Get("Accept-Language") == "fr" {
			fmt.Fprint(w, "bonjour")
			return
		}
		fmt.Fprint(w, "hello")
	})))
	mux.Handle("GET /me", perUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "you are %q", r.Header.Get("Authorization"))
	})))
	return mux, nil
}
