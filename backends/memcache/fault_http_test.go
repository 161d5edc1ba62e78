package hoardmemcache

import (
	"testing"

	"github.com/hoard-go/hoard/core/adaptertest"
	"github.com/hoard-go/hoard/core/testserver"
)

// TestFaultHTTP serves cached HTTP responses through the engine's own
// net/http middleware while memcached is killed and restarted on the same
// port (empty, its namespace generations gone), then stalled (SIGSTOP) and
// resumed (adaptertest.Faults). gomemcache takes no context: the Store's
// Timeout is what bounds a call to a stalled server, so it matches the
// cache's.
func TestFaultHTTP(t *testing.T) {
	srv := testserver.Memcached(t)
	store, err := New(Options{Servers: []string{srv.Addr}, Timeout: adaptertest.FaultTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	adaptertest.Faults(t, srv, store)
}
