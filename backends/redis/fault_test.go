package hoardredis_test

import (
	"testing"

	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/testserver"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestFault serves cached HTTP responses through the engine's own net/http
// middleware while Redis is killed and restarted on the same port, then
// stalled (SIGSTOP) and resumed (adaptertest.Faults). go-redis's own socket
// timeouts are seconds, so the cache's operation timeout is what bounds the
// waits.
func TestFault(t *testing.T) {
	srv := testserver.Redis(t)
	store := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}})
	adaptertest.Faults(t, srv, store)
}
