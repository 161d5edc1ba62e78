package chaos_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hoard-go/hoard/core/testserver"

	"github.com/hoard-go/hoard/bench/chaos"
)

// The two-tier runs: two server instances, each with a local memory tier
// over one Redis (MaxAge tierMaxAge), kept coherent over pub/sub. A
// writer changes item versions in the application's database (a server
// the test runs) and purges them through instance A; readers read them
// through instance B. A response from B older than a change that
// completed more than tierMaxAge before the read began is a violation:
// B answered from a copy an invalidation it missed should have dropped.
const (
	tierMaxAge    = 2 * time.Second
	tierItems     = 50
	tierSlack     = 300 * time.Millisecond // scheduling on a loaded machine
	tierFaultTime = 1500 * time.Millisecond
)

// versionDB is the application's database: item versions.
type versionDB struct {
	mu sync.Mutex
	v  map[string]int
}

func (db *versionDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	db.mu.Lock()
	defer db.mu.Unlock()
	fmt.Fprint(w, db.v[strings.TrimPrefix(r.URL.Path, "/ver/")])
}

func (db *versionDB) bump(id string) int {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.v[id]++
	return db.v[id]
}

// change is a version change that completed (its purge succeeded).
type change struct {
	version int
	done    time.Time
}

func runTiered(t *testing.T, bin string, figs *chaos.Figures) {
	rs := testserver.Redis(t)
	db := &versionDB{v: map[string]int{}}
	dbSrv := httptest.NewServer(db)
	t.Cleanup(dbSrv.Close)
	args := []string{"-backend", "tiered", "-backend-addr", rs.Addr, "-timeout", opTimeout.String(), "-handler-time", "0s",
		"-db", dbSrv.URL, "-tier-max-age", tierMaxAge.String(), "-breaker-cooldown", breakerCooldown.String()}
	_, a := startServer(t, bin, "chaosserver-tier-a", args...)
	_, b := startServer(t, bin, "chaosserver-tier-b", args...)
	admin := redis.NewClient(&redis.Options{Addr: rs.Addr})
	t.Cleanup(func() { _ = admin.Close() })
	for _, fault := range []string{"pubsub-kill", "stall", "restart"} {
		t.Run(fault, func(t *testing.T) { runTierFault(t, figs, "tiered/"+fault, a, b, db, rs, admin, fault) })
	}
}

func runTierFault(t *testing.T, figs *chaos.Figures, name, a, b string, db *versionDB, rs *testserver.Server, admin *redis.Client, fault string) {
	ctx, stop := context.WithCancel(context.Background())
	client := &http.Client{Timeout: 10 * time.Second}
	var (
		mu       sync.Mutex
		changes  = map[string][]change{}
		wg       sync.WaitGroup
		requests atomic.Int64
		errs     atomic.Int64
		stale    atomic.Int64
		late     atomic.Int64 // older than a change purged 200ms before: what the bus is for
		examples []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(examples) < 10 {
			examples = append(examples, fmt.Sprintf(format, args...))
		}
	}
	// The writer: a change every 20ms, through A, retried until purged.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			id := fmt.Sprint(rand.IntN(tierItems))
			v := db.bump(id)
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, a+"/v/"+id+"/changed", nil)
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusNoContent {
						mu.Lock()
						changes[id] = append(changes[id], change{v, time.Now()})
						mu.Unlock()
						break
					}
				}
				time.Sleep(20 * time.Millisecond) // the purge failed: the application retries
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	// The readers, on B.
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				id := fmt.Sprint(rand.IntN(tierItems))
				start := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b+"/v/"+id, nil)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
						fail("GET /v/%s: %v", id, err)
					}
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				requests.Add(1)
				if resp.StatusCode != http.StatusOK {
					errs.Add(1)
					fail("GET /v/%s: %d %s", id, resp.StatusCode, body)
					continue
				}
				_, vs, _ := strings.Cut(string(body), " ")
				got, _ := strconv.Atoi(vs)
				mu.Lock()
				for _, c := range changes[id] {
					if c.version > got && c.done.Add(200*time.Millisecond).Before(start) {
						late.Add(1)
						break
					}
				}
				for _, c := range changes[id] {
					if c.version > got && c.done.Add(tierMaxAge+tierSlack).Before(start) {
						stale.Add(1)
						if len(examples) < 10 {
							examples = append(examples, fmt.Sprintf("GET /v/%s at %s: version %d, but %d was purged at %s (X-Cache %s)",
								id, start.Format("15:04:05.000"), got, c.version, c.done.Format("15:04:05.000"), resp.Header.Get("X-Cache")))
						}
						break
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second) // warm-up
	switch fault {
	case "pubsub-kill": // every subscription's connection dropped, twice
		for range 2 {
			if err := admin.Do(ctx, "CLIENT", "KILL", "TYPE", "pubsub").Err(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(tierFaultTime)
		}
	case "stall":
		rs.Pause()
		time.Sleep(tierFaultTime)
		rs.Resume()
	case "restart":
		rs.Restart()
	}
	time.Sleep(tierMaxAge + time.Second) // after the fault, beyond the cap
	stop()
	wg.Wait()
	mu.Lock()
	n := 0
	for _, cs := range changes {
		n += len(cs)
	}
	mu.Unlock()
	for _, f := range []struct {
		metric string
		value  any
	}{
		{"requests", requests.Load()},
		{"changes", n},
		{"errors", errs.Load()},
		{"stale_beyond_200ms", late.Load()},
		{"stale_beyond_cap", stale.Load()},
	} {
		fmt.Println(figs.Add(name, f.metric, f.value))
	}
	for _, e := range examples {
		t.Log(e)
	}
	if errs.Load() != 0 || stale.Load() != 0 {
		t.Errorf("%d errors, %d responses older than a change purged more than %v before; want none", errs.Load(), stale.Load(), tierMaxAge)
	}
	if requests.Load() == 0 || n == 0 {
		t.Errorf("%d requests, %d changes: the run did nothing", requests.Load(), n)
	}
}
