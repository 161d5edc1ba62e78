package hoard

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/hoard-go/hoard/core/internal/envelope"
	"github.com/hoard-go/hoard/core/internal/multiget"
)

// Tags (surrogate keys). An entry may carry tags: an HTTP response from a
// response header or its route's options, a function result from the
// Tags call option. InvalidateTags makes every entry that carries one of
// them a miss (or, with Soft, stale), for every process sharing the
// backend, without finding the entries: each tag has a state key in the
// backend holding when it was last invalidated, hard and soft, and a
// tagged entry is checked against the states of its tags when it is read.
//
// Costs: an untagged entry costs what it always did. A tagged one costs
// one more read of its tags' state keys (two per tag: every namespace's,
// and its own namespace's), batched into one round trip by a backend
// that implements MultiGetter (none for the states a local tier holds,
// package tiered); storing one first makes sure its tags'
// states exist (one more read, and a write for each missing one), since a
// missing state reads as an invalidation. InvalidateTags writes one key per tag and
// scans nothing; each write is atomic. A tag's state key never expires
// (it must outlive the entries that carry it): 16 bytes per tag ever
// invalidated.
//
// An entry records when it began (the request's arrival, or the load's
// start): an invalidation after that makes it invalid, even one that
// happened while its response was being made. Times come from the clocks
// of the processes involved: processes whose clocks disagree by d may,
// for d after an invalidation, keep serving an entry stored just before
// it.

// tagNamespace holds the tags' state keys; ValidateName refuses it.
const tagNamespace = "_tags"

// tagStateLen is the size of a tag state: hard and soft invalidation
// times, Unix nanoseconds, little-endian.
const tagStateLen = 16

// everyNamespace is the scope of an invalidation of every namespace.
const everyNamespace = "*"

// MultiGetter is implemented by backends that can read several keys in
// one round trip. GetMulti returns one value per key, in order, nil for a
// missing key; an error is a failure of the whole read. A tagged entry's
// tag states are read with it.
type MultiGetter interface {
	GetMulti(ctx context.Context, keys []string) ([][]byte, error)
}

// ErrInvalidTag is returned for a tag that is empty, longer than 128
// bytes, or not printable ASCII without spaces and commas.
var ErrInvalidTag = errors.New("hoard: invalid tag")

// ValidateTag reports whether tag can be a tag.
func ValidateTag(tag string) error {
	if tag == "" || len(tag) > 128 {
		return fmt.Errorf("%w: %q must be 1 to 128 bytes", ErrInvalidTag, tag)
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; c <= ' ' || c > '~' || c == ',' {
			return fmt.Errorf("%w: %q must be printable ASCII without spaces or commas", ErrInvalidTag, tag)
		}
	}
	return nil
}

// Tags tags the call's result (Remember, Wrap, SetValue), for
// InvalidateTags. A bad tag makes the call fail with ErrInvalidTag.
func Tags(tags ...string) CallOption {
	return callOption(func(c *callConfig) {
		for _, t := range tags {
			if err := ValidateTag(t); err != nil && c.err == nil {
				c.err = err
			}
		}
		c.tags = append(c.tags, tags...)
	})
}

// InvalidateOption changes an InvalidateTags call.
type InvalidateOption interface {
	applyInvalidate(*invalidateConfig)
}

type invalidateConfig struct {
	soft      bool
	namespace string
	scoped    bool
}

type invalidateOption func(*invalidateConfig)

func (f invalidateOption) applyInvalidate(c *invalidateConfig) { f(c) }

// Soft marks the entries stale instead of dropping them, as Fastly's soft
// purge does: an entry that may be served stale while it is refreshed
// (stale-while-revalidate) is, once; any other is revalidated (a
// conditional request when it has a validator) or loaded again.
func Soft() InvalidateOption { return invalidateOption(func(c *invalidateConfig) { c.soft = true }) }

// OnlyNamespace limits the invalidation to the entries of namespace ns.
// Without it every namespace of the Cache's prefix is invalidated.
func OnlyNamespace(ns string) InvalidateOption {
	return invalidateOption(func(c *invalidateConfig) { c.namespace, c.scoped = ns, true })
}

// InvalidateTags makes every entry that carries one of tags (HTTP
// responses and function results alike, in every namespace of c's prefix
// unless OnlyNamespace says otherwise) a miss, or with Soft stale, for
// every process sharing the backend. It writes one small key per tag and
// never scans the keyspace.
func (c *Cache) InvalidateTags(ctx context.Context, tags []string, opts ...InvalidateOption) error {
	var cfg invalidateConfig
	for _, o := range opts {
		if o != nil {
			o.applyInvalidate(&cfg)
		}
	}
	scope := everyNamespace
	if cfg.scoped {
		if err := ValidateName(cfg.namespace); err != nil {
			return err
		}
		scope = cfg.namespace
	}
	for _, t := range tags {
		if err := ValidateTag(t); err != nil {
			return err
		}
	}
	now := c.cfg.nowNano()
	var errs []error
	for _, t := range tags {
		key := c.tagStateKey(scope, t)
		state := make([]byte, tagStateLen)
		binary.LittleEndian.PutUint64(state[8:], uint64(now))
		if cfg.soft {
			// Keep the last hard invalidation: read it first. Two
			// invalidations racing may lose the older one's hard time,
			// never a newer one's soft time.
			var old []byte
			_, err := c.call(ctx, "get", key, func(ctx context.Context) error {
				var err error
				old, err = c.backend.Get(ctx, key)
				return err
			})
			if err == nil && len(old) == tagStateLen {
				copy(state[:8], old[:8])
			}
		} else {
			binary.LittleEndian.PutUint64(state[:8], uint64(now))
		}
		_, err := c.call(ctx, "invalidate", key, func(ctx context.Context) error { return c.backend.Set(ctx, key, state, 0) })
		if err != nil {
			errs = append(errs, fmt.Errorf("hoard: invalidate tag %q: %w", t, err))
		}
	}
	return errors.Join(errs...)
}

