// Command dynamo caches function results in DynamoDB with hoarddynamo,
// creating the table when it is missing.
//
//	go run ./examples/dynamo -endpoint http://127.0.0.1:8000   # DynamoDB Local
//	go run ./examples/dynamo -region eu-west-1                 # AWS, credentials from the usual places
//
// With -endpoint the credentials are dummy ones (DynamoDB Local accepts
// any); without it they come from the AWS SDK's default chain.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	hoard "github.com/hoard-go/hoard/core"

	hoarddynamo "github.com/hoard-go/hoard/backends/dynamo"
	"github.com/hoard-go/hoard/examples/internal/tour"
)

func main() {
	endpoint := flag.String("endpoint", "", "DynamoDB endpoint, e.g. http://127.0.0.1:8000 for DynamoDB Local (default: AWS)")
	region := flag.String("region", "us-east-1", "AWS region")
	table := flag.String("table", "hoard-example", "table name (created if missing)")
	flag.Parse()
	if err := run(context.Background(), *endpoint, *region, *table, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dynamo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoint, region, table string, w io.Writer) error {
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	if endpoint != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return err
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}

	// Once, at start-up or deploy time: create the table if it is missing
	// and enable TTL on its expiry attribute. A Store never creates one.
	setup, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := hoarddynamo.CreateTable(setup, dynamodb.NewFromConfig(cfg), hoarddynamo.TableOptions{Table: table}); err != nil {
		return err
	}

	// New does no I/O. Reads are strongly consistent by default, so a
	// Clear is seen by every instance at once.
	store, err := hoarddynamo.New(cfg, hoarddynamo.Options{Table: table})
	if err != nil {
		return err
	}
	c, err := hoard.New(store, hoard.WithPrefix("example"), hoard.WithTimeout(time.Second))
	if err != nil {
		_ = store.Close()
		return err
	}
	defer c.Close()
	return tour.Run(ctx, c, w)
}
