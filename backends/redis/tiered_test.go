package hoardredis_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/testserver"
	"github.com/hoard-go/hoard/core/tiered"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// Two processes, each with its own Cache over a tiered.Store on one Redis
// (standalone, then a 3-node Cluster): what one changes, the other stops
// serving from its local tier, and how long that takes.

const (
	tierChildEnv = "HOARD_TIER_CHILD" // the Redis addresses, for the child process
	tierPrefix   = "two"
	tierChannel  = "hoard-test:invalidations"
)

// tierCache builds a process's side: a Store on addrs, a Bus on its
// client, a tier with a minute's MaxAge (so only invalidations can make
// a copy go), a Cache. onMessage sees every message the bus delivers.
func tierCache(ctx context.Context, addrs []string, onMessage func(tiered.Message)) (*hoard.Cache, *tiered.Store, error) {
	store, err := hoardredis.New(ctx, hoardredis.Options{Addrs: addrs})
	if err != nil {
		return nil, nil, err
	}
	bus, err := store.Bus(tierChannel)
	if err != nil {
		return nil, nil, err
	}
	tier, err := tiered.New(ctx, tiered.Options{Remote: store, Bus: watchedBus{bus, onMessage}, MaxAge: time.Minute})
	if err != nil {
		return nil, nil, err
	}
	for deadline := time.Now().Add(10 * time.Second); !tier.Stats().BusUp; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return nil, nil, errors.New("the bus did not come up")
		}
	}
	c, err := hoard.New(tier, hoard.WithPrefix(tierPrefix), hoard.WithTimeout(5*time.Second))
	return c, tier, err
}

// watchedBus lets a process see what its bus delivers, once the store
// has applied it: a report read before then would race the next command.
type watchedBus struct {
	tiered.Bus
	on func(tiered.Message)
}

func (b watchedBus) Run(ctx context.Context, deliver func(tiered.Message), up func(bool)) {
	b.Bus.Run(ctx, func(m tiered.Message) {
		deliver(m)
		if b.on != nil {
			b.on(m)
		}
	}, up)
}

// tierChild is the other process: it answers commands on stdin ("get ns
// id", "rem id", "stats") and reports every invalidation it receives as
// "inv <key> <unix ns>" or "ns <namespace> <unix ns>".
func tierChild(addrs string) int {
	ctx := context.Background()
	out := make(chan string, 4096)
	c, tier, err := tierCache(ctx, strings.Split(addrs, ","), func(m tiered.Message) {
		now := time.Now().UnixNano()
		for _, k := range m.Keys {
			out <- fmt.Sprintf("inv %s %d", k, now)
		}
		for _, ns := range m.Namespaces {
			out <- fmt.Sprintf("ns %s %d", ns, now)
		}
	})
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	defer c.Close()
	go func() {
		for l := range out {
			fmt.Println(l)
		}
	}()
	out <- "ready"
	var loads atomic.Int64
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch f[0] {
		case "get":
			v, err := hoard.GetValue[string](ctx, c.Namespace(f[1]), f[2])
			if errors.Is(err, hoard.ErrNotFound) {
				out <- "miss"
			} else {
				out <- "val " + v
			}
		case "rem":
			v, _ := hoard.Remember(ctx, c, f[1], time.Hour, func(context.Context) (string, error) {
				return fmt.Sprint("load", loads.Add(1)), nil
			}, hoard.Tags("t"))
			out <- "val " + v
		case "stats":
			st := tier.Stats()
			out <- fmt.Sprintf("stats %d %d", st.LocalHits, st.RemoteReads)
		case "quit":
			return 0
		}
	}
	return 0
}

// child is the parent's handle on the other process.
type child struct {
	t     *testing.T
	stdin io.Writer
	lines chan string
}

func startChild(t *testing.T, addrs []string) *child {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), tierChildEnv+"="+strings.Join(addrs, ","))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = io.WriteString(stdin, "quit\n")
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	c := &child{t: t, stdin: stdin, lines: make(chan string, 4096)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	c.expect("ready")
	return c
}

// next returns the next line that starts with prefix, within 10s, skipping
// others (invalidations of keys the test is not waiting for).
func (c *child) next(prefix string) string {
	c.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case l, ok := <-c.lines:
			if !ok {
				c.t.Fatalf("the child ended, waiting for %q", prefix)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
			if strings.HasPrefix(l, "error") {
				c.t.Fatalf("child: %s", l)
			}
		case <-timeout:
			c.t.Fatalf("no %q from the child within 10s", prefix)
		}
	}
}

