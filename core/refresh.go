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
// its loader hangs) frees the key and its slot after this.
const refreshLease = time.Minute

// refreshTable holds the keys being refreshed in the background, at most
// one refresh per key and max at once: stale-while-revalidate answers at
// once and leaves one refresh running, not one per request.
type refreshTable struct {
	mu      sync.Mutex
	max     int
	running map[string]int64 // key: when its refresh began, Unix nanoseconds
}

// start reports whether a refresh of key may begin at now, and records it.
func (t *refreshTable) start(key string, now int64) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if began, ok := t.running[key]; ok && now-began < int64(refreshLease) {
		return false
	}
	if len(t.running) >= t.max {
		for k, began := range t.running {
			if now-began >= int64(refreshLease) {
				delete(t.running, k)
			}
		}
		if len(t.running) >= t.max {
			return false
		}
	}
	if t.running == nil {
		t.running = make(map[string]int64)
	}
	t.running[key] = now
	return true
}

// end frees key, at once or, after a failed refresh, retry from now: a
// failing handler or loader is then tried once per retry per key, not
// once per request.
func (t *refreshTable) end(key string, now int64, retry time.Duration) {
	t.mu.Lock()
	if retry > 0 {
		t.running[key] = now - int64(refreshLease) + int64(min(retry, refreshLease))
	} else {
		delete(t.running, key)
	}
	t.mu.Unlock()
}

// retryAfter is how long a key whose refresh failed waits for the next
// one: its freshness lifetime, within a second and a minute.
func retryAfter(lifetime time.Duration) time.Duration {
	return min(max(lifetime, time.Second), refreshLease)
}
