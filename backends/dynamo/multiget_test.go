package hoarddynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
)

// testGetMulti checks what GetMulti asks DynamoDB for: each item and each
// generation item once, in one BatchGetItem for up to 100 distinct items
// and in parallel requests of 100 beyond, with the configured consistency;
// and that it reads the keys only DynamoDB takes (no namespace, longer
// than hoard.MaxKeyLen) and expired items (its clock) as Get does. The
// keys every backend takes (empty values, cleared namespaces, tag state
// keys, duplicates, 300 keys) are the conformance suite's MultiGet, run
// with either consistency.
func testGetMulti(t *testing.T, l *local) {
	for _, eventual := range []bool{false, true} {
		t.Run(fmt.Sprint("EventuallyConsistentReads=", eventual), func(t *testing.T) {
			clock := newFakeClock()
			rc := &requestLog{Client: l.client}
			s, err := NewFromClient(rc, Options{Table: l.table, Now: clock.Now, EventuallyConsistentReads: eventual})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			p := "t" + randomID()
			k := func(ns, id string) string { return hoard.JoinKey(p, ns, id) }
			plain := "plain-" + randomID()
			keys := []backendtest.MultiGetCase{
				{Key: k("users", "1"), Hit: true},
				{Key: k("users", "absent"), Hit: false},
				{Key: plain, Hit: true},
				{Key: "plain-absent-" + randomID(), Hit: false},
				{Key: k("users", "expired"), Hit: false},
				{Key: k("users", strings.Repeat("long", 200)), Hit: true},
				{Key: k("orders", "1"), Hit: true},
				{Key: k("users", "1"), Hit: true},
				{Key: k("users", "absent"), Hit: false},
			}
			for _, c := range keys {
				switch {
				case strings.HasSuffix(c.Key, ":expired"):
					mustSet(t, s, c.Key, []byte("v"), time.Minute)
				case c.Hit:
					mustSet(t, s, c.Key, []byte("value of "+c.Key), time.Hour)
				}
			}
			clock.Advance(2 * time.Minute)

			list := make([]string, len(keys))
			for i, c := range keys {
				list[i] = c.Key
			}
			rc.take()
			got, err := s.GetMulti(ctx, list)
			if err != nil {
				t.Fatal(err)
			}
			reqs := rc.take()
			if len(reqs) != 1 {
				t.Fatalf("GetMulti of %d keys made %d BatchGetItems, want 1", len(list), len(reqs))
			}
			// Each item and each generation item once: 7 distinct items,
			// 5 of them in 2 namespaces, and 2 generation items.
			if ka := reqs[0].RequestItems[l.table]; len(ka.Keys) != 9 || ka.ConsistentRead == nil || *ka.ConsistentRead == eventual {
				t.Errorf("BatchGetItem asked for %d keys, ConsistentRead %v; want 9, %v", len(ka.Keys), ka.ConsistentRead, !eventual)
			}
			backendtest.CheckMultiGet(t, s, keys, got)

			// More distinct items than one BatchGetItem may ask for.
			var many []string
			for i := range 250 {
				key := k(fmt.Sprint("many", i%3), fmt.Sprint(i))
				many = append(many, key)
				if i%4 != 0 {
					mustSet(t, s, key, []byte(fmt.Sprint("v", i)), time.Hour)
				}
			}
			rc.take()
			got, err = s.GetMulti(ctx, many)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range got {
				if want := fmt.Sprint("v", i); (i%4 == 0 && v != nil) || (i%4 != 0 && string(v) != want) {
					t.Errorf("many key %d: %q", i, v)
				}
			}
			total := 0
			for _, r := range rc.take() {
				n := len(r.RequestItems[l.table].Keys)
				if n > maxBatchKeys {
					t.Errorf("a BatchGetItem of %d keys", n)
				}
				total += n
			}
			if total != 253 {
				t.Errorf("asked for %d keys in all, want 250 items and 3 generations", total)
			}
		})
	}
}

