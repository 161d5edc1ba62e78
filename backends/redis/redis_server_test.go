package hoardredis_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/testserver"
	"github.com/redis/go-redis/v9"
)

// startCluster builds a 3-master Redis Cluster (no replicas) and returns the
// nodes' addresses once every node reports cluster_state:ok.
func startCluster(t testing.TB) []string {
	t.Helper()
	cli := testserver.Binary(t, "redis-cli")
	addrs := make([]string, 3)
	for i := range addrs {
		// The cluster bus defaults to port+10000, which may not exist for a
		// high free port: give it its own.
		bus := testserver.FreePort(t)
		s := testserver.Redis(t, "--cluster-enabled", "yes", "--cluster-config-file", "{dir}/nodes.conf",
			"--cluster-port", strconv.Itoa(bus), "--cluster-node-timeout", "5000")
		addrs[i] = s.Addr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3") {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("cluster node %s not ready: %v\n%s", addr, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		_ = c.Close()
	}
	return addrs
}

// startSentinel starts a Sentinel monitoring the master at masterAddr under
// the name "mymaster" and returns the Sentinel's address.
func startSentinel(t testing.TB, masterAddr string) string {
	t.Helper()
	bin := testserver.Binary(t, "redis-server")
	host, port, _ := net.SplitHostPort(masterAddr)
	dir := t.TempDir()
	conf := fmt.Sprintf("bind 127.0.0.1\nsentinel monitor mymaster %s %s 1\nsentinel down-after-milliseconds mymaster 5000\n", host, port)
	// Sentinel rewrites its configuration file, so it must be its own.
	if err := os.WriteFile(dir+"/sentinel.conf", []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	s := testserver.Start(t, testserver.Config{
		Name: "redis-sentinel", Command: bin, Dir: dir, Ready: testserver.RedisReady,
		Args: []string{"{dir}/sentinel.conf", "--sentinel", "--port", "{port}"},
	})
	return s.Addr
}
