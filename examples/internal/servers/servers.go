//go:build unix

// Package servers starts the backends' servers for the examples' tests: a
// throwaway redis-server, memcached or DynamoDB Local on a free 127.0.0.1
// port, stopped when the test ends (see core/testserver). A missing server
// skips the test, or fails it under CI=true.
package servers

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/testserver"
)

// Redis starts redis-server without persistence and returns its address.
func Redis(t testing.TB) string {
	t.Helper()
	bin := testserver.Binary(t, "redis-server")
	return testserver.Start(t, testserver.Config{
		Name: "redis-server", Command: bin,
		Args: []string{"--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"},
	}).Addr
}

// Memcached starts memcached and returns its address.
func Memcached(t testing.TB) string {
	t.Helper()
	bin := testserver.Binary(t, "memcached")
	args := []string{"-l", "127.0.0.1", "-p", "{port}", "-U", "0", "-m", "64"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root") // memcached refuses to run as root otherwise
	}
	return testserver.Start(t, testserver.Config{Name: "memcached", Command: bin, Args: args}).Addr
}

// DynamoDBLocal starts DynamoDB Local in memory and returns its endpoint,
// "http://127.0.0.1:port". The JVM takes seconds to start.
func DynamoDBLocal(t testing.TB) string {
	t.Helper()
	java := testserver.Binary(t, "java")
	dir := dynamoJarDir(t)
	s := testserver.Start(t, testserver.Config{
		Name:    "dynamodb-local",
		Command: java,
		// The first-tier compiler and the serial collector start the JVM
		// several times sooner on a small machine.
		Args: []string{"-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
			"-Djava.library.path=" + filepath.Join(dir, "DynamoDBLocal_lib"),
			"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
			"-inMemory", "-sharedDb", "-disableTelemetry", "-port", "{port}"},
		ReadyTimeout: 3 * time.Minute,
		Ready:        dynamoReady,
	})
	return "http://" + s.Addr
}

// dynamoReady waits for an HTTP answer, not just an open port: DynamoDB
// Local accepts connections before it serves.
func dynamoReady(ctx context.Context, addr string) error {
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

// dynamoJarDir finds DynamoDB Local where scripts/testdeps.sh installs it:
// $HOARD_CACHE_DIR/dynamodb-local, else .cache/dynamodb-local in the
// nearest directory above the working directory that has one.
func dynamoJarDir(t testing.TB) string {
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
	testserver.Missing(t, "%s not found in $HOARD_CACHE_DIR/dynamodb-local or .cache/dynamodb-local (run: scripts/testdeps.sh dynamodb-local)", jar)
	return ""
}
