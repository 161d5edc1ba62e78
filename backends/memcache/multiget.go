package hoardmemcache

import (
	"context"
	"errors"

	"github.com/bradfitz/gomemcache/memcache"
	hoard "github.com/hoard-go/hoard/core"
)

var _ hoard.MultiGetter = (*Store)(nil)

// GetMulti returns the values stored under keys, in order: for each key
// what Get returns, nil where Get returns an error wrapping
// [hoard.ErrNotFound] (absent, cleared, expired, corrupt or a hash
// collision). The items and their namespaces' generations, each memcached
// key once, are fetched with one gomemcache GetMulti: one "gets" per
// server involved, sent in parallel, so one round trip. A failure of any
// server fails the whole call.
func (s *Store) GetMulti(ctx context.Context, keys []string) ([][]byte, error) {
	if err := s.check(ctx, "get"); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return [][]byte{}, nil
	}
	type lookup struct {
		mk, gk string // gk: "" when the key has no namespace
		hashed bool
	}
	lookups := make([]lookup, len(keys))
	fetch := make([]string, 0, 2*len(keys))
	seen := make(map[string]struct{}, 2*len(keys))
	add := func(k string) {
		if _, ok := seen[k]; !ok {
			seen[k] = struct{}{}
			fetch = append(fetch, k)
		}
	}
	for i, key := range keys {
		l := &lookups[i]
		l.mk, l.hashed = itemKey(key)
		add(l.mk)
		if ns, ok := namespaceOf(key); ok {
			l.gk = genKey(ns)
			add(l.gk)
		}
	}
	items, err := s.c.GetMulti(fetch)
	if err != nil {
		return nil, s.fail(ctx, "get", err)
	}
	out := make([][]byte, len(keys))
	for i, l := range lookups {
		raw := items[l.mk]
		if raw == nil {
			continue
		}
		var gen *memcache.Item
		if l.gk != "" {
			if gen = items[l.gk]; gen == nil {
				continue // no generation: cleared, as Get says
			}
		}
		v, err := verify(raw, keys[i], l.hashed, gen)
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
