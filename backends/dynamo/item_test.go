package hoarddynamo

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

func TestExpiresAt(t *testing.T) {
	base := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name string
		now  time.Time
		ttl  time.Duration
		want int64
	}{
		{"NoTTL", base, 0, 0},
		{"Negative", base, -time.Second, 0},
		{"WholeSecond", base, time.Second, 1_700_000_001},
		{"RoundsUpTTL", base, 1500 * time.Millisecond, 1_700_000_002},
		{"RoundsUpNow", base.Add(time.Millisecond), time.Minute, 1_700_000_061},
		{"Nanosecond", base, time.Nanosecond, 1_700_000_001},
		{"BeforeEpoch", time.Unix(-100, 0), time.Second, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := expiresAt(tc.now, tc.ttl)
			if got != tc.want {
				t.Fatalf("expiresAt(%v, %v) = %d, want %d", tc.now, tc.ttl, got, tc.want)
			}
			if got > 0 && expired(got, tc.now) {
				t.Errorf("expired at the moment it was stored")
			}
			if got > 0 && tc.now.After(time.Unix(0, 0)) && !expired(got, time.Unix(got, 0)) {
				t.Errorf("not expired at its expiry second")
			}
		})
	}
	if expired(0, time.Unix(math.MaxInt32, 0)) {
		t.Error("an item without expiry expired")
	}
}

func TestItemSize(t *testing.T) {
	s := newOfflineStore(t)
	tests := []struct {
		name string
		e    entry
		want int
	}{
		{"Bare", entry{value: []byte("abc")}, len("pk") + len("p:n:k") + len("v") + 3},
		{"TTL", entry{value: nil, expires: 1_700_000_000}, len("pk") + 5 + len("v") + len("ttl") + 6},
		{"Generation", entry{gen: 7}, len("pk") + 5 + len("v") + len("gen") + 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.itemSize("p:n:k", tc.e); got != tc.want {
				t.Fatalf("itemSize = %d, want %d", got, tc.want)
			}
		})
	}
	for _, n := range []int64{1, 9, 10, 99, 12345, math.MaxInt64, math.MinInt64} {
		// One byte per two significant digits, plus one: never less.
		digits := len(strconv.FormatInt(n, 10))
		if got := numberSize(n); got < (digits+1)/2+1 || got > 21 {
			t.Errorf("numberSize(%d) = %d", n, got)
		}
	}
}

func TestDecode(t *testing.T) {
	s := newOfflineStore(t)
	b := func(v string) types.AttributeValue { return &types.AttributeValueMemberB{Value: []byte(v)} }
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	str := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	tests := []struct {
		name    string
		item    map[string]types.AttributeValue
		want    entry
		corrupt bool
	}{
		{"Bare", map[string]types.AttributeValue{"v": b("x")}, entry{value: []byte("x")}, false},
		{"EmptyValue", map[string]types.AttributeValue{"v": &types.AttributeValueMemberB{}}, entry{value: []byte{}}, false},
		{"All", map[string]types.AttributeValue{"v": b("x"), "ttl": n("123"), "gen": n("4")}, entry{value: []byte("x"), expires: 123, gen: 4}, false},
		{"FloatTTLRoundsUp", map[string]types.AttributeValue{"v": b("x"), "ttl": n("1.5e2")}, entry{value: []byte("x"), expires: 150}, false},
		{"FractionTTL", map[string]types.AttributeValue{"v": b("x"), "ttl": n("100.2")}, entry{value: []byte("x"), expires: 101}, false},
		{"NoValue", map[string]types.AttributeValue{"gen": n("1")}, entry{}, true},
		{"StringValue", map[string]types.AttributeValue{"v": str("x")}, entry{}, true},
		{"StringTTL", map[string]types.AttributeValue{"v": b("x"), "ttl": str("soon")}, entry{}, true},
		{"FloatGeneration", map[string]types.AttributeValue{"v": b("x"), "gen": n("1.5")}, entry{}, true},
		{"HugeTTL", map[string]types.AttributeValue{"v": b("x"), "ttl": n("1e40")}, entry{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.decode(tc.item)
			if tc.corrupt {
				if !errors.Is(err, hoard.ErrCorrupt) {
					t.Fatalf("decode = %+v, %v; want ErrCorrupt", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got.value, tc.want.value) || got.value == nil || got.expires != tc.want.expires || got.gen != tc.want.gen {
				t.Fatalf("decode = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// FuzzItem: encode then decode gives the entry back, and decoding any
// Number attributes never panics.
func FuzzItem(f *testing.F) {
	f.Add("p:ns:k", []byte("value"), int64(1_700_000_000), int64(0), "123", "4")
	f.Add("p:ns:#abc", []byte{}, int64(0), int64(-1), "1.5e9", "x")
	f.Add("k", []byte{0, 0xff}, int64(math.MaxInt64), int64(math.MaxInt64), "NaN", "-0")
	f.Add("k", []byte(nil), int64(-5), int64(3), "Inf", "99999999999999999999")
	s := newOfflineStore(f)
	f.Fuzz(func(t *testing.T, key string, value []byte, expires, gen int64, ttlN, genN string) {
		if expires < 0 {
			expires = 0 // expiresAt never returns a negative
		}
		in := entry{value: value, expires: expires, gen: gen}
		item := s.encode(key, in)
		out, err := s.decode(item)
		if err != nil || !bytes.Equal(out.value, value) || out.expires != expires || out.gen != gen {
			t.Fatalf("round trip of %+v = %+v, %v", in, out, err)
		}
		if s.itemSize(key, in) < len(key)+len(value) {
			t.Fatalf("itemSize smaller than key and value")
		}
		item[s.opts.ExpiryAttribute] = &types.AttributeValueMemberN{Value: ttlN}
		item[s.opts.GenerationAttribute] = &types.AttributeValueMemberN{Value: genN}
		if _, err := s.decode(item); err != nil && !errors.Is(err, hoard.ErrCorrupt) {
			t.Fatalf("decode error %v is not ErrCorrupt", err)
		}
	})
}

// newOfflineStore returns a Store whose client has no endpoint: for tests
// of code that never calls it.
func newOfflineStore(tb testing.TB) *Store {
	tb.Helper()
	s, err := NewFromClient(offlineClient(), Options{Table: "offline"})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestGenerationsBounded(t *testing.T) {
	var g generations
	for i := range 3 * maxRememberedGenerations {
		g.remember(strconv.Itoa(i), int64(i))
	}
	if n := len(g.seen); n > maxRememberedGenerations {
		t.Fatalf("remembers %d namespaces, want at most %d", n, maxRememberedGenerations)
	}
	last := strconv.Itoa(3*maxRememberedGenerations - 1)
	if gen, ok := g.recent(last); !ok || gen != 3*maxRememberedGenerations-1 {
		t.Fatalf("recent(%s) = %d, %v", last, gen, ok)
	}
	g.reuse = -1
	if _, ok := g.recent(last); ok {
		t.Fatal("a generation older than the reuse window was reused")
	}
}

// offlineClient points at a closed loopback port: any call it makes by
// mistake fails at once instead of going anywhere.
func offlineClient() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{BaseEndpoint: aws.String("http://127.0.0.1:1"), Region: "us-east-1", RetryMaxAttempts: 1})
}