// testGetMultiErrors: what fails Get fails GetMulti, and an empty call
// does nothing.
func testGetMultiErrors(t *testing.T, l *local) {
	rc := &requestLog{Client: l.client}
	s, err := NewFromClient(rc, Options{Table: l.table})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	good := key(t, "ns", "k")
	if got, err := s.GetMulti(ctx, nil); err != nil || got == nil || len(got) != 0 || len(rc.take()) != 0 {
		t.Errorf("GetMulti(nil) = %v, %v; want an empty slice and no request", got, err)
	}
	if _, err := s.GetMulti(ctx, []string{good, "has space"}); !errors.Is(err, hoard.ErrInvalidKey) {
		t.Errorf("GetMulti with an invalid key: %v, want ErrInvalidKey", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.GetMulti(cctx, []string{good}); !errors.Is(err, context.Canceled) {
		t.Errorf("GetMulti with a cancelled context: %v, want context.Canceled", err)
	}

	// A corrupt item fails the read, as it fails Get.
	bad := key(t, "ns", "corrupt")
	_, err = l.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &l.table, Item: map[string]types.AttributeValue{
		DefaultKeyAttribute:   &types.AttributeValueMemberS{Value: bad},
		DefaultValueAttribute: &types.AttributeValueMemberS{Value: "not binary"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, getErr := s.Get(ctx, bad)
	if _, err := s.GetMulti(ctx, []string{good, bad}); !errors.Is(err, hoard.ErrCorrupt) || !errors.Is(getErr, hoard.ErrCorrupt) {
		t.Errorf("GetMulti with a corrupt item: %v (Get: %v), want ErrCorrupt from both", err, getErr)
	}

	// A missing table is a failure, not a miss, for small and large calls.
	missing := l.store(t, Options{Table: "no-such-table-" + randomID()})
	for _, n := range []int{1, 150} {
		var keys []string
		for i := range n {
			keys = append(keys, key(t, "ns", fmt.Sprint(i)))
		}
		_, err := missing.GetMulti(ctx, keys)
		var notFound *types.ResourceNotFoundException
		if !errors.As(err, &notFound) || errors.Is(err, hoard.ErrNotFound) {
			t.Errorf("GetMulti of %d keys on a missing table: %v, want a ResourceNotFoundException that is not a miss", n, err)
		}
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, keys := range [][]string{{good}, nil} {
		if _, err := s.GetMulti(ctx, keys); !errors.Is(err, hoard.ErrClosed) {
			t.Errorf("GetMulti of %d keys after Close: %v, want ErrClosed", len(keys), err)
		}
	}
}

// testGetMultiUnprocessed: keys DynamoDB leaves unprocessed are asked for
// again until answered; a table that never answers is ErrUnprocessed, and
// a context that ends while waiting stops the retries.
func testGetMultiUnprocessed(t *testing.T, l *local) {
	ctx := t.Context()
	writer := l.store(t, Options{})
	var keys []string
	for i := range 10 {
		k := key(t, "ns", fmt.Sprint(i))
		keys = append(keys, k)
		mustSet(t, writer, k, []byte(fmt.Sprint("v", i)), time.Minute)
	}

	t.Run("Partial", func(t *testing.T) {
		tc := &throttlingClient{Client: l.client, table: l.table, holdBack: 1}
		s, err := NewFromClient(tc, Options{Table: l.table})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.GetMulti(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if string(v) != fmt.Sprint("v", i) {
				t.Errorf("key %d: %q", i, v)
			}
		}
		if tc.calls != 2 {
			t.Errorf("%d BatchGetItems, want 2: the unprocessed half asked for again", tc.calls)
		}
	})
	t.Run("Throttled", func(t *testing.T) {
		tc := &throttlingClient{Client: l.client, table: l.table, holdBack: -1}
		s, err := NewFromClient(tc, Options{Table: l.table})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetMulti(ctx, keys); !errors.Is(err, ErrUnprocessed) {
			t.Errorf("GetMulti on a throttled table: %v, want ErrUnprocessed", err)
		}
		if tc.calls != maxUnprocessedRetries+1 {
			t.Errorf("%d BatchGetItems, want %d", tc.calls, maxUnprocessedRetries+1)
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
		defer cancel()
		if _, err := s.GetMulti(cctx, keys); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("GetMulti on a throttled table past its deadline: %v, want DeadlineExceeded", err)
		}
	})
}

// requestLog passes calls to a real client and keeps each BatchGetItem
// request.
type requestLog struct {
	Client
	mu   sync.Mutex
	reqs []*dynamodb.BatchGetItemInput
}

func (c *requestLog) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.mu.Lock()
	c.reqs = append(c.reqs, in)
	c.mu.Unlock()
	return c.Client.BatchGetItem(ctx, in, optFns...)
}

func (c *requestLog) take() []*dynamodb.BatchGetItemInput {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.reqs
	c.reqs = nil
	return r
}

// throttlingClient leaves keys unprocessed as a throttled table does:
// holdBack 1 leaves the second half of the first request's keys, -1 every
// key of every request.
type throttlingClient struct {
	Client
	table    string
	holdBack int
	calls    int
}

func (c *throttlingClient) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	c.calls++
	ka := in.RequestItems[c.table]
	switch {
	case c.holdBack < 0:
		return &dynamodb.BatchGetItemOutput{UnprocessedKeys: in.RequestItems}, nil
	case c.calls == 1:
		half := len(ka.Keys) / 2
		first := ka
		first.Keys = ka.Keys[:half]
		out, err := c.Client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.table: first}}, optFns...)
		if err != nil {
			return nil, err
		}
		rest := ka
		rest.Keys = ka.Keys[half:]
		out.UnprocessedKeys = map[string]types.KeysAndAttributes{c.table: rest}
		return out, nil
	}
	return c.Client.BatchGetItem(ctx, in, optFns...)
}
