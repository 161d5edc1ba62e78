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
	at  []int                 // the keys' positions in GetMulti's argument
	cmd *redis.StringSliceCmd // MGET the entries, then their generation
}

// linearGroups is the most keys slotGroups groups by comparing generation
// keys one by one; more use a map.
const linearGroups = 8

// slotGroups groups keys by generation key, in the order each generation
// first appears, and builds each group's MGET. The groups' positions and
// arguments share one allocation each.
func (s *Store) slotGroups(ctx context.Context, keys []string) ([]slotGroup, error) {
	type located struct {
		entry string
		group int
	}
	type generation struct {
		key   string
		keys  int // how many keys it checks
		first int // where its keys' positions start in at
		next  int // where its next key's position goes in at
	}
	// Up to linearGroups keys, these stay on the stack.
	var locBuf [linearGroups]located
	var genBuf [linearGroups]generation
	loc, gens := locBuf[:0], genBuf[:0]
	var byGen map[string]int
	if len(keys) > linearGroups {
		loc, gens = make([]located, 0, len(keys)), make([]generation, 0, len(keys))
		byGen = make(map[string]int, len(keys))
	}
	for _, k := range keys {
		entry, gen, err := s.layout.keys(k)
		if err != nil {
			return nil, err
		}
		g := -1
		if byGen != nil {
			if j, ok := byGen[gen]; ok {
				g = j
			}
		} else { // a few keys: comparing is cheaper than hashing
			for j := range gens {
				if gens[j].key == gen {
					g = j
					break
				}
			}
		}
		if g < 0 {
			g = len(gens)
			gens = append(gens, generation{key: gen})
			if byGen != nil {
				byGen[gen] = g
			}
		}
		gens[g].keys++
		loc = append(loc, located{entry: entry, group: g})
	}

	// Group g's positions are at[first:first+n]; its arguments
	// args[first+2g:first+2g+n+2]: "mget", the n entries, the generation.
	groups := make([]slotGroup, len(gens))
	at := make([]int, len(keys))
	args := make([]any, len(keys)+2*len(gens))
	start := 0
	for g := range gens {
		gen := &gens[g]
		gen.first, gen.next = start, start
		groups[g].at = at[start : start+gen.keys : start+gen.keys]
		start += gen.keys
	}
	for i, l := range loc {
		n := gens[l.group].next
		at[n] = i
		args[n+2*l.group+1] = l.entry
		gens[l.group].next++
	}
	for g, gen := range gens {
		a, end := gen.first+2*g, gen.first+2*g+gen.keys+2
		args[a], args[end-1] = "mget", gen.key
		groups[g].cmd = redis.NewStringSliceCmd(ctx, args[a:end:end]...)
	}
	return groups, nil
}
