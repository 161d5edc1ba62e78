package hoarddynamo

import (
	"testing"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/adaptertest"
)

// testAdapter runs the HTTP behaviour suite through the engine's own
// net/http middleware (adaptertest.EngineMiddleware, so this module needs no
// adapter) with DynamoDB Local as the backend: what the engine stores must
// come back intact from a real server, and a namespace clear must reach it.
// The suite gives every scenario its own key prefix, so they share one
// table.
func testAdapter(t *testing.T, l *local) {
	adaptertest.Run(t, adaptertest.NetHTTPServer(adaptertest.EngineMiddleware), adaptertest.WithBackend(func(t *testing.T) hoard.Backend {
		return l.store(t, Options{})
	}))
}
