package hoarddynamo

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

// Namespace clear without a scan: every namespace has a generation item
// under the key "gen <namespace>" (a space, which no hoard key has), holding
// a counter that ClearNamespace increments. Every data item records the
// generation it was written in, and Get reads the data item and the
// generation item in the same BatchGetItem: an item of an older generation
// is a miss. A missing generation item, like a missing generation attribute,
// is generation 0. Old items stay until their TTL deletes them.

// generationKeyPrefix starts the key of a namespace's generation item.
const generationKeyPrefix = "gen "

func generationKey(ns string) string { return generationKeyPrefix + ns }

// ClearNamespace makes every key of namespace ns a miss, for every process
// sharing the table, with one UpdateItem: it increments the namespace's
// generation. Clearing a namespace that was never used is not an error.
func (s *Store) ClearNamespace(ctx context.Context, ns string) error {
	if s.closed.Load() {
		return hoard.ErrClosed
	}
	if ns == "" || strings.IndexByte(ns, ' ') >= 0 {
		return fmt.Errorf("%w: hoarddynamo: namespace %q is empty or has a space", hoard.ErrInvalidKey, ns)
	}
	out, err := s.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.opts.Table,
		Key:                       s.keyOf(generationKey(ns)),
		UpdateExpression:          aws.String("ADD #g :one"),
		ExpressionAttributeNames:  map[string]string{"#g": s.opts.GenerationAttribute},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return wrapErr(ctx, "clear namespace", err)
	}
	gen, err := numberAttr(out.Attributes, s.opts.GenerationAttribute, false)
	if err != nil {
		return err
	}
	s.gens.remember(ns, gen)
	return nil
}

// generation returns the current generation of ns for a write: the one a
// read saw moments ago, else read with a strongly consistent GetItem.
//
// Reusing what a recent Get saw saves Set a round trip on the usual
// miss-load-set path, and it is safe: a generation can only be older than
// the current one, and an item written in an older generation is a miss,
// never a stale hit. It also tags the value with the generation seen
// before it was loaded, which is the right one when a clear races the load.
func (s *Store) generation(ctx context.Context, ns string) (int64, error) {
	if gen, ok := s.gens.recent(ns); ok {
		return gen, nil
	}
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.opts.Table,
		Key:            s.keyOf(generationKey(ns)),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, wrapErr(ctx, "set: read namespace generation", err)
	}
	gen, err := numberAttr(out.Item, s.opts.GenerationAttribute, false)
	if err != nil {
		return 0, err
	}
	s.gens.remember(ns, gen)
	return gen, nil
}

const (
	// generationReuse bounds how old a remembered generation may be for a
	// write to use it. Older, and a process that only writes (a client
	// sending no-cache) could keep writing invisible items after another
	// process cleared the namespace.
	generationReuse = time.Second
	// maxRememberedGenerations bounds the memory of the generations seen;
	// applications have a handful of namespaces.
	maxRememberedGenerations = 1024
)

// generations remembers the last generation seen per namespace. It uses
// the wall clock, not Options.Now: it measures how fresh our knowledge is,
// not when items expire.
type generations struct {
	mu    sync.Mutex
	seen  map[string]seenGeneration
	reuse time.Duration // generationReuse; tests change it
}

type seenGeneration struct {
	gen int64
	at  time.Time
}

func (g *generations) remember(ns string, gen int64) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil {
		g.seen = make(map[string]seenGeneration)
	}
	if _, ok := g.seen[ns]; !ok && len(g.seen) >= maxRememberedGenerations {
		for k := range g.seen { // drop an arbitrary entry: it is only a hint
			delete(g.seen, k)
			break
		}
	}
	g.seen[ns] = seenGeneration{gen: gen, at: now}
}

func (g *generations) recent(ns string) (int64, bool) {
	g.mu.Lock()
	sg, ok := g.seen[ns]
	reuse := g.reuse
	g.mu.Unlock()
	if reuse == 0 {
		reuse = generationReuse
	}
	if !ok || time.Since(sg.at) > reuse {
		return 0, false
	}
	return sg.gen, true
}
