package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// LoadOptions configures [Load].
type LoadOptions struct {
	// URL is requested with GET; its host must be 127.0.0.1.
	URL string
	// Connections is the number of concurrent keep-alive connections.
	// Default 50.
	Connections int
	// Duration is how long to send requests. Default 10s, at most 30s.
	Duration time.Duration
}

// LoadResult is what [Load] measured.
type LoadResult struct {
	Requests int           `json:"requests"`
	Errors   int           `json:"errors"`
	RPS      float64       `json:"rps"`
	P50      time.Duration `json:"p50_ns"`
	P99      time.Duration `json:"p99_ns"`
	Max      time.Duration `json:"max_ns"`
}

// MaxLoadDuration bounds every load run.
const MaxLoadDuration = 30 * time.Second

// Load is a small closed-loop load generator, the fallback where wrk is
// missing: Connections workers each send GET requests back to back for
// Duration and record every latency.
func Load(ctx context.Context, opts LoadOptions) (LoadResult, error) {
	u, err := url.Parse(opts.URL)
	if err != nil {
		return LoadResult{}, fmt.Errorf("bench: %w", err)
	}
	if u.Hostname() != "127.0.0.1" {
		return LoadResult{}, fmt.Errorf("bench: load only 127.0.0.1, not %q", u.Host)
	}
	if opts.Connections <= 0 {
		opts.Connections = 50
	}
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	opts.Duration = min(opts.Duration, MaxLoadDuration)

	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: opts.Connections,
		MaxConnsPerHost:     opts.Connections,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	var (
		mu   sync.Mutex
		all  []time.Duration
		errs int
		wg   sync.WaitGroup
	)
	began := time.Now()
	for range opts.Connections {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1<<14)
			e := 0
			for ctx.Err() == nil {
				t0 := time.Now()
				if err := get(ctx, client, opts.URL); err != nil {
					if ctx.Err() == nil {
						e++
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += e
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	slices.Sort(all)
	res := LoadResult{Requests: len(all), Errors: errs, RPS: float64(len(all)) / elapsed.Seconds()}
	if n := len(all); n > 0 {
		res.P50, res.P99, res.Max = all[n/2], all[min(n-1, n*99/100)], all[n-1]
	}
	return res, nil
}

func get(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}
