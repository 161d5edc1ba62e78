package chaos_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoard-go/hoard/core/testserver"
)

// buildServer builds cmd/chaosserver into dir: the chaos runs drive a real
// program, not a handler inside the test binary.
func buildServer(t *testing.T, dir string) string {
	t.Helper()
	goBin := testserver.Binary(t, "go", "/usr/local/go/bin")
	bin := filepath.Join(dir, "chaosserver")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/chaosserver")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/chaosserver: %v\n%s", err, out)
	}
	return bin
}

// startServer runs the chaos server with args on a free port and returns it
// and its base URL.
func startServer(t *testing.T, bin, name string, args ...string) (*testserver.Server, string) {
	t.Helper()
	args = append([]string{"-listen", "127.0.0.1:{port}"}, args...)
	s := testserver.Start(t, testserver.Config{
		Name: name, Command: bin, Args: args, ReadyTimeout: 3 * time.Minute,
		Ready: func(ctx context.Context, addr string) error {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
			if err != nil {
				return err
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET /healthz: %s", resp.Status)
			}
			return nil
		},
	})
	return s, "http://" + s.Addr
}

// startDynamoDBLocal starts DynamoDB Local with its data in a file (not
// -inMemory), so a kill and restart keeps the table, as an outage of the
// real service would. It listens on every interface (it has no option for
// loopback only); only 127.0.0.1 is ever dialled.
func startDynamoDBLocal(t *testing.T) *testserver.Server {
	t.Helper()
	java := testserver.Binary(t, "java")
	dir := testserver.DynamoDBLocalDir(t)
	return testserver.Start(t, testserver.Config{
		Name:    "dynamodb-local",
		Command: java,
		Dir:     memoryDir(t),
		Args: []string{
			"-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
			"-Djava.library.path=" + filepath.Join(dir, "DynamoDBLocal_lib"),
			"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
			"-dbPath", "{dir}", "-sharedDb", "-disableTelemetry", "-port", "{port}",
		},
		ReadyTimeout: 3 * time.Minute, // a JVM on a loaded machine is slow
		Ready:        dynamoReady,
	})
}

// memoryDir returns a temporary directory in /dev/shm where there is one:
// DynamoDB Local's SQLite file there costs no disk syncs, which would
// otherwise make its writes slower than the operation timeout.
func memoryDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "hoard-chaos-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// dynamoReady reports whether DynamoDB Local answers an HTTP request (any
// status: an unsigned request is refused, but by a server that runs).
func dynamoReady(ctx context.Context, addr string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/", strings.NewReader("{}"))
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}
