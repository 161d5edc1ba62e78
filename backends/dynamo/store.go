package hoarddynamo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

// Client is the part of the DynamoDB API a [Store] uses. *dynamodb.Client
// implements it.
type Client interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

var (
	_ Client                 = (*dynamodb.Client)(nil)
	_ hoard.Backend          = (*Store)(nil)
	_ hoard.NamespaceClearer = (*Store)(nil)
	_ io.Closer              = (*Store)(nil)
)

// Store is a [hoard.Backend] on a DynamoDB table. It is safe for concurrent
// use.
type Store struct {
	client Client
	opts   Options
	closed atomic.Bool
	gens   generations
}

// New returns a Store using a DynamoDB client built from cfg (typically
// from config.LoadDefaultConfig). It does no I/O: the table must already
// exist (see [CreateTable]).
func New(cfg aws.Config, opts Options) (*Store, error) {
	return NewFromClient(dynamodb.NewFromConfig(cfg), opts)
}

// NewFromClient returns a Store using a client the caller already has. The
// Store does not own the client.
func NewFromClient(client Client, opts Options) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: hoarddynamo: nil client", hoard.ErrInvalidOption)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Store{client: client, opts: o}, nil
}

// Get returns the value stored under key. An item past its expiry, or
// written before its namespace was cleared, is a miss ([hoard.ErrNotFound])
// even while DynamoDB still holds it.
//
// A key in a namespace is read together with the namespace's generation
// item in one BatchGetItem; a key without a namespace with one GetItem.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(key); err != nil {
		return nil, err
	}
	ns, ok := hoard.KeyNamespace(key)
	if !ok {
		out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:      &s.opts.Table,
			Key:            s.keyOf(key),
			ConsistentRead: s.consistent(),
		})
		if err != nil {
			return nil, wrapErr(ctx, "get", err)
		}
		return s.hit(out.Item, 0)
	}
	found, err := s.batchGet(ctx, []string{key, generationKey(ns)})
	if err != nil {
		return nil, err
	}
	return s.batchHit(found, key, nil)
}

// batchHit returns key's value from found, what batchGet read for it:
// key's item and, for a key in a namespace, the namespace's generation
// item, whose generation it remembers for writes (see generation). gens,
// when not nil, holds the generations already read from found, so each is
// decoded once per batch.
func (s *Store) batchHit(found map[string]map[string]types.AttributeValue, key string, gens map[string]int64) ([]byte, error) {
	var gen int64
	if ns, ok := hoard.KeyNamespace(key); ok {
		g, known := gens[ns]
		if !known {
			var err error
			if g, err = numberAttr(found[generationKey(ns)], s.opts.GenerationAttribute, false); err != nil {
				return nil, err
			}
			if gens != nil {
				gens[ns] = g
			}
			s.gens.remember(ns, g)
		}
		gen = g
	}
	return s.hit(found[key], gen)
}

// hit returns item's value if it is live and of generation gen.
func (s *Store) hit(item map[string]types.AttributeValue, gen int64) ([]byte, error) {
	if item == nil {
		return nil, hoard.ErrNotFound
	}
	e, err := s.decode(item)
	if err != nil {
		return nil, err
	}
	if expired(e.expires, s.opts.Now()) || e.gen != gen {
		return nil, hoard.ErrNotFound
	}
	return e.value, nil
}

// Set stores value under key for ttl (<= 0: no expiry) with one PutItem,
// tagged with its namespace's generation. A value whose item would exceed
// [MaxItemSize] is refused before it is sent, with an error wrapping
// [hoard.ErrTooLarge].
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.check(key); err != nil {
		return err
	}
	now := s.opts.Now()
	e := entry{value: value, expires: expiresAt(now, ttl)}
	// Checked before the generation is looked up, so a value that can never
	// fit costs no round trip, and again with it.
	if err := s.checkSize(key, e); err != nil {
		return err
	}
	if ns, ok := hoard.KeyNamespace(key); ok {
		gen, err := s.generation(ctx, ns)
		if err != nil {
			return err
		}
		e.gen = gen
		if err := s.checkSize(key, e); err != nil {
			return err
		}
	}
	_, err := s.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.opts.Table,
		Item:      s.encode(key, e),
	})
	return wrapErr(ctx, "set", err)
}

// Delete removes key with one DeleteItem. A missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(key); err != nil {
		return err
	}
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.opts.Table,
		Key:       s.keyOf(key),
	})
	return wrapErr(ctx, "delete", err)
}

// Close marks the Store closed: later calls return [hoard.ErrClosed]. The
// client is the caller's and stays usable.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

func (s *Store) checkSize(key string, e entry) error {
	if n := s.itemSize(key, e); n > MaxItemSize {
		return fmt.Errorf("hoarddynamo: set: %w: item of %d bytes, DynamoDB's limit is %d", hoard.ErrTooLarge, n, MaxItemSize)
	}
	return nil
}

// check refuses calls after Close and keys that could address a generation
// item (hoard keys never contain spaces) or that DynamoDB would reject.
func (s *Store) check(key string) error {
	if s.closed.Load() {
		return hoard.ErrClosed
	}
	if key == "" || strings.IndexByte(key, ' ') >= 0 {
		return fmt.Errorf("%w: hoarddynamo: key %q is empty or has a space", hoard.ErrInvalidKey, key)
	}
	return nil
}

func (s *Store) keyOf(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{s.opts.KeyAttribute: &types.AttributeValueMemberS{Value: key}}
}

func (s *Store) consistent() *bool {
	return aws.Bool(!s.opts.EventuallyConsistentReads)
}
