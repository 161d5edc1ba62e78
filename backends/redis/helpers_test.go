package hoardredis_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// newStore opens a Store with New, closed when the test ends.
func newStore(t testing.TB, opts hoardredis.Options) *hoardredis.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := hoardredis.New(ctx, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// fromClient wraps a client the test owns.
func fromClient(t testing.TB, c hoardredis.Client, opts hoardredis.Options) *hoardredis.Store {
	t.Helper()
	s, err := hoardredis.NewFromClient(c, opts)
	if err != nil {
		t.Fatalf("NewFromClient: %v", err)
	}
	return s
}

// TestMain silences go-redis's logger: Sentinel discovery and the fault
// tests' failed dials would otherwise flood the output.
func TestMain(m *testing.M) {
	redis.SetLogger(discardLogger{})
	if addrs := os.Getenv(tierChildEnv); addrs != "" {
		os.Exit(tierChild(addrs)) // the other process of TestTwoProcesses
	}
	os.Exit(m.Run())
}

type discardLogger struct{}

func (discardLogger) Printf(context.Context, string, ...any) {}
