package hoardredis

import (
	"context"
	"fmt"

	hoard "github.com/hoard-go/hoard/core"
	"github.com/redis/go-redis/v9"
)

var _ hoard.MultiGetter = (*Store)(nil)

// GetMulti returns the values stored under keys, in order: for each key
// what Get returns, nil where Get returns [hoard.ErrNotFound]. The keys of
// one namespace shard share a hash slot and a generation key: each such
// group is one MGET of its entries and, once, their generation, checked as
// Get checks them. One group is sent as a plain command, several as one
// pipeline: one round trip on a single server or Sentinel, and on Cluster
// and Ring one per node involved, sent in parallel (go-redis groups a
// pipeline by node). An invalid key, or a failure on any node, fails the
// whole call. The returned slices must not be modified.
func (s *Store) GetMulti(ctx context.Context, keys []string) ([][]byte, error) {
	if err := s.usable(ctx); err != nil {
		return nil, fmt.Errorf("hoardredis: get: %w", err)
	}
	if len(keys) == 0 {
		return [][]byte{}, nil
	}
	groups, err := s.slotGroups(ctx, keys)
	if err != nil {
		return nil, err
	}
	if len(groups) == 1 {
		err = s.client.Process(ctx, groups[0].cmd)
	} else {
		pipe := s.client.Pipeline()
		for _, g := range groups {
			_ = pipe.Process(ctx, g.cmd) // queues; Exec reports
		}
		_, err = pipe.Exec(ctx)
	}
	if err != nil {
		return nil, translate(ctx, "get", err)
	}
	out := make([][]byte, len(keys))
	for _, g := range groups {
		vals := g.cmd.Val()
		if len(vals) != len(g.at)+1 {
			return nil, fmt.Errorf("hoardredis: MGET returned %d values, want %d", len(vals), len(g.at)+1)
		}
		gen := vals[len(g.at)]
		for j, i := range g.at {
			out[i], _ = underGeneration(vals[j], gen) // nil: a miss
		}
	}
	return out, nil
}

// slotGroup is the keys GetMulti reads with one MGET: those of one
// namespace shard.
type slotGroup struct {
	gen  string
	at   []int // the keys' positions in GetMulti's argument
	args []any // "mget", the entries, then gen
	cmd  *redis.StringSliceCmd
}

// slotGroups groups keys by generation key, in the order each generation
// first appears, and builds each group's MGET.
func (s *Store) slotGroups(ctx context.Context, keys []string) ([]*slotGroup, error) {
	var groups []*slotGroup
	byGen := make(map[string]*slotGroup, len(keys))
	for i, k := range keys {
		entry, gen, err := s.layout.keys(k)
		if err != nil {
			return nil, err
		}
		g := byGen[gen]
		if g == nil {
			g = &slotGroup{gen: gen, args: []any{"mget"}}
			byGen[gen] = g
			groups = append(groups, g)
		}
		g.at = append(g.at, i)
		g.args = append(g.args, entry)
	}
	for _, g := range groups {
		g.args = append(g.args, g.gen)
		g.cmd = redis.NewStringSliceCmd(ctx, g.args...)
	}
	return groups, nil
}
