package hoarddynamo_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	hoarddynamo "github.com/hoard-go/hoard/backends/dynamo"
	hoard "github.com/hoard-go/hoard/core"
)

// A Store needs only the table name; building it does no I/O. In an
// application the aws.Config comes from config.LoadDefaultConfig(ctx).
func Example() {
	cfg := aws.Config{Region: "eu-west-1"}
	store, err := hoarddynamo.New(cfg, hoarddynamo.Options{Table: "hoard-cache"})
	if err != nil {
		log.Fatal(err)
	}
	cache, err := hoard.New(store, hoard.WithPrefix("shop"))
	if err != nil {
		log.Fatal(err)
	}
	// The item key of product 42 in namespace "products": Clear(ctx,
	// "products") bumps the generation item "gen shop:products".
	fmt.Println(cache.Namespace("products").Key("42"))
	// Output: shop:products:42
}

// Options are checked when the Store is built, never at request time.
func ExampleNewFromClient_invalidOptions() {
	client := dynamodb.New(dynamodb.Options{Region: "eu-west-1"})
	_, err := hoarddynamo.NewFromClient(client, hoarddynamo.Options{})
	fmt.Println(errors.Is(err, hoard.ErrInvalidOption))
	_, err = hoarddynamo.NewFromClient(client, hoarddynamo.Options{Table: "cache", ValueAttribute: "pk"})
	fmt.Println(err)
	// Output:
	// true
	// hoard: invalid option: hoarddynamo: Options.KeyAttribute and Options.ValueAttribute are both "pk"
}

// CreateTable belongs in deployment or start-up code: it creates the table
// (on demand), waits until it is ACTIVE and enables TTL on "ttl". Calling it
// on a ready table only reads.
func ExampleCreateTable() {
	ctx := context.Background()
	client := dynamodb.New(dynamodb.Options{Region: "eu-west-1"})
	if err := hoarddynamo.CreateTable(ctx, client, hoarddynamo.TableOptions{Table: "hoard-cache"}); err != nil {
		log.Fatal(err)
	}
}
