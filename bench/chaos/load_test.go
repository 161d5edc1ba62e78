package chaos_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hoard-go/hoard/bench/chaos"
)

// fakeServer answers like the chaos server, HIT from an item's second
// request on, except that it breaks the items in wrong (a body of another
// item) and fail (status 500).
func fakeServer(t *testing.T, size int, wrong, fail string) (*httptest.Server, func() map[string]int) {
	var mu sync.Mutex
	seen := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /item/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, sc := r.PathValue("id"), r.URL.Query().Get("s")
		mu.Lock()
		seen[id]++
		n := seen[id]
		mu.Unlock()
		w.Header().Set("X-Cache", "MISS")
		if n > 1 {
			w.Header().Set("X-Cache", "HIT")
		}
		switch id {
		case wrong:
			_, _ = w.Write(chaos.Body(id+"0", sc, size))
		case fail:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			_, _ = w.Write(chaos.Body(id, sc, size))
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

func TestLoadOnce(t *testing.T) {
	tests := []struct {
		name                string
		wrong, fail         string
		wantWrong, wantFail int64
	}{
		{"all correct", "", "", 0, 0},
		{"a wrong body", "3", "", 1, 0},
		{"a 500", "", "4", 0, 1},
		{"both", "5", "6", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, seen := fakeServer(t, 100, tt.wrong, tt.fail)
			run, err := chaos.Start(context.Background(), chaos.LoadOptions{
				Base: srv.URL, Items: 50, Once: true, Workers: 4, Size: 100, Scenario: "t"})
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-run.Done():
			case <-time.After(30 * time.Second):
				t.Fatal("a run of 50 requests did not end")
			}
			res := run.Stop()
			if res.Requests != 50 || res.Errors != 0 || res.WrongBodies != tt.wantWrong || res.Non200 != tt.wantFail {
				t.Errorf("got %d requests, %d errors, %d wrong, %d non-200; want 50, 0, %d, %d",
					res.Requests, res.Errors, res.WrongBodies, res.Non200, tt.wantWrong, tt.wantFail)
			}
			if int64(len(res.Latency)) != res.Requests || res.Percentile(50) > res.Max() {
				t.Errorf("%d latencies for %d requests; p50 %v, max %v", len(res.Latency), res.Requests, res.Percentile(50), res.Max())
			}
			if got := int64(len(res.Failures)); got != tt.wantWrong+tt.wantFail {
				t.Errorf("failures %q, want %d", res.Failures, tt.wantWrong+tt.wantFail)
			}
			for i := range 50 {
				if n := seen()[strconv.Itoa(i)]; n != 1 {
					t.Errorf("item %d requested %d times, want once", i, n)
				}
			}
		})
	}
}

func TestLoadMarkResumed(t *testing.T) {
	srv, _ := fakeServer(t, 10, "", "")
	run, err := chaos.Start(context.Background(), chaos.LoadOptions{Base: srv.URL, Items: 5, Workers: 2, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.Resumed():
		t.Fatal("Resumed closed before Mark")
	case <-time.After(50 * time.Millisecond):
	}
	run.Mark()
	select {
	case <-run.Resumed():
	case <-time.After(30 * time.Second):
		t.Fatal("no HIT after Mark")
	}
	res := run.Stop()
	if res.Resumed < 0 || res.Hits == 0 || res.Errors != 0 || res.WrongBodies != 0 {
		t.Errorf("Resumed %v, %d hits, %d errors, %d wrong", res.Resumed, res.Hits, res.Errors, res.WrongBodies)
	}
}

func TestLoadOptions(t *testing.T) {
	if _, err := chaos.Start(context.Background(), chaos.LoadOptions{}); err == nil {
		t.Error("Start without Base: no error")
	}
}

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, ms(i))
	}
	tests := []struct {
		name string
		r    chaos.Result
		p    float64
		want time.Duration
	}{
		{"empty", chaos.Result{}, 99, 0},
		{"p50", chaos.Result{Latency: lat}, 50, ms(50)},
		{"p99", chaos.Result{Latency: lat}, 99, ms(99)},
		{"max", chaos.Result{Latency: lat}, 100, ms(100)},
		{"p0", chaos.Result{Latency: lat}, 0, ms(1)},
		{"one", chaos.Result{Latency: lat[:1]}, 99, ms(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.Percentile(tt.p); got != tt.want {
				t.Errorf("Percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}
