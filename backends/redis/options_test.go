package hoardredis_test

import (
	"errors"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"

	hoardredis "github.com/hoard-go/hoard/backends/redis"
)

// TestInvalidOptions checks that New rejects bad options before any I/O
// (nothing listens on the addresses used).
func TestInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opts hoardredis.Options
	}{
		{"AddrsAndURL", hoardredis.Options{Addrs: []string{"127.0.0.1:1"}, URL: "redis://127.0.0.1:1"}},
		{"BadURLScheme", hoardredis.Options{URL: "http://127.0.0.1:1"}},
		{"BadClusterURL", hoardredis.Options{URL: "ftp://x", ClusterMode: true}},
		{"NegativeDialTimeout", hoardredis.Options{DialTimeout: -time.Second}},
		{"NegativeReadTimeout", hoardredis.Options{ReadTimeout: -1}},
		{"NegativeWriteTimeout", hoardredis.Options{WriteTimeout: -1}},
		{"NegativePoolSize", hoardredis.Options{PoolSize: -1}},
		{"NegativeRetries", hoardredis.Options{MaxRetries: -1}},
		{"DBOnCluster", hoardredis.Options{Addrs: []string{"127.0.0.1:1", "127.0.0.1:2"}, DB: 1}},
		{"KeyPrefixWithBrace", hoardredis.Options{KeyPrefix: "{app}"}},
		{"NegativeShards", hoardredis.Options{NamespaceShards: -1}},
		{"TooManyShards", hoardredis.Options{NamespaceShards: 1025}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := hoardredis.New(t.Context(), tc.opts)
			if err == nil {
				_ = s.Close()
			}
			if !errors.Is(err, hoard.ErrInvalidOption) {
				t.Fatalf("New: %v, want ErrInvalidOption", err)
			}
		})
	}
}

func TestNewFromClientOptions(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	t.Cleanup(func() { _ = client.Close() })
	if _, err := hoardredis.NewFromClient(nil, hoardredis.Options{}); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("NewFromClient(nil): %v, want ErrInvalidOption", err)
	}
	if _, err := hoardredis.NewFromClient(client, hoardredis.Options{KeyPrefix: "a}"}); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("NewFromClient with a bad KeyPrefix: %v, want ErrInvalidOption", err)
	}
	// Connection fields are ignored, not rejected.
	if _, err := hoardredis.NewFromClient(client, hoardredis.Options{Addrs: []string{"x"}, URL: "y"}); err != nil {
		t.Errorf("NewFromClient with connection fields: %v", err)
	}
}
