// Command stdlib caches a net/http API with hoardhttp: per-route options,
// tags, a response that varies by a request header, a per-user route, and
// invalidation when data changes. The memory backend needs no server.
//
//	go run ./examples/stdlib -addr 127.0.0.1:8080
//	curl -i 127.0.0.1:8080/products/7                          # MISS, then HIT
//	curl -i 127.0.0.1:8080/products                            # the list, tagged too
//	curl -i -X PUT -d 'Blue chair' 127.0.0.1:8080/products/7   # update: invalidates tags product:7 and products
//	curl -i -H 'Accept-Language: fr' 127.0.0.1:8080/greeting   # cached per language
//	curl -i -H 'Authorization: Bearer alice' 127.0.0.1:8080/me # cached per credential
//	curl -i -X POST -H 'X-Purge-Token: dev' -d '{"tags":["products"]}' 127.0.0.1:8080/internal/purge
package main

import (
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	purgeToken := flag.String("purge-token", "dev", "the X-Purge-Token the purge endpoint accepts (empty: no endpoint)")
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
	h, err := newHandler(c, *purgeToken)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on http://%s", *addr)
	srv := &http.Server{Addr: *addr, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// catalog is the example's database.
type catalog struct {
	mu    sync.Mutex
	names map[string]string
}

func (db *catalog) name(id string) string {
	db.mu.Lock()
	defer db.mu.Unlock()
	if n, ok := db.names[id]; ok {
		return n
	}
	return "product " + id
}

func (db *catalog) rename(id, name string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.names[id] = name
}

func (db *catalog) list() string {
	db.mu.Lock()
	defer db.mu.Unlock()
	var ids []string
	for id := range db.names {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%s: %s\n", id, db.names[id])
	}
	return b.String()
}

// newHandler mounts the API. Each route gets its own middleware, so each
// has its own options; a bad option is an error here, not at request time.
// With a purgeToken, POST /internal/purge purges URLs and tags for callers
// that send it.
func newHandler(c *hoard.Cache, purgeToken string) (http.Handler, error) {
	db := &catalog{names: map[string]string{"7": "Red chair", "8": "Oak table"}}
	// Each product page is tagged with its product, the list with
	// "products": an update invalidates exactly what shows the product, on
	// every instance sharing the backend.
	product, err := hoardhttp.Middleware(c, httpcache.WithNamespace("products"), httpcache.WithTTL(5*time.Minute),
		httpcache.WithTagsFunc(func(r httpcache.Request) []string {
			return []string{"product:" + strings.TrimPrefix(r.Path, "/products/")}
		}))
	if err != nil {
		return nil, err
	}
	list, err := hoardhttp.Middleware(c, httpcache.WithNamespace("products"), httpcache.WithTags("products"))
	if err != nil {
		return nil, err
	}
	// The greeting's response says Vary: Accept-Language, so each language
	// is stored apart; WithVaryBy keys on it up front as well.
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
	mux.Handle("GET /products/{id}", product(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond) // the database
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"name":%q}`, r.PathValue("id"), db.name(r.PathValue("id")))
	})))
	mux.Handle("GET /products", list(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, db.list())
	})))
	mux.HandleFunc("PUT /products/{id}", func(w http.ResponseWriter, r *http.Request) {
		name, err := io.ReadAll(io.LimitReader(r.Body, 256))
		if err != nil || len(name) == 0 {
			http.Error(w, "send the new name", http.StatusBadRequest)
			return
		}
		id := r.PathValue("id")
		db.rename(id, string(name))
		// The product changed: drop what shows it, everywhere.
		if err := c.InvalidateTags(r.Context(), []string{"product:" + id, "products"}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	if purgeToken != "" {
		purge, err := httpcache.PurgeHandler(c, func(r *http.Request) error {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Purge-Token")), []byte(purgeToken)) != 1 {
				return errors.New("bad purge token")
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		mux.Handle("POST /internal/purge", purge)
	}
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
