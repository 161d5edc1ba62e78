//go:build unix

package testserver

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Redis starts redis-server without persistence on a free port, with extra
// arguments appended (e.g. "--cluster-enabled", "yes"). It is ready once it
// answers PING.
func Redis(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	bin := Binary(t, "redis-server")
	args := append([]string{"--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, extraArgs...)
	return Start(t, Config{Name: "redis-server", Command: bin, Args: args, Ready: RedisReady})
}

// RedisReady reports whether the server at addr answers PING (a server
// still loading answers -LOADING).
func RedisReady(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Memcached starts memcached with 64 MiB of memory on a free port, with
// extra arguments appended (e.g. "-I", "2m").
func Memcached(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	bin := Binary(t, "memcached")
	args := []string{"-l", "127.0.0.1", "-p", "{port}", "-U", "0", "-m", "64"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root") // memcached refuses to run as root otherwise
	}
	return Start(t, Config{Name: "memcached", Command: bin, Args: append(args, extraArgs...)})
}

// DynamoDBLocalOptions tunes [DynamoDBLocal].
type DynamoDBLocalOptions struct {
	// QuickStart runs the JVM with only its first-tier compiler and the
	// serial collector: ready several times sooner on a small machine, but
	// slower once warm (benchmarks leave it off).
	QuickStart bool
	// Args are added after the defaults (-inMemory -sharedDb).
	Args []string
	// Ready replaces the default check (an HTTP answer on the port).
	Ready func(ctx context.Context, addr string) error
}

// DynamoDBLocal starts AWS DynamoDB Local (the jar scripts/testdeps.sh
// installs) on a free port. It takes seconds to start: share one per test
// binary. DynamoDB Local cannot be told to listen on loopback only; tests
// must only ever dial 127.0.0.1.
func DynamoDBLocal(t testing.TB, opts DynamoDBLocalOptions) *Server {
	t.Helper()
	java := Binary(t, "java")
	dir := DynamoDBLocalDir(t)
	args := []string{"-Xmx512m"}
	if opts.QuickStart {
		args = append(args, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
	}
	// Absolute paths: the working directory is the test's temporary one,
	// where DynamoDB Local writes a metadata file even with
	// -disableTelemetry.
	args = append(args,
		"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
		"-inMemory", "-sharedDb", "-disableTelemetry", "-port", "{port}")
	args = append(args, opts.Args...)
	ready := opts.Ready
	if ready == nil {
		ready = HTTPReady
	}
	return Start(t, Config{Name: "dynamodb-local", Command: java, Args: args, ReadyTimeout: 3 * time.Minute, Ready: ready})
}

// HTTPReady reports whether the server at addr answers an HTTP request:
// some servers accept connections before they serve.
func HTTPReady(ctx context.Context, addr string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return res.Body.Close()
}

// DynamoDBLocalDir finds DynamoDB Local where scripts/testdeps.sh installs
// it: $HOARD_CACHE_DIR/dynamodb-local, else .cache/dynamodb-local in the
// nearest directory above the working directory that has one.
func DynamoDBLocalDir(t testing.TB) string {
	t.Helper()
	const jar = "DynamoDBLocal.jar"
	var dirs []string
	if c := os.Getenv("HOARD_CACHE_DIR"); c != "" {
		dirs = append(dirs, filepath.Join(c, "dynamodb-local"))
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			dirs = append(dirs, filepath.Join(d, ".cache", "dynamodb-local"))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, jar)); err == nil {
			return d
		}
	}
	Missing(t, "%s not found in $HOARD_CACHE_DIR/dynamodb-local or .cache/dynamodb-local (run: scripts/testdeps.sh dynamodb-local)", jar)
	return ""
}
