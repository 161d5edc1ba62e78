package hoarddynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

const (
	// maxBatchGet is DynamoDB's limit of keys in one BatchGetItem.
	maxBatchGet = 100
	// maxUnprocessedRetries bounds the retries of a batch that made no
	// progress (throttling); a cache read must stay short.
	maxUnprocessedRetries = 4
	unprocessedBackoff    = 10 * time.Millisecond
)

// GetMulti returns the live values of keys, reading up to 100 items (keys
// and their namespaces' generation items) per BatchGetItem. Missing,
// expired and cleared keys, and keys no Set could have stored, are absent.
func (s *Store) GetMulti(ctx context.Context, keys []string) (map[string][]byte, error) {
	if s.closed.Load() {
		return nil, hoard.ErrClosed
	}
	res := make(map[string][]byte, len(keys))
	var (
		data       []string            // data keys of the current batch
		namespaces []string            // namespaces whose generation it reads
		inBatch    = map[string]bool{} // namespaces already in it
		seen       = make(map[string]bool, len(keys))
	)
	flush := func() error {
		if len(data) == 0 {
			return nil
		}
		pks := make([]string, 0, len(data)+len(namespaces))
		pks = append(pks, data...)
		for _, ns := range namespaces {
			pks = append(pks, generationKey(ns))
		}
		found, err := s.batchGet(ctx, pks)
		if err != nil {
			return err
		}
		gens := make(map[string]int64, len(namespaces))
		for _, ns := range namespaces {
			gen, err := numberAttr(found[generationKey(ns)], s.opts.GenerationAttribute, false)
			if err != nil {
				return err
			}
			gens[ns] = gen
			s.gens.remember(ns, gen)
		}
		for _, k := range data {
			ns, _ := hoard.KeyNamespace(k)
			if v, err := s.hit(found[k], gens[ns]); err == nil {
				res[k] = v
			}
		}
		data, namespaces = data[:0], namespaces[:0]
		clear(inBatch)
		return nil
	}
	for _, k := range keys {
		if seen[k] || s.check(k) != nil {
			continue
		}
		seen[k] = true
		ns, hasNS := hoard.KeyNamespace(k)
		need := 1
		if hasNS && !inBatch[ns] {
			need++
		}
		if len(data)+len(namespaces)+need > maxBatchGet {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		data = append(data, k)
		if hasNS && !inBatch[ns] {
			inBatch[ns] = true
			namespaces = append(namespaces, ns)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return res, nil
}

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
