package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/redis/go-redis/v9"

	hoard "github.com/hoard-go/hoard/core"

	hoarddynamo "github.com/hoard-go/hoard/backends/dynamo"
	hoardmemcache "github.com/hoard-go/hoard/backends/memcache"
	hoardredis "github.com/hoard-go/hoard/backends/redis"

	"github.com/hoard-go/hoard/examples/quickstart/internal/demo"
)

// connectTimeout bounds the start-up check that a server answers.
const connectTimeout = demo.ConnectTimeout

// createTableTimeout bounds creating a missing DynamoDB table, which takes
// seconds on AWS.
const createTableTimeout = 2 * time.Minute

// openBackend builds the backend b names and checks, within ctx, that its
// server answers. The caller closes it (through the Cache).
func openBackend(ctx context.Context, b demo.BackendURL) (hoard.Backend, error) {
	switch b.Kind {
	case demo.KindMemory:
		return demo.OpenMemory(ctx, b)
	case demo.KindRedis:
		return openRedis(ctx, b)
	case demo.KindMemcache:
		return openMemcache(ctx, b)
	case demo.KindDynamo:
		return openDynamo(ctx, b)
	}
	return nil, fmt.Errorf("unknown backend kind %q", b.Kind)
}

func openRedis(ctx context.Context, b demo.BackendURL) (hoard.Backend, error) {
	// hoard logs backend failures itself (WithLogger); go-redis's own log
	// lines would repeat them, and break the one-line start-up error.
	redis.SetLogger(quietRedis{})
	// New pings within ctx; no retries, so a dead server fails at once.
	store, err := hoardredis.New(ctx, hoardredis.Options{URL: b.URL, DialTimeout: connectTimeout})
	if err != nil {
		if errors.Is(err, hoard.ErrInvalidOption) {
			return nil, fmt.Errorf("backend URL %s: %w", b.Display, err)
		}
		return nil, fmt.Errorf("cannot reach redis at %s: %w", b.Addrs[0], err)
	}
	return store, nil
}

func openMemcache(ctx context.Context, b demo.BackendURL) (hoard.Backend, error) {
	// hoardmemcache.New does no I/O: dial every server, so the one that is
	// down is named, then ask one for a key to check it speaks memcached.
	var d net.Dialer
	for _, addr := range b.Addrs {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, fmt.Errorf("cannot reach memcached at %s: %w", addr, err)
		}
		_ = conn.Close()
	}
	store, err := hoardmemcache.New(hoardmemcache.Options{Servers: b.Addrs})
	if err != nil {
		return nil, fmt.Errorf("backend URL %s: %w", b.Display, err)
	}
	if err := probe(ctx, store); err != nil {
		_ = store.Close()
		return nil, fmt.Errorf("memcached at %v does not answer: %w", b.Addrs, err)
	}
	return store, nil
}

func openDynamo(ctx context.Context, b demo.BackendURL) (hoard.Backend, error) {
	region := b.Region
	for _, env := range []string{"AWS_REGION", "AWS_DEFAULT_REGION"} {
		if region == "" {
			region = os.Getenv(env)
		}
	}
	if region == "" {
		region = "us-east-1"
	}
	creds, err := dynamoCredentials(b.Endpoint != "")
	if err != nil {
		return nil, err
	}
	opts := dynamodb.Options{Region: region, Credentials: creds}
	if b.Endpoint != "" {
		opts.BaseEndpoint = aws.String(b.Endpoint)
	}
	client := dynamodb.New(opts)
	where := b.Endpoint
	if where == "" {
		where = "AWS " + region
	}
	// One attempt: the SDK would otherwise retry a refused connection with
	// backoff until ctx ends.
	_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &b.Table},
		func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 })
	var missing *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &missing) {
		return nil, fmt.Errorf("cannot reach DynamoDB at %s: %w", where, err)
	}
	// The server answers: create the table if it is missing, enable TTL if
	// it is off (on a ready table CreateTable only reads).
	create, cancel := context.WithTimeout(context.WithoutCancel(ctx), createTableTimeout)
	defer cancel()
	if err := hoarddynamo.CreateTable(create, client, hoarddynamo.TableOptions{Table: b.Table}); err != nil {
		return nil, fmt.Errorf("preparing DynamoDB table %q at %s: %w", b.Table, where, err)
	}
	return hoarddynamo.NewFromClient(client, hoarddynamo.Options{Table: b.Table})
}

// dynamoCredentials returns the environment's AWS keys, or dummy ones for
// a local endpoint (DynamoDB Local checks that requests are signed, not by
// whom). Nothing else is looked up: no shared config files, and never the
// EC2 metadata service.
func dynamoCredentials(local bool) (aws.CredentialsProvider, error) {
	c := aws.Credentials{
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
		Source:          "environment",
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		if !local {
			return nil, errors.New("dynamodb:// without ?endpoint= talks to AWS and needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
		c = aws.Credentials{AccessKeyID: "hoard", SecretAccessKey: "quickstart", Source: "quickstart dummy"}
	}
	return aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return c, nil
	})), nil
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

// probe reads a key that is never written: a miss means the server
// answered.
func probe(ctx context.Context, b hoard.Backend) error {
	_, err := b.Get(ctx, hoard.JoinKey("quickstart", "probe", "ping"))
	if err == nil || errors.Is(err, hoard.ErrNotFound) {
		return nil
	}
	return err
}
