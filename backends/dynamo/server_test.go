package hoarddynamo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/hoard-go/hoard/core/testserver"
)

// jarDir finds DynamoDB Local as scripts/testdeps.sh installs it:
// $HOARD_CACHE_DIR/dynamodb-local, else .cache/dynamodb-local in the
// nearest directory above the test's that has one.
func jarDir(tb testing.TB) string {
	tb.Helper()
	const jar = "DynamoDBLocal.jar"
	if c := os.Getenv("HOARD_CACHE_DIR"); c != "" {
		d := filepath.Join(c, "dynamodb-local")
		if _, err := os.Stat(filepath.Join(d, jar)); err == nil {
			return d
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		d := filepath.Join(dir, ".cache", "dynamodb-local")
		if _, err := os.Stat(filepath.Join(d, jar)); err == nil {
			return d
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	testserver.Missing(tb, "%s not found in $HOARD_CACHE_DIR/dynamodb-local or .cache/dynamodb-local (run: scripts/testdeps.sh dynamodb-local)", jar)
	return ""
}

// startDynamoDBLocal runs DynamoDB Local in memory for tb's lifetime and
// returns a client for it. It takes seconds to start: start one per test
// binary and share it (every test uses its own table or key prefix).
//
// quickStart runs the JVM with only its first-tier compiler and the serial
// collector: it is ready several times sooner on a busy two-core machine,
// but serves fewer requests per second once warm, so benchmarks turn it off.
//
// The working directory is a temporary one: DynamoDB Local writes a
// metadata file there even with -disableTelemetry, and the jar's class path
// is relative to the jar, not to the working directory.
func startDynamoDBLocal(tb testing.TB, quickStart bool) *dynamodb.Client {
	tb.Helper()
	java := testserver.Binary(tb, "java")
	dir := jarDir(tb)
	var (
		mu     sync.Mutex
		client *dynamodb.Client
	)
	args := []string{"-Xmx512m"}
	if quickStart {
		args = append(args, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
	}
	args = append(args,
		"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-jar", filepath.Join(dir, "DynamoDBLocal.jar"),
		"-inMemory", "-sharedDb", "-disableTelemetry", "-port", "{port}",
	)
	start := time.Now()
	defer func() { tb.Logf("DynamoDB Local ready in %v", time.Since(start).Round(time.Millisecond)) }()
	testserver.Start(tb, testserver.Config{
		Name:         "dynamodb-local",
		Command:      java,
		Args:         args,
		ReadyTimeout: 3 * time.Minute, // a JVM on a loaded machine is slow
		// Ready once it answers a real request, not just accepts
		// connections. (DynamoDB Local has no option to listen on loopback
		// only; the tests only ever dial 127.0.0.1.)
		Ready: func(ctx context.Context, addr string) error {
			c := newLocalClient(addr)
			if _, err := c.ListTables(ctx, &dynamodb.ListTablesInput{}); err != nil {
				return err
			}
			mu.Lock()
			client = c
			mu.Unlock()
			return nil
		},
	})
	mu.Lock()
	defer mu.Unlock()
	return client
}

// newLocalClient returns a client for DynamoDB Local at addr: the endpoint,
// region and dummy credentials are all explicit, so nothing is looked up in
// the environment, shared config files or EC2 instance metadata, and no
// request can reach AWS.
func newLocalClient(addr string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String("http://" + addr),
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "hoard", SecretAccessKey: "hoard", Source: "test"}, nil
		}),
		RetryMaxAttempts: 1,
	})
}

// createTestTable creates a table with a random name for the test.
func createTestTable(tb testing.TB, client *dynamodb.Client) string {
	tb.Helper()
	table := "hoard-" + randomID()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := CreateTable(ctx, client, TableOptions{Table: table}); err != nil {
		tb.Fatalf("CreateTable(%q): %v", table, err)
	}
	return table
}

func randomID() string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// fakeClock is a settable Options.Now shared by a test's stores.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
