package hoarddynamo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/hoard-go/hoard/core/testserver"
)

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
	var (
		mu     sync.Mutex
		client *dynamodb.Client
	)
	start := time.Now()
	defer func() { tb.Logf("DynamoDB Local ready in %v", time.Since(start).Round(time.Millisecond)) }()
	testserver.DynamoDBLocal(tb, testserver.DynamoDBLocalOptions{
		QuickStart: quickStart,
		// Ready once it answers a real request, not just accepts
		// connections.
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
