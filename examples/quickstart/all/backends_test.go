//go:build unix

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/testserver"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
	"github.com/hoard-go/hoard/examples/quickstart/internal/demotest"
)

// TestQuickstartBackends opens each backend from its URL, as -backend
// does, against a server the test starts on 127.0.0.1, and runs the demo's
// checks on it (net/http adapter). For DynamoDB the table does not exist
// beforehand: opening creates it, and opening again finds it ready.
func TestQuickstartBackends(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"redis", func(t *testing.T) string { return "redis://" + testserver.Redis(t).Addr + "/3" }},
		{"memcache", func(t *testing.T) string {
			return "memcache://" + testserver.Memcached(t).Addr + "," + testserver.Memcached(t).Addr
		}},
		{"dynamodb", func(t *testing.T) string {
			return "dynamodb://quickstart-test?region=eu-west-1&endpoint=" + "http://" + testserver.DynamoDBLocal(t, testserver.DynamoDBLocalOptions{QuickStart: true}).Addr
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := tt.url(t)
			b, err := demo.ParseBackendURL(raw)
			if err != nil {
				t.Fatal(err)
			}
			open := func() hoard.Backend {
				t.Helper()
				// Generous: DynamoDB Local's first requests are slow.
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				backend, err := openBackend(ctx, b)
				if err != nil {
					t.Fatalf("openBackend(%s): %v", raw, err)
				}
				return backend
			}
			if b.Kind == demo.KindDynamo {
				if err := demo.CloseBackend(open()); err != nil { // creates the table
					t.Fatal(err)
				}
			}
			// A slow first request must not turn a store into a miss.
			demotest.Check(t, demotest.Start(t, demo.NewStdlibServer, open(), hoard.WithTimeout(5*time.Second)))
		})
	}
}

// The start-up check names the server that does not answer.
func TestOpenBackendUnreachable(t *testing.T) {
	tests := []struct{ url, want string }{
		{"redis://127.0.0.1:1/0", "cannot reach redis at 127.0.0.1:1"},
		{"memcache://127.0.0.1:1", "cannot reach memcached at 127.0.0.1:1"},
		{"dynamodb://hoard?endpoint=http://127.0.0.1:1", "cannot reach DynamoDB at http://127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			b, err := demo.ParseBackendURL(tt.url)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
			defer cancel()
			backend, err := openBackend(ctx, b)
			if err == nil {
				_ = demo.CloseBackend(backend)
				t.Fatalf("openBackend(%s) succeeded", tt.url)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("openBackend(%s) = %v, want %q", tt.url, err, tt.want)
			}
		})
	}
}
