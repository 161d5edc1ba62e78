// Package multiget reads several keys from a backend: the one loop the
// Cache (tag states) and package tiered (its remote tier) share. It sees
// backends through their methods only, so it needs nothing of package
// hoard.
package multiget

import (
	"context"
	"errors"
	"fmt"
)

// Getter is a backend's single read.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// multiGetter is hoard.MultiGetter.
type multiGetter interface {
	GetMulti(ctx context.Context, keys []string) ([][]byte, error)
}

// Get reads keys from b, in one call where b can (hoard.MultiGetter),
// else one Get per key. It returns one value per key, in order, nil for a
// key b reports notFound for; any other error fails the whole read.
func Get(ctx context.Context, b Getter, keys []string, notFound error) ([][]byte, error) {
	if mg, ok := b.(multiGetter); ok {
		out, err := mg.GetMulti(ctx, keys)
		if err == nil && len(out) != len(keys) {
			err = fmt.Errorf("hoard: GetMulti returned %d values for %d keys", len(out), len(keys))
		}
		return out, err
	}
	out := make([][]byte, len(keys))
	for i, k := range keys {
		v, err := b.Get(ctx, k)
		switch {
		case errors.Is(err, notFound):
		case err != nil:
			return nil, err
		default:
			out[i] = v
		}
	}
	return out, nil
}
