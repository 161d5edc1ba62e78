package hoarddynamo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

var _ hoard.MultiGetter = (*Store)(nil)

// maxBatchKeys is the most keys one BatchGetItem may ask for.
const maxBatchKeys = 100

// GetMulti returns the values stored under keys, in order: for each key
// what Get returns, nil where Get returns [hoard.ErrNotFound] (absent,
// expired, or of an older namespace generation). The items and the
// generation items of their namespaces, each once, are read with
// BatchGetItem, strongly consistent unless EventuallyConsistentReads: one
// request for up to 100 distinct items, else requests of 100 sent in
// parallel; keys DynamoDB leaves unprocessed are asked for again, as Get
// does. An invalid key, a corrupt item or a failed request fails the
// whole call, as it fails Get.
func (s *Store) GetMulti(ctx context.Context, keys []string) ([][]byte, error) {
	if s.closed.Load() {
		return nil, hoard.ErrClosed
	}
	if len(keys) == 0 {
		return [][]byte{}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hoarddynamo: get: %w", err)
	}
	pks := make([]string, 0, 2*len(keys))
	seen := make(map[string]struct{}, 2*len(keys))
	add := func(pk string) {
		if _, ok := seen[pk]; !ok {
			seen[pk] = struct{}{}
			pks = append(pks, pk)
		}
	}
	for _, k := range keys {
		if err := s.check(k); err != nil {
			return nil, err
		}
		add(k)
		if ns, ok := hoard.KeyNamespace(k); ok {
			add(generationKey(ns))
		}
	}
	found, err := s.batchGetAll(ctx, pks)
	if err != nil {
		return nil, err
	}
	gens := make(map[string]int64)
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := s.batchHit(found, k, gens)
		switch {
		case errors.Is(err, hoard.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			out[i] = v
		}
	}
	return out, nil
}

// batchGetAll is batchGet for any number of distinct keys: one
// BatchGetItem per 100, sent in parallel. The first failure cancels the
// others and is returned.
func (s *Store) batchGetAll(ctx context.Context, pks []string) (map[string]map[string]types.AttributeValue, error) {
	if len(pks) <= maxBatchKeys {
		return s.batchGet(ctx, pks)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	found := make(map[string]map[string]types.AttributeValue, len(pks))
	for chunk := range slices.Chunk(pks, maxBatchKeys) {
		wg.Go(func() {
			got, err := s.batchGet(ctx, chunk)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
					cancel()
				}
				return
			}
			for pk, item := range got {
				found[pk] = item
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return found, nil
}
