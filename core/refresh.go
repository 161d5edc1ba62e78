package hoard

import (
	"sync"
	"time"
)

// DefaultBackgroundRefreshes bounds the background refreshes a Cache runs
// at once unless WithBackgroundRefreshes says otherwise.
const DefaultBackgroundRefreshes = 64

// refreshLease is how long a background refresh holds its key: one that
// never reports its end (its request never reached the engine again, or
// its loader hangs) frees the key and its slot after this. A finished
// refresh is remembered as long.
const refreshLease = time.Minute

// refreshTable holds the keys being refreshed in the background, at most
// one refresh per key and max at once: stale-while-revalidate answers at
// once and leaves one refresh running, not one per request.
//
// It also remembers when each key's last refresh began, for a lease: a
// request that read the stale entry just before a refresh replaced it
// must not start another one for an entry already refreshed.
type refreshTable struct {
	mu     sync.Mutex
	max    int
	active int // slots not done
	slots  map[string]refreshSlot
}

type refreshSlot struct {
	began int64 // Unix nanoseconds
	done  bool  // ended well: began stays to compare entries with
}

// start reports whether a refresh of key, whose stale entry was stored at
// storedAt, may begin at now, and records it.
func (t *refreshTable) start(key string, now, storedAt int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	slot, ok := t.slots[key]
	switch {
	case ok && now-slot.began >= int64(refreshLease):
		// Expired: a lost refresh, or one finished long ago.
	case ok && !slot.done:
		return false // running
	case ok && slot.began >= storedAt:
		return false // a refresh begun after the entry was stored has run
	}
	if !ok || slot.done {
		if t.active >= t.max || len(t.slots) >= 2*t.max {
			t.sweep(now)
		}
		if t.active >= t.max {
			return false
		}
		t.active++
	}
	if t.slots == nil {
		t.slots = make(map[string]refreshSlot)
	}
	t.slots[key] = refreshSlot{began: now}
	return true
}

// sweep drops expired slots and, if that leaves too many, every finished
// one: forgetting a finished refresh costs at most one more refresh.
func (t *refreshTable) sweep(now int64) {
	for k, s := range t.slots {
		if now-s.began >= int64(refreshLease) {
			if !s.done {
				t.active--
			}
			delete(t.slots, k)
		}
	}
	if len(t.slots) >= 2*t.max {
		for k, s := range t.slots {
			if s.done {
				delete(t.slots, k)
			}
		}
	}
}

// end frees key, at once or, after a failed refresh, retry from now: a
// failing handler or loader is then tried once per retry per key, not
// once per request.
func (t *refreshTable) end(key string, now int64, retry time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	slot, ok := t.slots[key]
	if !ok || slot.done {
		return // swept after its lease, or ended twice
	}
	if retry > 0 {
		slot.began = now - int64(refreshLease) + int64(min(retry, refreshLease))
	} else {
		slot.done = true
		t.active--
	}
	t.slots[key] = slot
}

// release ends key's refresh that began at began, if it still runs: its
// request never reached the engine again (a middleware answered it, or
// the entry was fresh by then). It counts as done, so the stale entry it
// was started for waits for the lease before another is tried.
func (t *refreshTable) release(key string, began int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if slot, ok := t.slots[key]; ok && !slot.done && slot.began == began {
		t.slots[key] = refreshSlot{began: began, done: true}
		t.active--
	}
}

// endRefresh ends key's background refresh; a failed one leaves the next
// refresh of key to wait retryAfter(lifetime), lifetime being the entry's
// freshness lifetime.
func (c *Cache) endRefresh(key string, failed bool, lifetime time.Duration) {
	var retry time.Duration
	if failed {
		retry = retryAfter(lifetime)
	}
	c.refreshes.end(key, c.cfg.nowNano(), retry)
}

// retryAfter is how long a key whose refresh failed waits for the next
// one: its freshness lifetime, within a second and a minute.
func retryAfter(lifetime time.Duration) time.Duration {
	return min(max(lifetime, time.Second), refreshLease)
}
