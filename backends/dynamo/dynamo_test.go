package hoarddynamo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
	"github.com/hoard-go/hoard/core/backendtest"
)

// TestDynamoDBLocal runs every test that needs a server against one
// DynamoDB Local: it takes seconds to start.
func TestDynamoDBLocal(t *testing.T) {
	client := startDynamoDBLocal(t, true)
	table := createTestTable(t, client)
	l := &local{client: client, table: table}
	tests := []struct {
		name string
		fn   func(*testing.T, *local)
	}{
		{"Conformance", testConformance},
		{"ConformanceEventuallyConsistent", testConformanceEventuallyConsistent},
		{"ItemLayout", testItemLayout},
		{"ExpiredItemIsMiss", testExpiredItemIsMiss},
		{"SizeLimit", testSizeLimit},
		{"ServerSizeErrorIsTooLarge", testServerSizeError},
		{"ClearIsSeenByOtherInstances", testClearAcrossInstances},
		{"StaleGenerationWriteIsMiss", testStaleGenerationWrite},
		{"MissingGenerationIsZero", testMissingGeneration},
		{"RoundTrips", testRoundTrips},
		{"GetMulti", testGetMulti},
		{"GetMultiErrors", testGetMultiErrors},
		{"GetMultiUnprocessed", testGetMultiUnprocessed},
		{"CancelledContext", testCancelledContext},
		{"ServiceErrors", testServiceErrors},
		{"CreateTable", testCreateTable},
		{"CreateTableMismatch", testCreateTableMismatch},
		{"Adapter", testAdapter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, l) })
	}
}

// local is the shared server and its default table.
type local struct {
	client *dynamodb.Client
	table  string
}

// store returns a Store on the shared table; opts.Table may be left empty.
func (l *local) store(t *testing.T, opts Options) *Store {
	t.Helper()
	if opts.Table == "" {
		opts.Table = l.table
	}
	s, err := NewFromClient(l.client, opts)
	if err != nil {
		t.Fatalf("NewFromClient: %v", err)
	}
	return s
}