// tagStateKey is the key of tag's state in scope (a namespace, or every
// namespace).
func (c *Cache) tagStateKey(scope, tag string) string {
	return JoinKey(c.cfg.prefix, tagNamespace, scope+"/"+tag)
}

// tagStateKeys lists the state keys of the tags in block, the tags block
// of the entry stored under key: every namespace's and the entry's own
// namespace's, for each tag. It also returns the block's since, and false
// for a damaged block.
func (c *Cache) tagStateKeys(key string, block []byte) (keys []string, since int64, ok bool) {
	ns, _ := KeyNamespace(key)
	if i := strings.IndexByte(ns, ':'); i >= 0 {
		ns = ns[i+1:]
	}
	since, ok = envelope.VisitTags(block, func(t []byte) {
		keys = append(keys, c.tagStateKey(everyNamespace, string(t)), c.tagStateKey(ns, string(t)))
	})
	return keys, since, ok
}

// checkTags reads the states of a tagged entry's tags (key is the
// entry's) and reports whether it is still valid and, if a soft
// invalidation made it stale, since when (0 otherwise). A state that
// cannot be read counts as an invalidation now: a tagged entry is never
// served when its tags cannot be checked.
func (c *Cache) checkTags(ctx context.Context, key string, block []byte, now int64) (valid bool, staleAt int64) {
	keys, since, ok := c.tagStateKeys(key, block)
	if !ok {
		return false, 0
	}
	if len(keys) == 0 {
		return true, 0
	}
	states, err := c.getMulti(ctx, keys)
	if err != nil {
		return false, 0
	}
	for _, st := range states {
		switch {
		case len(st) != tagStateLen:
			// Missing (evicted: every tagged entry's store made it) or
			// damaged: an invalidation may have been lost with it.
			return false, 0
		default:
			if hard := int64(binary.LittleEndian.Uint64(st[:8])); hard >= since {
				return false, 0
			}
			if soft := int64(binary.LittleEndian.Uint64(st[8:])); soft >= since && (staleAt == 0 || soft < staleAt) {
				staleAt = soft
			}
		}
	}
	return true, staleAt
}

// ensureTagStates makes sure the states of an entry's tags exist before
// the entry is stored under key: a state that goes missing later (evicted
// by memcached, or by Redis under an eviction policy) then reads as an
// invalidation, never as "never invalidated". A state is written only
// where it is missing (read, then written: an invalidation of a tag whose
// state was missing that lands between the two can be lost).
func (c *Cache) ensureTagStates(ctx context.Context, key string, block []byte) error {
	keys, _, ok := c.tagStateKeys(key, block)
	if !ok || len(keys) == 0 {
		return nil
	}
	states, err := c.getMulti(ctx, keys)
	if err != nil {
		return err
	}
	zero := make([]byte, tagStateLen)
	for i, st := range states {
		if st != nil {
			continue
		}
		k := keys[i]
		if _, err := c.call(ctx, "set", k, func(ctx context.Context) error { return c.backend.Set(ctx, k, zero, 0) }); err != nil {
			return err
		}
	}
	return nil
}

// getMulti reads keys, in one round trip where the backend can; a missing
// key is nil. A backend with a local tier (memo.Local) is asked for each
// key there first, outside the operation timeout: only the keys it lacks
// are read from the backend.
func (c *Cache) getMulti(ctx context.Context, keys []string) ([][]byte, error) {
	var out [][]byte
	missing := keys
	var at []int // with a local tier: where the values of missing go in out
	if c.local != nil {
		out = make([][]byte, len(keys))
		missing = nil
		for i, k := range keys {
			if v, _, ok := c.local.GetLocal(k); ok {
				out[i] = v
			} else {
				missing = append(missing, k)
				at = append(at, i)
			}
		}
		if len(missing) == 0 {
			return out, nil
		}
	}
	var vals [][]byte
	_, err := c.call(ctx, "get", missing[0], func(ctx context.Context) error {
		var err error
		vals, err = multiget.Get(ctx, c.backend, missing, ErrNotFound)
		return err
	})
	if err == nil && len(vals) != len(missing) {
		err = fmt.Errorf("hoard: GetMulti returned %d values for %d keys", len(vals), len(missing))
	}
	if err != nil || out == nil {
		return vals, err
	}
	for j, i := range at {
		out[i] = vals[j]
	}
	return out, nil
}
