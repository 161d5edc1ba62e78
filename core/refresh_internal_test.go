package hoard

import (
	"testing"
	"time"
)

func TestRefreshTable(t *testing.T) {
	const sec = int64(time.Second)
	type step struct {
		op       string // "start", "end", "fail" or "release" (of the start at now)
		key      string
		now      int64
		storedAt int64 // start's
		want     bool  // start's
	}
	tests := []struct {
		name  string
		max   int
		steps []step
	}{
		{"one per key while it runs", 4, []step{
			{"start", "a", 10 * sec, 0, true},
			{"start", "a", 11 * sec, 0, false},
			{"start", "b", 11 * sec, 0, true},
		}},
		{"an entry stored before a finished refresh began is not refreshed again", 4, []step{
			{"start", "a", 10 * sec, 1 * sec, true},
			{"end", "a", 12 * sec, 0, false},
			{"start", "a", 13 * sec, 1 * sec, false}, // read before the refresh stored
			{"start", "a", 30 * sec, 12 * sec, true}, // the refreshed entry, stale in turn
		}},
		{"a finished refresh is forgotten after the lease", 4, []step{
			{"start", "a", 10 * sec, 1 * sec, true},
			{"end", "a", 12 * sec, 0, false},
			{"start", "a", 10*sec + int64(refreshLease), 1 * sec, true},
		}},
		{"a lost refresh frees its key after the lease", 4, []step{
			{"start", "a", 10 * sec, 0, true},
			{"start", "a", 10*sec + int64(refreshLease) - 1, 0, false},
			{"start", "a", 10*sec + int64(refreshLease), 0, true},
		}},
		{"a failed refresh waits for its retry", 4, []step{
			{"start", "a", 10 * sec, 0, true},
			{"fail", "a", 12 * sec, 0, false}, // retry after 5s
			{"start", "a", 16 * sec, 0, false},
			{"start", "a", 17 * sec, 0, true},
		}},
		{"at most max at once", 2, []step{
			{"start", "a", 10 * sec, 0, true},
			{"start", "b", 10 * sec, 0, true},
			{"start", "c", 10 * sec, 0, false},
			{"end", "a", 11 * sec, 0, false},
			{"start", "c", 11 * sec, 0, true},
			{"start", "d", 11 * sec, 0, false},
			{"fail", "b", 12 * sec, 0, false}, // still holds its slot until its retry
			{"start", "d", 12 * sec, 0, false},
			{"start", "d", 10*sec + int64(refreshLease), 0, true}, // b may retry: its slot is free
		}},
		{"a refresh that never reached the engine is released", 1, []step{
			{"start", "a", 10 * sec, 1 * sec, true},
			{"release", "a", 10 * sec, 0, false},
			{"start", "b", 11 * sec, 1 * sec, true},  // a's slot is free
			{"start", "a", 12 * sec, 1 * sec, false}, // and a's stale entry waits the lease
			{"release", "b", 9 * sec, 0, false},      // not b's refresh: no effect
			{"start", "c", 12 * sec, 1 * sec, false}, // b still runs
		}},
		{"release after the engine ended it changes nothing", 1, []step{
			{"start", "a", 10 * sec, 1 * sec, true},
			{"fail", "a", 11 * sec, 0, false},
			{"release", "a", 10 * sec, 0, false},
			{"start", "b", 12 * sec, 1 * sec, false}, // a holds the slot until its retry
		}},
		{"finished refreshes do not hold slots", 1, []step{
			{"start", "a", 10 * sec, 0, true},
			{"end", "a", 11 * sec, 0, false},
			{"start", "b", 11 * sec, 0, true},
			{"end", "b", 12 * sec, 0, false},
			{"start", "c", 12 * sec, 0, true},
			{"end", "c", 13 * sec, 0, false},
			{"start", "a", 14 * sec, 12 * sec, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := &refreshTable{max: tt.max}
			for i, s := range tt.steps {
				switch s.op {
				case "start":
					if got := tab.start(s.key, s.now, s.storedAt); got != s.want {
						t.Fatalf("step %d: start(%s) = %v, want %v", i, s.key, got, s.want)
					}
				case "end":
					tab.end(s.key, s.now, 0)
				case "fail":
					tab.end(s.key, s.now, 5*time.Second)
				case "release":
					tab.release(s.key, s.now)
				}
				if tab.active < 0 || tab.active > tab.max || len(tab.slots) > 2*tab.max {
					t.Fatalf("step %d: %d active, %d slots (max %d)", i, tab.active, len(tab.slots), tab.max)
				}
			}
		})
	}
}
