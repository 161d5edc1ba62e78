package hoarddynamo

import (
	"testing"
	"time"

	hoard "github.com/hoard-go/hoard/core"
)

// BenchmarkDynamoDBLocal measures the Store against DynamoDB Local on
// loopback: the figures are dominated by the server and the SDK, and say
// little about AWS, where a round trip takes milliseconds.
func BenchmarkDynamoDBLocal(b *testing.B) {
	client := startDynamoDBLocal(b, false)
	s, err := NewFromClient(client, Options{Table: createTestTable(b, client)})
	if err != nil {
		b.Fatal(err)
	}
	value := make([]byte, 1024)
	ctx := b.Context()
	hit := hoard.JoinKey("bench", "ns", "hit")
	if err := s.Set(ctx, hit, value, time.Hour); err != nil {
		b.Fatal(err)
	}
	// DynamoDB Local runs in a JVM: warm it up, or the first figures
	// measure its JIT compiler.
	warm := hoard.JoinKey("bench", "ns", "warm")
	for range 500 {
		_, _ = s.Get(ctx, hit)
		_ = s.Set(ctx, warm, value, time.Hour)
	}

	// One BatchGetItem: the item and its namespace's generation.
	b.Run("GetHit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, hit); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetMiss", func(b *testing.B) {
		miss := hoard.JoinKey("bench", "ns", "missing")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Get(ctx, miss); err == nil {
				b.Fatal("hit")
			}
		}
	})
	// One PutItem; the generation is read again (GetItem) once a second.
	b.Run("Set1KiB", func(b *testing.B) {
		k := hoard.JoinKey("bench", "ns", "set")
		b.ReportAllocs()
		b.SetBytes(int64(len(value)))
		for b.Loop() {
			if err := s.Set(ctx, k, value, time.Hour); err != nil {
				b.Fatal(err)
			}
		}
	})
}
