package hoard

import (
	"slices"
	"strconv"
	"sync/atomic"
)

// hitPlan is one engine's header fields for hits on one stored entry, made
// on the entry's first hit and kept in its memo: of all the fields, only
// Age changes from one hit to the next, once a second.
type hitPlan struct {
	h      *HTTP
	fields []HeaderField // with Age "0"
	ageAt  int           // index of Age in fields
	cur    atomic.Pointer[agedFields]
}

// agedFields are a plan's fields with one Age filled in.
type agedFields struct {
	sec    int64
	fields []HeaderField
}

func (h *HTTP) newHitPlan(e *entry) *hitPlan {
	fields, ageAt := h.appendHitFields(nil, e, false, 0)
	p := &hitPlan{h: h, fields: slices.Clip(fields), ageAt: ageAt}
	p.cur.Store(&agedFields{sec: 0, fields: p.fields})
	return p
}

// forAge returns the fields of a hit at age sec, read-only. Hits share
// them: the copy with a new Age is made once per second of the entry's
// life that sees a hit, not once per hit.
func (p *hitPlan) forAge(sec int64) []HeaderField {
	if a := p.cur.Load(); a.sec == sec {
		return a.fields
	}
	f := slices.Clone(p.fields)
	f[p.ageAt].Value = strconv.FormatInt(sec, 10)
	p.cur.Store(&agedFields{sec: sec, fields: f})
	return f
}
