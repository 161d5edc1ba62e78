package bench

import (
	"strings"
	"sync/atomic"
	"time"
)

// Path is the route every target serves.
const Path = "/items"

// ContentType is the origin's response type.
const ContentType = "application/json"

// JSONBody returns a JSON document of exactly n bytes (n >= 12).
func JSONBody(n int) []byte {
	const frame = `{"items":""}`
	if n < len(frame) {
		n = len(frame)
	}
	return []byte(`{"items":"` + strings.Repeat("x", n-len(frame)) + `"}`)
}

// Origin is the handler behind every target: it answers Body as JSON.
// The zero value answers an empty body.
type Origin struct {
	// Body is the response body.
	Body []byte
	// Delay makes each run take this long, so concurrent requests overlap
	// (the miss storm). Default none.
	Delay time.Duration
	// Count makes the origin count its runs (Runs). Off for the hit
	// benchmarks, where a shared counter would itself be contended.
	Count bool

	runs atomic.Int64
}

// run records one run of the handler and waits Delay.
func (o *Origin) run() {
	if o.Count {
		o.runs.Add(1)
	}
	if o.Delay > 0 {
		time.Sleep(o.Delay)
	}
}

// Runs is how many times the handler ran (when Count is set).
func (o *Origin) Runs() int64 { return o.runs.Load() }
