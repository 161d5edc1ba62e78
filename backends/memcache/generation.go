package hoardmemcache

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"
	hoard "github.com/hoard-go/hoard/core"
)

// Memcached cannot list keys, so a namespace is cleared by changing its
// generation: a decimal counter under genKey(ns), stored without expiry.
// Every item of the namespace records the generation it was written under
// and a read fetches both in the same request, so a clear is seen by every
// process at once. A counter that is missing (never created, or evicted)
// makes every item of its namespace a miss; it is recreated with a random
// 64-bit value, so a recreated counter never matches items written under
// an earlier one (except with probability 2^-64 per item).

// newGeneration returns a starting generation. math/rand/v2's global source
// is seeded from the OS, so processes do not repeat each other.
func newGeneration() uint64 { return rand.Uint64() }

// parseGeneration reads a counter's decimal value. memcached pads a number
// that shrank (decr) with spaces; tolerate that. Hand-written because it
// runs on every hit and strconv would need a string copy.
func parseGeneration(b []byte) (uint64, bool) {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return 0, false
	}
	var g uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if g > (math.MaxUint64-d)/10 {
			return 0, false
		}
		g = g*10 + d
	}
	return g, true
}

func generationItem(gk string, g uint64) *memcache.Item {
	return &memcache.Item{Key: gk, Value: strconv.AppendUint(nil, g, 10)}
}

// generation returns ns's current generation, creating it if missing.
func (s *Store) generation(ctx context.Context, ns string) (uint64, error) {
	gk := genKey(ns)
	for range 3 { // a lost Add race means another process just created it: read again
		it, err := s.c.Get(gk)
		if err == nil {
			g, ok := parseGeneration(it.Value)
			if !ok {
				return 0, fmt.Errorf("hoardmemcache: set: generation %q holds %q, not a number (ClearNamespace resets it): %w",
					gk, it.Value, hoard.ErrCorrupt)
			}
			return g, nil
		}
		if !errors.Is(err, memcache.ErrCacheMiss) {
			return 0, s.fail(ctx, "set", err)
		}
		g := newGeneration()
		err = s.c.Add(generationItem(gk, g))
		if err == nil {
			return g, nil
		}
		if !errors.Is(err, memcache.ErrNotStored) {
			return 0, s.fail(ctx, "set", err)
		}
	}
	return 0, fmt.Errorf("hoardmemcache: set: generation %q keeps disappearing", gk)
}

// ClearNamespace makes every entry whose key starts with ns+":" a miss for
// every process, in one round trip (two if the generation is missing).
// ns must be "prefix:namespace", as hoard.KeyNamespace returns; keys with
// fewer than two ':' belong to no namespace and are never cleared.
func (s *Store) ClearNamespace(ctx context.Context, ns string) error {
	if err := s.check(ctx, "clear"); err != nil {
		return err
	}
	if !validNamespace(ns) {
		return fmt.Errorf("hoardmemcache: clear %q: %w: want \"prefix:namespace\" as hoard.KeyNamespace returns",
			ns, hoard.ErrInvalidKey)
	}
	gk := genKey(ns)
	for range 3 {
		_, err := s.c.Increment(gk, 1)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, memcache.ErrCacheMiss):
			// Nothing to invalidate by counting, but items may remain from
			// an evicted counter: a fresh random generation retires them.
			err = s.c.Add(generationItem(gk, newGeneration()))
			if err == nil {
				return nil
			}
			if !errors.Is(err, memcache.ErrNotStored) {
				return s.fail(ctx, "clear", err)
			}
			// Created by someone else since: increment that one, so the
			// generation changes after this call began.
		case strings.Contains(err.Error(), "non-numeric"):
			// Overwritten by something else: replace it, which also clears.
			if err := s.c.Set(generationItem(gk, newGeneration())); err != nil {
				return s.fail(ctx, "clear", err)
			}
			return nil
		default:
			return s.fail(ctx, "clear", err)
		}
	}
	return fmt.Errorf("hoardmemcache: clear %q: generation keeps disappearing", ns)
}
