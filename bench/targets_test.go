package bench_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"

	"github.com/hoard-go/hoard/bench"
)

// TestTargets checks what the benchmarks rely on: every target answers the
// body, and every cached one answers the second request without running
// the origin.
func TestTargets(t *testing.T) {
	body := bench.JSONBody(1 << 10)
	for _, name := range bench.Names() {
		t.Run(name, func(t *testing.T) {
			var c *hoard.Cache
			if bench.UsesHoard(name) {
				c = memoryCache(t)
			}
			o := &bench.Origin{Body: body, Count: true}
			tg, err := bench.Build(name, o, c)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				status, got := serveOnce(t, tg)
				if status != http.StatusOK || !bytes.Equal(got, body) {
					t.Fatalf("request %d: status %d, %d bytes", i, status, len(got))
				}
			}
			want := int64(1)
			if strings.Contains(name, "/bare") {
				want = 2
			}
			if o.Runs() != want {
				t.Errorf("origin ran %d times for 2 requests, want %d", o.Runs(), want)
			}
		})
	}
}

func serveOnce(t *testing.T, tg *bench.Target) (int, []byte) {
	t.Helper()
	if tg.HTTP != nil {
		w := httptest.NewRecorder()
		tg.HTTP.ServeHTTP(w, httptest.NewRequest(http.MethodGet, hitURL, nil))
		return w.Code, w.Body.Bytes()
	}
	ctx := newRequestCtx()
	tg.Fast(ctx)
	return ctx.Response.StatusCode(), bytes.Clone(ctx.Response.Body())
}

func TestBuildErrors(t *testing.T) {
	if _, err := bench.Build("nope/bare", &bench.Origin{}, nil); err == nil {
		t.Error("unknown target: no error")
	}
	if _, err := bench.Build("nethttp/hoard", &bench.Origin{}, nil); err == nil {
		t.Error("hoard target without a cache: no error")
	}
}

// TestLoad runs the Go load generator briefly against a served target.
func TestLoad(t *testing.T) {
	c := memoryCache(t)
	tg, err := bench.Build("nethttp/hoard", &bench.Origin{Body: bench.JSONBody(1 << 10)}, c)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = tg.Serve(ln) }()
	t.Cleanup(func() { _ = tg.Close() })
	res, err := bench.Load(context.Background(), bench.LoadOptions{
		URL: "http://" + ln.Addr().String() + bench.Path, Connections: 4, Duration: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 || res.P99 <= 0 || res.P99 < res.P50 {
		t.Errorf("load: %+v", res)
	}
	if _, err := bench.Load(context.Background(), bench.LoadOptions{URL: "http://192.0.2.1/"}); err == nil {
		t.Error("load of a host other than 127.0.0.1: no error")
	}
}

// TestMemoryBound is the memory bound at a small scale: the store keeps
// recent entries and the figures are filled in. (The RSS target is checked
// by cmd/membound in a process of its own: this process's RSS is shared.)
func TestMemoryBound(t *testing.T) {
	const limit = 2 << 20
	res, err := bench.MemoryBound(bench.MemoryOptions{Limit: limit, Factor: 4, Size: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written != 4*limit || res.Requests != 4*limit/(4<<10) {
		t.Errorf("wrote %d bytes in %d requests", res.Written, res.Requests)
	}
	if !res.LastHit {
		t.Error("the last response written is not served from the cache")
	}
	if res.PeakHeap == 0 || res.RetainedHeap == 0 {
		t.Errorf("no heap figures: %+v", res)
	}
}
