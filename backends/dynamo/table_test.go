package hoarddynamo

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

// recordingClient passes calls to a real client and records their names.
type recordingClient struct {
	TableClient
	mu    sync.Mutex
	calls []string
}

func (r *recordingClient) record(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, op)
}

func (r *recordingClient) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

func (r *recordingClient) CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error) {
	r.record("CreateTable")
	return r.TableClient.CreateTable(ctx, in, optFns...)
}

func (r *recordingClient) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	r.record("DescribeTable")
	return r.TableClient.DescribeTable(ctx, in, optFns...)
}

func (r *recordingClient) DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error) {
	r.record("DescribeTimeToLive")
	return r.TableClient.DescribeTimeToLive(ctx, in, optFns...)
}

func (r *recordingClient) UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error) {
	r.record("UpdateTimeToLive")
	return r.TableClient.UpdateTimeToLive(ctx, in, optFns...)
}

func testCreateTable(t *testing.T, l *local) {
	tests := []struct {
		name string
		opts TableOptions
	}{
		{"Defaults", TableOptions{}},
		{"CustomAttributes", TableOptions{KeyAttribute: "id", ExpiryAttribute: "expires_at", PollInterval: 10 * time.Millisecond, MaxPollInterval: 50 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := &recordingClient{TableClient: l.client}
			opts := tc.opts
			opts.Table = "create-" + randomID()
			wantKey, wantTTL := cmp.Or(opts.KeyAttribute, DefaultKeyAttribute), cmp.Or(opts.ExpiryAttribute, DefaultExpiryAttribute)

			start := time.Now()
			if err := CreateTable(t.Context(), rc, opts); err != nil {
				t.Fatalf("CreateTable: %v", err)
			}
			t.Logf("created in %v with %v", time.Since(start), rc.take())

			desc, err := l.client.DescribeTable(t.Context(), &dynamodb.DescribeTableInput{TableName: &opts.Table})
			if err != nil {
				t.Fatal(err)
			}
			tbl := desc.Table
			if tbl.TableStatus != types.TableStatusActive {
				t.Errorf("status %s, want ACTIVE", tbl.TableStatus)
			}
			if tbl.BillingModeSummary == nil || tbl.BillingModeSummary.BillingMode != types.BillingModePayPerRequest {
				t.Errorf("billing %+v, want PAY_PER_REQUEST", tbl.BillingModeSummary)
			}
			if len(tbl.KeySchema) != 1 || aws.ToString(tbl.KeySchema[0].AttributeName) != wantKey || tbl.KeySchema[0].KeyType != types.KeyTypeHash {
				t.Errorf("key schema %+v, want HASH %q only", tbl.KeySchema, wantKey)
			}
			ttl, err := l.client.DescribeTimeToLive(t.Context(), &dynamodb.DescribeTimeToLiveInput{TableName: &opts.Table})
			if err != nil {
				t.Fatal(err)
			}
			if d := ttl.TimeToLiveDescription; d == nil || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != wantTTL {
				t.Errorf("TTL %+v, want ENABLED on %q", d, wantTTL)
			}

			// A second call only reads.
			if err := CreateTable(t.Context(), rc, opts); err != nil {
				t.Fatalf("second CreateTable: %v", err)
			}
			if calls, want := rc.take(), []string{"DescribeTable", "DescribeTimeToLive"}; !slices.Equal(calls, want) {
				t.Errorf("second CreateTable made calls %v, want %v", calls, want)
			}

			// And the table works with matching Options.
			s, err := NewFromClient(l.client, Options{Table: opts.Table, KeyAttribute: wantKey, ExpiryAttribute: wantTTL})
			if err != nil {
				t.Fatal(err)
			}
			k := key(t, "ns", "k")
			mustSet(t, s, k, []byte("v"), time.Minute)
			wantHit(t, s, k, []byte("v"))
		})
	}
}

func testCreateTableMismatch(t *testing.T, l *local) {
	existing := "mismatch-" + randomID()
	if err := CreateTable(t.Context(), l.client, TableOptions{Table: existing}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts TableOptions
		want error
	}{
		{"OtherKey", TableOptions{Table: existing, KeyAttribute: "id"}, ErrTableSchema},
		{"OtherTTLAttribute", TableOptions{Table: existing, ExpiryAttribute: "expires"}, ErrTableSchema},
		{"NoTable", TableOptions{}, hoard.ErrInvalidOption},
		{"SameAttribute", TableOptions{Table: existing, KeyAttribute: "a", ExpiryAttribute: "a"}, hoard.ErrInvalidOption},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := CreateTable(t.Context(), l.client, tc.opts); !errors.Is(err, tc.want) {
				t.Fatalf("CreateTable: %v, want %v", err, tc.want)
			}
		})
	}
	if err := CreateTable(t.Context(), nil, TableOptions{Table: existing}); !errors.Is(err, hoard.ErrInvalidOption) {
		t.Errorf("CreateTable with a nil client: %v, want ErrInvalidOption", err)
	}
}
