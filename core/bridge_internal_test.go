package hoard

import (
	"testing"

	"github.com/hoard-go/hoard/core/internal/bridge"
)

// TestBridgeKinds: the engine reports events by bridge kinds, which must
// be numbered as hoard's.
func TestBridgeKinds(t *testing.T) {
	for _, k := range []struct {
		b bridge.Kind
		h EventKind
	}{{bridge.Hit, EventHit}, {bridge.Miss, EventMiss}, {bridge.Store, EventStore}, {bridge.Error, EventError},
		{bridge.Bypass, EventBypass}, {bridge.Stale, EventStale}, {bridge.Refresh, EventRefresh}} {
		if EventKind(k.b) != k.h {
			t.Errorf("bridge kind %d is hoard's %v, want %v", k.b, EventKind(k.b), k.h)
		}
	}
}
