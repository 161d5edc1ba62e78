package hoarddynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const (
	// maxUnprocessedRetries bounds the retries of a batch that made no
	// progress (throttling); a cache read must stay short.
	maxUnprocessedRetries = 4
	unprocessedBackoff    = 10 * time.Millisecond
)

// batchGet reads the items of up to 100 distinct partition keys with
// BatchGetItem, retrying the keys DynamoDB leaves unprocessed. The result
// maps each key found to its item.
func (s *Store) batchGet(ctx context.Context, pks []string) (map[string]map[string]types.AttributeValue, error) {
	keys := make([]map[string]types.AttributeValue, len(pks))
	for i, pk := range pks {
		keys[i] = s.keyOf(pk)
	}
	req := map[string]types.KeysAndAttributes{
		s.opts.Table: {Keys: keys, ConsistentRead: s.consistent()},
	}
	found := make(map[string]map[string]types.AttributeValue, len(pks))
	for stalled := 0; ; {
		out, err := s.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return nil, wrapErr(ctx, "get", err)
		}
		got := 0
		for _, items := range out.Responses {
			for _, item := range items {
				if pk, ok := item[s.opts.KeyAttribute].(*types.AttributeValueMemberS); ok {
					found[pk.Value] = item
					got++
				}
			}
		}
		if !unprocessed(out.UnprocessedKeys) {
			return found, nil
		}
		req = out.UnprocessedKeys
		// A partial answer (the 16 MB response limit) is retried at once;
		// no answer at all is throttling: back off, briefly.
		if got > 0 {
			stalled = 0
			continue
		}
		if stalled++; stalled > maxUnprocessedRetries {
			return nil, fmt.Errorf("hoarddynamo: get: %w", ErrUnprocessed)
		}
		t := time.NewTimer(unprocessedBackoff << (stalled - 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("hoarddynamo: get: %w", ctx.Err())
		case <-t.C:
		}
	}
}

func unprocessed(m map[string]types.KeysAndAttributes) bool {
	for _, ka := range m {
		if len(ka.Keys) > 0 {
			return true
		}
	}
	return false
}