// raw reads key's item as stored, bypassing the Store's checks.
func (l *local) raw(t *testing.T, key string) map[string]types.AttributeValue {
	t.Helper()
	out, err := l.client.GetItem(t.Context(), &dynamodb.GetItemInput{
		TableName:      &l.table,
		Key:            map[string]types.AttributeValue{DefaultKeyAttribute: &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		t.Fatalf("raw GetItem(%q): %v", key, err)
	}
	return out.Item
}

// key returns a key in namespace ns under a new random prefix: tests
// sharing the table never see each other's keys.
func key(t *testing.T, ns, id string) string {
	t.Helper()
	return hoard.JoinKey("t"+randomID(), ns, id)
}

func mustSet(t *testing.T, s *Store, key string, v []byte, ttl time.Duration) {
	t.Helper()
	if err := s.Set(t.Context(), key, v, ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func wantHit(t *testing.T, s *Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(t.Context(), key)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, %v; want %q", key, got, err, want)
	}
}

func wantMiss(t *testing.T, s *Store, key string) {
	t.Helper()
	if got, err := s.Get(t.Context(), key); !errors.Is(err, hoard.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, got, err)
	}
}

func testConformance(t *testing.T, l *local) {
	clock := newFakeClock()
	backendtest.Run(t, func(t *testing.T) hoard.Backend {
		return l.store(t, Options{Now: clock.Now})
	},
		backendtest.WithClock(clock.Advance),
		// The largest value under 400 KB with room for key and attributes.
		backendtest.WithMaxValueSize(MaxItemSize-1024),
	)
}

func testConformanceEventuallyConsistent(t *testing.T, l *local) {
	// DynamoDB Local is always consistent: this checks the requests are
	// valid with the option on, not the consistency.
	clock := newFakeClock()
	backendtest.Run(t, func(t *testing.T) hoard.Backend {
		return l.store(t, Options{Now: clock.Now, EventuallyConsistentReads: true})
	}, backendtest.WithClock(clock.Advance), backendtest.WithMaxValueSize(64<<10))
}

// testItemLayout checks the attributes as stored: value, expiry in epoch
// seconds rounded up, no expiry attribute without a TTL, no generation
// attribute before the first clear.
func testItemLayout(t *testing.T, l *local) {
	clock := newFakeClock()
	s := l.store(t, Options{Now: clock.Now})
	now := clock.Now()
	tests := []struct {
		name    string
		ttl     time.Duration
		wantTTL string // "" means no attribute
	}{
		{"NoTTL", 0, ""},
		{"NegativeTTL", hoard.NoExpiry, ""},
		{"WholeSeconds", time.Minute, strconv.FormatInt(expiresAt(now, time.Minute), 10)},
		{"RoundsUp", 1500 * time.Millisecond, strconv.FormatInt(expiresAt(now, 1500*time.Millisecond), 10)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := key(t, "ns", "k")
			mustSet(t, s, k, []byte("value"), tc.ttl)
			item := l.raw(t, k)
			if v, ok := item[DefaultValueAttribute].(*types.AttributeValueMemberB); !ok || string(v.Value) != "value" {
				t.Errorf("value attribute = %#v", item[DefaultValueAttribute])
			}
			got, ok := item[DefaultExpiryAttribute].(*types.AttributeValueMemberN)
			switch {
			case tc.wantTTL == "" && item[DefaultExpiryAttribute] != nil:
				t.Errorf("expiry attribute = %#v, want none", item[DefaultExpiryAttribute])
			case tc.wantTTL != "" && (!ok || got.Value != tc.wantTTL):
				t.Errorf("expiry attribute = %#v, want N %s", item[DefaultExpiryAttribute], tc.wantTTL)
			}
			if g := item[DefaultGenerationAttribute]; g != nil {
				t.Errorf("generation attribute = %#v before any clear, want none", g)
			}
		})
	}
	if exp := expiresAt(now, 1500*time.Millisecond); time.Unix(exp, 0).Before(now.Add(1500 * time.Millisecond)) {
		t.Errorf("expiresAt rounds down: %d for %v + 1.5s", exp, now)
	}
}

// testExpiredItemIsMiss: DynamoDB deletes expired items up to days late, so
// a Get must check the expiry itself.
func testExpiredItemIsMiss(t *testing.T, l *local) {
	clock := newFakeClock()
	s := l.store(t, Options{Now: clock.Now})
	k := key(t, "ns", "k")
	mustSet(t, s, k, []byte("v"), time.Minute)
	wantHit(t, s, k, []byte("v"))

	clock.Advance(time.Minute + time.Second)
	wantMiss(t, s, k)
	item := l.raw(t, k)
	if item == nil {
		t.Fatal("the server no longer holds the item: the test proves nothing")
	}
	exp, err := numberAttr(item, DefaultExpiryAttribute, true)
	if err != nil || exp > clock.Now().Unix() {
		t.Fatalf("stored expiry %d, %v; want one in the past of %d", exp, err, clock.Now().Unix())
	}
}

func testSizeLimit(t *testing.T, l *local) {
	s := l.store(t, Options{})
	k := key(t, "ns", "big")
	ns, _ := hoard.KeyNamespace(k)
	// Overhead of the item besides the value, with a TTL of one minute.
	overhead := s.itemSize(k, entry{expires: expiresAt(time.Now(), time.Minute)})
	tests := []struct {
		name    string
		size    int
		cleared bool // after a clear the item also carries a generation
		wantErr error
	}{
		{"AtLimit", MaxItemSize - overhead, false, nil},
		{"OverLimit", MaxItemSize - overhead + 1, false, hoard.ErrTooLarge},
		{"Huge", 2 * MaxItemSize, false, hoard.ErrTooLarge},
		{"AtLimitWithGeneration", MaxItemSize - overhead - len(DefaultGenerationAttribute) - numberSize(1), true, nil},
		{"OverLimitWithGeneration", MaxItemSize - overhead, true, hoard.ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cleared {
				if err := s.ClearNamespace(t.Context(), ns); err != nil {
					t.Fatal(err)
				}
			}
			v := bytes.Repeat([]byte{'x'}, tc.size)
			err := s.Set(t.Context(), k, v, time.Minute)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Set of %d bytes: %v, want %v", tc.size, err, tc.wantErr)
			}
			if tc.wantErr == nil {
				wantHit(t, s, k, v)
			}
		})
	}
}

// testServerSizeError sends an oversized item past the local check and
// translates the server's real ValidationException.
func testServerSizeError(t *testing.T, l *local) {
	item := map[string]types.AttributeValue{
		DefaultKeyAttribute:   &types.AttributeValueMemberS{Value: key(t, "ns", "big")},
		DefaultValueAttribute: &types.AttributeValueMemberB{Value: make([]byte, MaxItemSize+1)},
	}
	_, err := l.client.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &l.table, Item: item})
	if err == nil {
		t.Fatal("DynamoDB Local accepted an item over 400 KB")
	}
	if got := wrapErr(t.Context(), "set", err); !errors.Is(got, hoard.ErrTooLarge) {
		t.Fatalf("translated %v, want it to wrap ErrTooLarge", got)
	}
	// Other validation errors are not size errors.
	_, err = l.client.PutItem(t.Context(), &dynamodb.PutItemInput{TableName: &l.table, Item: map[string]types.AttributeValue{
		"other": &types.AttributeValueMemberS{Value: "no key"},
	}})
	if err == nil || errors.Is(wrapErr(t.Context(), "set", err), hoard.ErrTooLarge) {
		t.Fatalf("an item without its key: %v, want an error that is not ErrTooLarge", err)
	}
}

