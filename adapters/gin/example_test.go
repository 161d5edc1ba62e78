package hoardgin_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/gin-gonic/gin"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/httpcache"
	"github.com/hoard-go/hoard/core/memory"

	hoardgin "github.com/hoard-go/hoard/adapters/gin"
)

func ExampleMiddleware() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		log.Fatal(err)
	}
	cache, err := hoardgin.Middleware(c, httpcache.WithTTL(time.Minute))
	if err != nil {
		log.Fatal(err)
	}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/users/:id", cache, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"id": c.Param("id")})
	})

	for _, path := range []string{"/users/1", "/users/1", "/users/2"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Printf("%s %d %s %s\n", path, rec.Code, rec.Header().Get("X-Cache"), rec.Body)
	}
	// Output:
	// /users/1 200 MISS {"id":"1"}
	// /users/1 200 HIT {"id":"1"}
	// /users/2 200 MISS {"id":"2"}
}

// A bad option is an error when the middleware is built, never at request
// time.
func ExampleMiddleware_badOption() {
	store, err := memory.New(memory.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	c, err := hoard.New(store)
	if err != nil {
		log.Fatal(err)
	}
	_, err = hoardgin.Middleware(c, httpcache.WithMaxBodySize(0))
	fmt.Println(err)
	// Output:
	// hoard: invalid option: max body size 0 must be positive
}
