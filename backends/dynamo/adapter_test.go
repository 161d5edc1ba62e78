package hoarddynamo

import (
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"

	hoardhttp "github.com/hoard-go/hoard/adapters/stdlib"
)

// testAdapter runs the HTTP behaviour suite through the net/http adapter
// with DynamoDB Local as the backend: what the engine stores must come
// back intact from a real server, and a namespace clear must reach it. The
// suite gives every scenario its own key prefix, so they share one table.
func testAdapter(t *testing.T, l *local) {
	adaptertest.Run(t, adaptertest.NetHTTPServer(hoardhttp.Middleware), adaptertest.WithBackend(func(t *testing.T) hoard.Backend {
		return l.store(t, Options{})
	}))
}
