package hoard

import (
	"context"
	"time"

	"github.com/hoard-go/hoard/core/internal/bridge"
	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/memo"
)

// The HTTP engine (package httpcache) reaches a Cache through
// internal/bridge: what it needs is not hoard's public API.
func init() {
	bridge.Of = func(cache any) bridge.Cache {
		c, ok := cache.(*Cache)
		if !ok || c == nil {
			return nil
		}
		return engineView{c}
	}
}

// The bridge numbers event kinds as EventKind does: a mismatch does not
// compile.
var (
	_ [0]struct{} = [EventHit - EventKind(bridge.Hit)]struct{}{}
	_ [0]struct{} = [EventMiss - EventKind(bridge.Miss)]struct{}{}
	_ [0]struct{} = [EventStore - EventKind(bridge.Store)]struct{}{}
	_ [0]struct{} = [EventError - EventKind(bridge.Error)]struct{}{}
	_ [0]struct{} = [EventBypass - EventKind(bridge.Bypass)]struct{}{}
	_ [0]struct{} = [EventStale - EventKind(bridge.Stale)]struct{}{}
	_ [0]struct{} = [EventRefresh - EventKind(bridge.Refresh)]struct{}{}
)

// engineView is a Cache as the HTTP engine sees it.
type engineView struct{ c *Cache }

var _ bridge.Cache = engineView{}

func (v engineView) Prefix() string      { return v.c.cfg.prefix }
func (v engineView) Namespace() string   { return v.c.namespace }
func (v engineView) NamespaceErr() error { return v.c.nsErr }
func (v engineView) Now() int64          { return v.c.cfg.nowNano() }
func (v engineView) OwnClock() bool      { return v.c.cfg.ownClock }
func (v engineView) Lifetime(ttl time.Duration) time.Duration {
	return v.c.ttlFor(ttl)
}
func (v engineView) InProcess() bool       { return v.c.inProcess }
func (v engineView) Dropper() memo.Dropper { return v.c.droppers }
func (v engineView) Observed() bool        { return v.c.cfg.observer != nil }

func (v engineView) Lookup(ctx context.Context, key string, now int64, e *envelope.Entry) (*memo.Decoded, error) {
	return v.c.lookupAt(ctx, key, envelope.KindHTTP, e, now)
}

func (v engineView) Recheck(ctx context.Context, key string, now int64, e *envelope.Entry) ([]byte, *memo.Decoded) {
	return v.c.recheck(ctx, key, envelope.KindHTTP, e, now)
}

func (v engineView) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return v.c.put(ctx, key, value, ttl)
}

func (v engineView) Delete(ctx context.Context, key string) error {
	_, err := v.c.call(ctx, "delete", key, func(ctx context.Context) error { return v.c.backend.Delete(ctx, key) })
	return err
}

func (v engineView) Observe(ctx context.Context, kind bridge.Kind, op, key string, err error) {
	v.c.observe(ctx, Event{Kind: EventKind(kind), Op: op, Key: key, Err: err})
}

func (v engineView) CountHit(r uint32) { v.c.counters.addAt(EventHit, r) }

func (v engineView) EnsureTags(ctx context.Context, key string, block []byte) error {
	return v.c.ensureTagStates(ctx, key, block)
}

func (v engineView) InvalidateTags(ctx context.Context, tags []string) error {
	return v.c.InvalidateTags(ctx, tags)
}

func (v engineView) StartRefresh(key string, storedAt int64) (int64, bool) {
	now := v.c.cfg.nowNano()
	return now, v.c.refreshes.start(key, now, storedAt)
}

func (v engineView) ReleaseRefresh(key string, began int64) {
	v.c.refreshes.release(key, began)
}

func (v engineView) EndRefresh(key string, failed bool, lifetime time.Duration) {
	v.c.endRefresh(key, failed, lifetime)
}

func (v engineView) Trace(ctx context.Context, op, key string) (context.Context, func(error)) {
	if v.c.tracer == nil {
		return ctx, nil
	}
	return v.c.tracer.Trace(ctx, op, key)
}
