package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// StormResult is what one miss storm did.
type StormResult struct {
	// Requests were sent, each on its own connection.
	Requests int
	// OK answered 200 with the whole body.
	OK int
	// Runs is how often the origin handler ran: 1 means the concurrent
	// misses were collapsed into one.
	Runs int64
	// Elapsed is the time from the first request written to the last
	// response read.
	Elapsed time.Duration
	// FirstError is the first failed request's error, if any.
	FirstError error
}

// StormOptions configures [Storm].
type StormOptions struct {
	// Requests is the number of concurrent requests. Default 1000.
	Requests int
	// Delay is how long the origin takes, so the requests overlap while it
	// runs. Default 100ms.
	Delay time.Duration
	// Timeout bounds the whole storm. Default 60s.
	Timeout time.Duration
}

// Storm starts the named target on a free 127.0.0.1 port, opens
// opts.Requests connections, and then sends on every one at once a request
// for the same cold URL. It counts the origin's runs; hoard targets need c
// (an empty cache).
func Storm(ctx context.Context, name string, c *hoard.Cache, opts StormOptions) (StormResult, error) {
	if opts.Requests <= 0 {
		opts.Requests = 1000
	}
	if opts.Delay <= 0 {
		opts.Delay = 100 * time.Millisecond
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	body := JSONBody(1 << 10)
	o := &Origin{Body: body, Delay: opts.Delay, Count: true}
	t, err := Build(name, o, c)
	if err != nil {
		return StormResult{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return StormResult{}, fmt.Errorf("bench: listen: %w", err)
	}
	served := make(chan error, 1)
	go func() { served <- t.Serve(ln) }()
	defer func() {
		_ = t.Close()
		<-served
	}()

	conns, err := dialAll(ctx, ln.Addr().String(), opts.Requests)
	defer func() {
		for _, cn := range conns {
			_ = cn.Close()
		}
	}()
	if err != nil {
		return StormResult{}, err
	}
	if dl, ok := ctx.Deadline(); ok {
		for _, cn := range conns {
			_ = cn.SetDeadline(dl)
		}
	}

	req := []byte("GET " + Path + "?storm=1 HTTP/1.1\r\nHost: storm.example\r\nConnection: close\r\n\r\n")
	res := StormResult{Requests: opts.Requests}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for _, cn := range conns {
		wg.Go(func() {
			<-start
			err := roundTrip(cn, req, len(body))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				res.OK++
			} else if res.FirstError == nil {
				res.FirstError = err
			}
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	res.Elapsed = time.Since(began)
	res.Runs = o.Runs()
	return res, nil
}

// dialAll opens n connections to addr, a few at a time.
func dialAll(ctx context.Context, addr string, n int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	var (
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
		sem   = make(chan struct{}, 64)
	)
	var d net.Dialer
	for i := range conns {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			cn, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				errMu.Lock()
				if first == nil {
					first = fmt.Errorf("bench: dial %s: %w", addr, err)
				}
				errMu.Unlock()
				return
			}
			conns[i] = cn
		})
	}
	wg.Wait()
	if first != nil {
		out := conns[:0]
		for _, cn := range conns {
			if cn != nil {
				out = append(out, cn)
			}
		}
		return out, first
	}
	return conns, nil
}

var errShortBody = errors.New("bench: short body")

// roundTrip writes req on cn and reads one response with a body of want
// bytes.
func roundTrip(cn net.Conn, req []byte, want int) error {
	if _, err := cn.Write(req); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(cn), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: status %d", resp.StatusCode)
	}
	if int(n) != want {
		return fmt.Errorf("%w: %d of %d bytes", errShortBody, n, want)
	}
	return nil
}
