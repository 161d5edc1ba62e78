package httpcache

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hoard-go/hoard/core/internal/bridge"
	"github.com/hoard-go/hoard/core/internal/envelope"
)

// Serving stale on purpose (RFC 5861). A stored response past its
// freshness may still be served:
//
//   - stale-if-error: when the handler run that was to replace it fails
//     (an error, a panic, or 500, 502, 503, 504), the client gets the
//     stale response instead of the failure, and so do the requests that
//     waited on that run;
//   - stale-while-revalidate: see refresh.go.
//
// The windows come from the response's own Cache-Control, else from the
// route's options, and are stored with the entry; the backend keeps the
// entry that much longer. A must-revalidate (proxy-revalidate in shared
// mode) or no-cache response is never served stale.

// staleWindow is a stale window in seconds: the response's directive
// (seconds, -1 when absent), else the route's option.
func staleWindow(directive int64, route time.Duration) uint32 {
	if directive < 0 {
		directive = int64(route / time.Second)
	}
	return uint32(min(max(directive, 0), maxDeltaSeconds))
}

// neverStale are the flags of an entry that may not be served stale.
const neverStale = envelope.FlagMustRevalidate | envelope.FlagNoCache

// mayServeStale reports whether ent, at state st, is stale by less than
// window seconds and may be served stale at all.
func mayServeStale(ent *envelope.Entry, st entryState, window uint32) bool {
	return !st.fresh && ent.Flags&neverStale == 0 && st.staleFor < int64(window)
}

// graceFailures is how many failures in a row make a handler unhealthy
// for WithGrace.
const graceFailures = 3

// graceWindow is the stale-if-error window, in seconds, that WithGrace
// gives every entry while the handler is failing; 0 otherwise.
func (e *Engine) graceWindow() uint32 {
	if e.cfg.grace <= 0 || e.failures.Load() < graceFailures {
		return 0
	}
	return staleWindow(-1, e.cfg.grace)
}

// noteOutcome records whether x's handler run failed, for WithGrace and
// for a background refresh's retry.
func (x *exchange) noteOutcome(failed bool) {
	x.failed = x.failed || failed
	x.e.noteOutcome(failed)
}

// noteOutcome counts the handler's failures in a row.
func (e *Engine) noteOutcome(failed bool) {
	if e.cfg.grace <= 0 {
		return
	}
	if failed {
		e.failures.Add(1)
	} else if e.failures.Load() != 0 {
		e.failures.Store(0)
	}
}

// failureStatus reports whether a handler's status is a failure that
// stale-if-error hides.
func failureStatus(code int) bool {
	switch code {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// errHandlerStatus reports a failure status to the observer.
var errHandlerStatus = errors.New("httpcache: handler answered with a failure status")

// failover is what answers a client when the handler fails to replace a
// stale entry.
type failover uint8

const (
	failoverNone failover = iota
	// failoverStale: the stale entry (stale-if-error, WithGrace).
	failoverStale
	// failoverGateway: a must-revalidate entry may not be served stale, and
	// the handler could not be reached (an error, a panic, 502, 504): 504,
	// as RFC 9111 section 4.2.4 asks, rather than the framework's error.
	failoverGateway
)

// failsOver reports whether a handler's status is a failure that x
// answers in its place.
func (x *exchange) failsOver(code int) bool {
	switch x.onFailure {
	case failoverStale:
		return failureStatus(code)
	case failoverGateway:
		return code == http.StatusBadGateway || code == http.StatusGatewayTimeout
	}
	return false
}

// failOver is called when the handler run that was to replace x.prev
// failed and x answers in its place: nothing is stored, and the requests
// waiting on this run are told to answer the same way. code is the
// handler's status (0 for an error or a panic), err what to report.
func (x *exchange) failOver(ctx context.Context, code int, err error) {
	x.noteOutcome(true)
	if f := x.run.leader; f != nil {
		f.failed = true // before dropStore closes done
	}
	x.dropStore()
	if err == nil {
		err = fmt.Errorf("%w: %d", errHandlerStatus, code)
	}
	x.e.cache.Observe(ctx, bridge.Error, "handler", x.key, err)
	x.answerFailure(ctx, code)
}

// answerFailure makes x the answer to a failed handler run: a hit on the
// stale x.prev, or a 504.
func (x *exchange) answerFailure(ctx context.Context, code int) {
	detail := "stale-if-error"
	if x.onFailure == failoverGateway {
		detail = "must-revalidate"
	}
	x.status = x.e.statusRevalidate
	if code > 0 {
		x.status += "; fwd-status=" + strconv.Itoa(code)
	}
	x.status += "; detail=" + detail
	if x.onFailure == failoverGateway {
		x.outcome, x.label = unsatisfiable, "MISS"
		return
	}
	x.label = "STALE"
	x.serveAs(x.e.cache.Now(), nil, x.prev, true)
	x.e.cache.Observe(ctx, bridge.Stale, "http", x.key, nil)
}

// restorePreset takes out of h what the handler set, back to what outer
// middleware had set before it ran (a later value of a name set more than
// once is lost where h cannot add one): a stale response goes out instead
// of the handler's.
func (x *exchange) restorePreset(h ResponseHeader) {
	if nh, ok := h.(netResponseHeader); ok {
		clear(nh)
		for _, f := range x.preset {
			nh[f.Name] = append(nh[f.Name], f.Value)
		}
		return
	}
	var names []string
	h.Range(func(name, _ string) { names = append(names, name) })
	for _, n := range names {
		h.Del(n)
	}
	for i, f := range x.preset {
		if i == 0 || x.preset[i-1].Name != f.Name {
			h.Set(f.Name, f.Value)
		}
	}
}

// panicError is what a recovered panic is reported as.
func panicError(v any) error {
	if err, ok := v.(error); ok {
		return fmt.Errorf("%w: %w", errHandlerPanicked, err)
	}
	return fmt.Errorf("%w: %v", errHandlerPanicked, v)
}