func (c *child) expect(line string) {
	c.t.Helper()
	if got := c.next(line); got != line {
		c.t.Fatalf("child said %q, want %q", got, line)
	}
}

// ask sends a command and returns its answer ("val ..." or "miss").
func (c *child) ask(cmd string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.stdin, cmd+"\n"); err != nil {
		c.t.Fatal(err)
	}
	for {
		l := c.next("")
		if strings.HasPrefix(l, "val ") || l == "miss" || strings.HasPrefix(l, "stats ") {
			return l
		}
	}
}

// invalidated waits for the child to receive an invalidation of key and
// returns when it did.
func (c *child) invalidated(kind, key string) time.Time {
	c.t.Helper()
	l := c.next(kind + " " + key + " ")
	ns, _ := strconv.ParseInt(l[strings.LastIndexByte(l, ' ')+1:], 10, 64)
	return time.Unix(0, ns)
}

func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process and Redis servers")
	}
	for _, topo := range []struct {
		name  string
		addrs func(t *testing.T) []string
	}{
		{"Standalone", func(t *testing.T) []string { return []string{testserver.Redis(t).Addr} }},
		{"Cluster", func(t *testing.T) []string { return startCluster(t) }},
	} {
		t.Run(topo.name, func(t *testing.T) { runTwoProcesses(t, topo.addrs(t)) })
	}
}

func runTwoProcesses(t *testing.T, addrs []string) {
	ctx := t.Context()
	c, _, err := tierCache(ctx, addrs, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	other := startChild(t, addrs)
	key := func(ns, id string) string { return hoard.JoinKey(tierPrefix, ns, id) }
	n := c.Namespace("n")
	set := func(id, v string) {
		t.Helper()
		if err := hoard.SetValue(ctx, n, id, v, time.Hour); err != nil {
			t.Fatal(err)
		}
	}

	// A write: the other process read v1 (so holds it locally), then sees v2.
	set("k", "v1")
	if got := other.ask("get n k"); got != "val v1" {
		t.Fatalf("the other process reads %q, want v1", got)
	}
	if got := other.ask("stats"); got == "" {
		t.Fatal("no stats")
	}
	set("k", "v2")
	other.invalidated("inv", key("n", "k"))
	if got := other.ask("get n k"); got != "val v2" {
		t.Fatalf("after a write: %q, want v2", got)
	}
	// A delete.
	if err := n.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	other.invalidated("inv", key("n", "k"))
	if got := other.ask("get n k"); got != "miss" {
		t.Fatalf("after a delete: %q, want a miss", got)
	}
	// A namespace clear.
	set("k2", "x")
	if got := other.ask("get n k2"); got != "val x" {
		t.Fatalf("k2: %q", got)
	}
	if err := n.Clear(ctx); err != nil {
		t.Fatal(err)
	}
	other.invalidated("ns", tierPrefix+":n")
	if got := other.ask("get n k2"); got != "miss" {
		t.Fatalf("after a clear: %q, want a miss", got)
	}
	// A tag invalidation of a function result the other process holds.
	if got := other.ask("rem r"); got != "val load1" {
		t.Fatalf("rem: %q", got)
	}
	if got := other.ask("rem r"); got != "val load1" {
		t.Fatalf("rem again: %q, want the stored load1", got)
	}
	if err := c.InvalidateTags(ctx, []string{"t"}); err != nil {
		t.Fatal(err)
	}
	other.invalidated("inv", hoard.JoinKey(tierPrefix, "_tags", "*/t"))
	if got := other.ask("rem r"); got != "val load2" {
		t.Fatalf("after a tag invalidation: %q, want a new load", got)
	}

	// The delay from a write's start to the other process receiving its
	// invalidation, over 1,000 writes.
	const writes = 1000
	delays := make([]time.Duration, 0, writes)
	for i := range writes {
		id := fmt.Sprint("d", i)
		start := time.Now()
		set(id, "v")
		delays = append(delays, other.invalidated("inv", key("n", id)).Sub(start))
	}
	slices.Sort(delays)
	p50, p99 := delays[writes/2], delays[writes*99/100]
	t.Logf("invalidation delay over %d writes: p50 %v, p99 %v, max %v", writes, p50, p99, delays[writes-1])
	fmt.Printf("TIER %s invalidation_p50_us %.0f p99_us %.0f max_us %.0f\n", t.Name(), us(p50), us(p99), us(delays[writes-1]))
	if p99 > time.Second {
		t.Errorf("p99 %v: invalidations take more than a second", p99)
	}
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
