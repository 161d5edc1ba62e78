package hoardredis_test

import (
	"context"
	"github.com/hoard-go/hoard/core/testserver"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// commandLog is a go-redis hook on node clients that records every command
// and pipeline sent to a server: what actually crosses the network.
type commandLog struct {
	mu        sync.Mutex
	commands  []string   // single commands, by name
	pipelines [][]string // one entry per pipeline sent
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.mu.Lock()
		l.commands = append(l.commands, cmd.Name())
		l.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = c.Name()
		}
		l.mu.Lock()
		l.pipelines = append(l.pipelines, names)
		l.mu.Unlock()
		return next(ctx, cmds)
	}
}

func (l *commandLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.commands, l.pipelines = nil, nil
}

func (l *commandLog) snapshot() ([]string, [][]string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.commands), slices.Clone(l.pipelines)
}

// TestRoundTrips checks what each operation sends: a hit and a miss are
// one MGET, a store one EVALSHA, a delete one UNLINK, a clear one pipeline
// of SETs per node. The hook sits on the node clients, below Cluster routing.
func TestRoundTrips(t *testing.T) {
	topologies := []struct {
		name   string
		client func(t *testing.T, log *commandLog) redis.UniversalClient
		// maxPipelines is how many pipelines a clear may take (one per node).
		maxPipelines int
	}{
		{"Standalone", func(t *testing.T, log *commandLog) redis.UniversalClient {
			c := redis.NewClient(&redis.Options{Addr: testserver.Redis(t).Addr, ContextTimeoutEnabled: true})
			c.AddHook(log)
			return c
		}, 1},
		{"Cluster", func(t *testing.T, log *commandLog) redis.UniversalClient {
			c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: startCluster(t), ContextTimeoutEnabled: true})
			c.OnNewNode(func(node *redis.Client) { node.AddHook(log) })
			return c
		}, 3},
	}
	for _, tc := range topologies {
		t.Run(tc.name, func(t *testing.T) {
			log := &commandLog{}
			client := tc.client(t, log)
			t.Cleanup(func() { _ = client.Close() })
			s := fromClient(t, client, hoardredis.Options{})
			ctx := t.Context()
			key := hoard.JoinKey("rt", "ns", "k")
			// Warm up: connections, and the script on every node (New loads
			// it; NewFromClient leaves it to the first EVALSHA's fallback).
			for i := range 50 {
				k := hoard.JoinKey("rt", "warm", strconv.Itoa(i))
				if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Get(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			// go-redis 9.23 sends pipelines over connections of their own:
			// open those too, so their handshake (HELLO, CLIENT SETINFO) is
			// not counted as the clear's.
			if err := s.ClearNamespace(ctx, "rt:warm"); err != nil {
				t.Fatal(err)
			}
			ops := []struct {
				name string
				op   func() error
				want []string
			}{
				{"Set", func() error { return s.Set(ctx, key, []byte("value"), time.Minute) }, []string{"evalsha"}},
				{"Hit", func() error {
					v, err := s.Get(ctx, key)
					if err == nil && string(v) != "value" {
						t.Errorf("Get = %q", v)
					}
					return err
				}, []string{"mget"}},
				{"Delete", func() error { return s.Delete(ctx, key) }, []string{"unlink"}},
				{"Miss", func() error {
					if _, err := s.Get(ctx, key); err != hoard.ErrNotFound {
						t.Errorf("Get after Delete: %v, want ErrNotFound", err)
					}
					return nil
				}, []string{"mget"}},
			}
			for _, op := range ops {
				log.reset()
				if err := op.op(); err != nil {
					t.Fatalf("%s: %v", op.name, err)
				}
				cmds, pipes := log.snapshot()
				if !slices.Equal(cmds, op.want) || len(pipes) != 0 {
					t.Errorf("%s sent commands %v and pipelines %v; want exactly %v", op.name, cmds, pipes, op.want)
				}
			}

			log.reset()
			if err := s.ClearNamespace(ctx, "rt:ns"); err != nil {
				t.Fatal(err)
			}
			cmds, pipes := log.snapshot()
			sets := 0
			for _, p := range pipes {
				for _, name := range p {
					if name != "set" {
						t.Errorf("clear sent %q in a pipeline", name)
					}
					sets++
				}
			}
			if len(cmds) != 0 || len(pipes) == 0 || len(pipes) > tc.maxPipelines || sets != hoardredis.DefaultNamespaceShards {
				t.Errorf("clear sent commands %v and pipelines %v; want at most %d pipelines of %d SETs in all",
					cmds, pipes, tc.maxPipelines, hoardredis.DefaultNamespaceShards)
			}
		})
	}
}

// TestHitIsOneServerCommand checks the same from the server's side: INFO
// commandstats counts exactly one MGET, and nothing else, for a hit.
func TestHitIsOneServerCommand(t *testing.T) {
	srv := testserver.Redis(t)
	s := newStore(t, hoardredis.Options{Addrs: []string{srv.Addr}})
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = admin.Close() })
	ctx := t.Context()
	key := hoard.JoinKey("rt", "ns", "k")
	if err := s.Set(ctx, key, []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	before := commandStats(t, admin)
	if _, err := s.Get(ctx, key); err != nil {
		t.Fatal(err)
	}
	after := commandStats(t, admin)
	if got := after["mget"] - before["mget"]; got != 1 {
		t.Errorf("a hit ran MGET %d times, want 1", got)
	}
	// Apart from INFO itself, nothing else reached the server.
	for cmd, n := range after {
		if n != before[cmd] && cmd != "mget" && cmd != "info" {
			t.Errorf("a hit also ran %s", cmd)
		}
	}
}

var cmdstatRE = regexp.MustCompile(`(?m)^cmdstat_([a-z_|]+):calls=(\d+)`)

// commandStats returns the calls per command from INFO commandstats.
func commandStats(t *testing.T, c *redis.Client) map[string]int {
	t.Helper()
	info, err := c.Info(t.Context(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	stats := map[string]int{}
	for _, m := range cmdstatRE.FindAllStringSubmatch(info, -1) {
		n, _ := strconv.Atoi(m[2])
		stats[strings.ReplaceAll(m[1], "|", " ")] = n
	}
	return stats
}

// TestScriptCacheLost checks that a store still works after the server
// forgot its scripts (restart, failover, SCRIPT FLUSH): one EVALSHA that
// fails, one EVAL, and single EVALSHAs again after that.
func TestScriptCacheLost(t *testing.T) {
	log := &commandLog{}
	srv := testserver.Redis(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr, ContextTimeoutEnabled: true})
	client.AddHook(log)
	t.Cleanup(func() { _ = client.Close() })
	s := fromClient(t, client, hoardredis.Options{})
	ctx := t.Context()
	key := hoard.JoinKey("rt", "ns", "k")
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]string{{"evalsha", "eval"}, {"evalsha"}} {
		log.reset()
		if err := s.Set(ctx, key, []byte("v"), time.Minute); err != nil {
			t.Fatalf("Set %d: %v", i, err)
		}
		if cmds, _ := log.snapshot(); !slices.Equal(cmds, want) {
			t.Errorf("Set %d sent %v, want %v", i, cmds, want)
		}
	}
	if v, err := s.Get(ctx, key); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v", v, err)
	}
}