// testClearAcrossInstances: a clear by one process is seen by another at
// once, and the other's new writes are visible again.
func testClearAcrossInstances(t *testing.T, l *local) {
	a, b := l.store(t, Options{}), l.store(t, Options{})
	k := key(t, "users", "1")
	ns, _ := hoard.KeyNamespace(k)
	mustSet(t, a, k, []byte("v1"), time.Minute)
	wantHit(t, b, k, []byte("v1"))
	for i := 1; i <= 3; i++ {
		if err := b.ClearNamespace(t.Context(), ns); err != nil {
			t.Fatalf("ClearNamespace: %v", err)
		}
		wantMiss(t, a, k)
		wantMiss(t, b, k)
		v := []byte(fmt.Sprint("v", i+1))
		mustSet(t, a, k, v, time.Minute)
		wantHit(t, b, k, v)
		if gen, _ := numberAttr(l.raw(t, k), DefaultGenerationAttribute, false); gen != int64(i) {
			t.Fatalf("item written in generation %d, want %d", gen, i)
		}
	}
}

// testStaleGenerationWrite: a write that uses a generation seen before
// another process cleared the namespace is a miss, never a stale hit.
func testStaleGenerationWrite(t *testing.T, l *local) {
	a, b := l.store(t, Options{}), l.store(t, Options{})
	a.gens.reuse = time.Hour // however slow the machine, a reuses what it saw
	k := key(t, "ns", "k")
	ns, _ := hoard.KeyNamespace(k)
	wantMiss(t, a, k) // a sees generation 0
	if err := b.ClearNamespace(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	mustSet(t, a, k, []byte("loaded before the clear"), time.Minute)
	wantMiss(t, b, k)
	wantMiss(t, a, k) // and a now knows generation 1
	mustSet(t, a, k, []byte("fresh"), time.Minute)
	wantHit(t, b, k, []byte("fresh"))
}

// testMissingGeneration: without a generation item a namespace is in
// generation 0, for reads and writes alike.
func testMissingGeneration(t *testing.T, l *local) {
	s := l.store(t, Options{})
	k := key(t, "ns", "k")
	ns, _ := hoard.KeyNamespace(k)
	if item := l.raw(t, generationKey(ns)); item != nil {
		t.Fatalf("generation item exists before any clear: %v", item)
	}
	mustSet(t, s, k, []byte("v"), time.Minute)
	wantHit(t, s, k, []byte("v"))
	if err := s.ClearNamespace(t.Context(), ns); err != nil {
		t.Fatal(err)
	}
	wantMiss(t, s, k)
	// Losing the generation item (someone deleted it) returns the namespace
	// to generation 0, consistently: fresh writes are visible.
	_, err := l.client.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: &l.table, Key: s.keyOf(generationKey(ns))})
	if err != nil {
		t.Fatal(err)
	}
	other := l.store(t, Options{}) // no remembered generation
	mustSet(t, other, k, []byte("after loss"), time.Minute)
	wantHit(t, s, k, []byte("after loss"))
	wantHit(t, other, k, []byte("after loss"))
}

// testCancelledContext covers the methods the conformance suite does not.
func testCancelledContext(t *testing.T, l *local) {
	s := l.store(t, Options{})
	k := key(t, "ns", "k")
	ns, _ := hoard.KeyNamespace(k)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.ClearNamespace(ctx, ns); !errors.Is(err, context.Canceled) {
		t.Errorf("ClearNamespace: %v, want context.Canceled", err)
	}
	if err := s.Set(ctx, key(t, "never-read", "k"), []byte("v"), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Set reading the generation: %v, want context.Canceled", err)
	}
	if err := CreateTable(ctx, l.client, TableOptions{Table: l.table}); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateTable: %v, want context.Canceled", err)
	}
}

// testServiceErrors: a missing table is an error on every call, never a
// miss, a panic or an implicit CreateTable.
func testServiceErrors(t *testing.T, l *local) {
	s := l.store(t, Options{Table: "no-such-table-" + randomID()})
	k := key(t, "ns", "k")
	ns, _ := hoard.KeyNamespace(k)
	calls := map[string]func() error{
		"Get":            func() error { _, err := s.Get(t.Context(), k); return err },
		"GetNoNamespace": func() error { _, err := s.Get(t.Context(), "plain"); return err },
		"Set":            func() error { return s.Set(t.Context(), k, []byte("v"), time.Minute) },
		"Delete":         func() error { return s.Delete(t.Context(), k) },
		"ClearNamespace": func() error { return s.ClearNamespace(t.Context(), ns) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			var notFound *types.ResourceNotFoundException
			if !errors.As(err, &notFound) || errors.Is(err, hoard.ErrNotFound) {
				t.Fatalf("%v, want a wrapped ResourceNotFoundException that is not a miss", err)
			}
			if !strings.HasPrefix(err.Error(), "hoarddynamo: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}
