package hoard

import (
	"slices"
	"strconv"
	"sync/atomic"
)

// hitPlan is one engine's header fields for hits on one stored entry, made
// on the entry's first hit and kept in its memo: of all the fields, only
// Age changes from one hit to the next.
type hitPlan struct {
	h      *HTTP
	fields []HeaderField
	ageAt  int                      // index of Age in fields
	age    atomic.Pointer[ageValue] // the last Age over 99 formatted
}

type ageValue struct {
	sec int64
	s   string
}

func (h *HTTP) newHitPlan(e *entry) *hitPlan {
	fields, ageAt := h.appendHitFields(nil, e, false, 0)
	return &hitPlan{h: h, fields: slices.Clip(fields), ageAt: ageAt}
}

// ageString formats an Age without allocating on most hits: strconv has
// the numbers below 100 ready, and a larger one is kept for the rest of
// its second.
func (p *hitPlan) ageString(sec int64) string {
	if sec < 100 {
		return strconv.FormatInt(sec, 10)
	}
	if a := p.age.Load(); a != nil && a.sec == sec {
		return a.s
	}
	a := &ageValue{sec: sec, s: strconv.FormatInt(sec, 10)}
	p.age.Store(a)
	return a.s
}
