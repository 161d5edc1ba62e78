package hoardmemcache

import (
	"github.com/hoard-go/hoard/core/testserver"
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
)

// LargeValue stores 512 KiB, under the 1 MiB default limit.
func TestConformance(t *testing.T) {
	srv := testserver.Memcached(t)
	backendtest.Run(t, func(t *testing.T) hoard.Backend { return newTestStore(t, srv.Addr) })
}

// TestConformancePool runs the suite on two servers: an item and its
// namespace's generation often live on different servers.
func TestConformancePool(t *testing.T) {
	a, b := testserver.Memcached(t), testserver.Memcached(t)
	backendtest.Run(t, func(t *testing.T) hoard.Backend { return newTestStore(t, a.Addr, b.Addr) })
}
