package hoarddynamo

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	hoard "github.com/hoard-go/hoard/core"
)

// countingClient passes calls to a real client and records which were made.
type countingClient struct {
	Client
	mu    sync.Mutex
	calls []string
}

func (c *countingClient) record(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls = append(c.calls, op)
}

func (c *countingClient) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls := c.calls
	c.calls = nil
	return calls
}

func (c *countingClient) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.record("GetItem")
	return c.Client.GetItem(ctx, in, optFns...)
}

func (c *countingClient) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.record("BatchGetItem")
	return c.Client.BatchGetItem(ctx, in, optFns...)
}

func (c *countingClient) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.record("PutItem")
	return c.Client.PutItem(ctx, in, optFns...)
}

func (c *countingClient) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.record("DeleteItem")
	return c.Client.DeleteItem(ctx, in, optFns...)
}

func (c *countingClient) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.record("UpdateItem")
	return c.Client.UpdateItem(ctx, in, optFns...)
}

// testRoundTrips pins the requests each operation makes: a hit, a miss and
// a clear are one round trip; a Set is one when a read just saw the
// namespace's generation, two otherwise.
func testRoundTrips(t *testing.T, l *local) {
	cc := &countingClient{Client: l.client}
	s, err := NewFromClient(cc, Options{Table: l.table})
	if err != nil {
		t.Fatal(err)
	}
	s.gens.reuse = time.Hour // the steps below must not depend on the machine's speed
	k := key(t, "ns", "k")
	ns, _ := hoard.KeyNamespace(k)
	steps := []struct {
		name string
		do   func()
		want []string
	}{
		{"SetColdGeneration", func() { mustSet(t, s, k, []byte("v"), time.Minute) }, []string{"GetItem", "PutItem"}},
		{"GetHit", func() { wantHit(t, s, k, []byte("v")) }, []string{"BatchGetItem"}},
		{"SetAfterGet", func() { mustSet(t, s, k, []byte("w"), time.Minute) }, []string{"PutItem"}},
		{"Clear", func() {
			if err := s.ClearNamespace(t.Context(), ns); err != nil {
				t.Fatal(err)
			}
		}, []string{"UpdateItem"}},
		{"GetCleared", func() { wantMiss(t, s, k) }, []string{"BatchGetItem"}},
		{"SetAfterClear", func() { mustSet(t, s, k, []byte("x"), time.Minute) }, []string{"PutItem"}},
		{"GetNoNamespace", func() { wantMiss(t, s, "no-namespace-"+randomID()) }, []string{"GetItem"}},
		{"Delete", func() {
			if err := s.Delete(t.Context(), k); err != nil {
				t.Fatal(err)
			}
		}, []string{"DeleteItem"}},
		{"SetStaleMemory", func() {
			s.gens.reuse = -1 // what a read saw is too old to reuse
			mustSet(t, s, k, []byte("y"), time.Minute)
		}, []string{"GetItem", "PutItem"}},
	}
	for _, st := range steps {
		cc.take()
		st.do()
		if got := cc.take(); !slices.Equal(got, st.want) {
			t.Errorf("%s made %v, want %v", st.name, got, st.want)
		}
	}
}
