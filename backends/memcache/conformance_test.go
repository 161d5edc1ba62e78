package hoardmemcache

import (
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
)

// LargeValue stores 512 KiB, under the 1 MiB default limit.
func TestConformance(t *testing.T) {
	srv := startMemcached(t)
	backendtest.Run(t, func(t *testing.T) hoard.Backend { return newTestStore(t, srv.Addr) })
}

// TestConformancePool runs the suite on two servers: an item and its
// namespace's generation often live on different servers.
func TestConformancePool(t *testing.T) {
	a, b := startMemcached(t), startMemcached(t)
	backendtest.Run(t, func(t *testing.T) hoard.Backend { return newTestStore(t, a.Addr, b.Addr) })
}
