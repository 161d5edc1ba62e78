package hoarddynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

// TableClient is the part of the DynamoDB API [CreateTable] uses.
// *dynamodb.Client implements it.
type TableClient interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	DescribeTimeToLive(ctx context.Context, in *dynamodb.DescribeTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTimeToLiveOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

var _ TableClient = (*dynamodb.Client)(nil)

// TableOptions configures [CreateTable]. The attribute names must match the
// [Options] of the Stores using the table.
type TableOptions struct {
	// Table is the table's name. Required.
	Table string
	// KeyAttribute names the String partition key. Default "pk".
	KeyAttribute string
	// ExpiryAttribute names the attribute DynamoDB TTL deletes items by.
	// Default "ttl".
	ExpiryAttribute string
	// PollInterval is the first wait between DescribeTable calls while the
	// table is being created; the wait doubles up to MaxPollInterval.
	// Default 100ms. (The SDK's waiter starts at 20s, far too slow for a
	// table that is ready in a second.)
	PollInterval time.Duration
	// MaxPollInterval caps the wait between DescribeTable calls.
	// Default 1s.
	MaxPollInterval time.Duration
	// Timeout bounds the whole call, on top of ctx. Default 2 minutes.
	Timeout time.Duration
}

func (o TableOptions) withDefaults() (TableOptions, error) {
	if o.Table == "" {
		return o, fmt.Errorf("%w: hoarddynamo: TableOptions.Table is required", hoard.ErrInvalidOption)
	}
	if o.KeyAttribute == "" {
		o.KeyAttribute = DefaultKeyAttribute
	}
	if o.ExpiryAttribute == "" {
		o.ExpiryAttribute = DefaultExpiryAttribute
	}
	if o.KeyAttribute == o.ExpiryAttribute {
		return o, fmt.Errorf("%w: hoarddynamo: TableOptions.KeyAttribute and ExpiryAttribute are both %q", hoard.ErrInvalidOption, o.KeyAttribute)
	}
	for _, a := range []struct{ field, name string }{{"KeyAttribute", o.KeyAttribute}, {"ExpiryAttribute", o.ExpiryAttribute}} {
		if err := validateAttributeName(a.field, a.name); err != nil {
			return o, err
		}
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 100 * time.Millisecond
	}
	if o.MaxPollInterval <= 0 {
		o.MaxPollInterval = time.Second
	}
	if o.MaxPollInterval < o.PollInterval {
		o.MaxPollInterval = o.PollInterval
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Minute
	}
	return o, nil
}

// CreateTable makes sure the cache table exists and is ready: it creates it
// (on-demand capacity, a String partition key, no sort key) when it is
// missing, waits until it is ACTIVE, and enables DynamoDB TTL on the expiry
// attribute. It is idempotent: on a ready table it only reads. An existing
// table with another key schema, or with TTL on another attribute, is an
// error wrapping [ErrTableSchema].
//
// Call it at deploy or start-up time, not on a request path: a Store never
// creates a table.
func CreateTable(ctx context.Context, client TableClient, opts TableOptions) error {
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	if client == nil {
		return fmt.Errorf("%w: hoarddynamo: nil client", hoard.ErrInvalidOption)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	desc, err := describeTable(ctx, client, o.Table)
	if err != nil {
		return err
	}
	if desc == nil {
		_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:            &o.Table,
			BillingMode:          types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: &o.KeyAttribute, AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: &o.KeyAttribute, KeyType: types.KeyTypeHash}},
		})
		// Another process may have created it since: that is fine.
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return wrapErr(ctx, "create table", err)
		}
	}
	if desc, err = waitActive(ctx, client, o, desc); err != nil {
		return err
	}
	if err := checkKeySchema(desc, o); err != nil {
		return err
	}
	return enableTTL(ctx, client, o)
}

// describeTable returns the table's description, nil when it does not
// exist.
func describeTable(ctx context.Context, client TableClient, table string) (*types.TableDescription, error) {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return nil, nil
	case err != nil:
		return nil, wrapErr(ctx, "describe table", err)
	}
	return out.Table, nil
}

// waitActive polls DescribeTable until the table is ACTIVE, starting with
// desc when it is already known.
func waitActive(ctx context.Context, client TableClient, o TableOptions, desc *types.TableDescription) (*types.TableDescription, error) {
	wait := o.PollInterval
	for {
		if desc != nil {
			switch desc.TableStatus {
			case types.TableStatusActive:
				return desc, nil
			case types.TableStatusDeleting, types.TableStatusArchived, types.TableStatusArchiving, types.TableStatusInaccessibleEncryptionCredentials:
				return nil, fmt.Errorf("hoarddynamo: table %q is %s", o.Table, desc.TableStatus)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("hoarddynamo: waiting for table %q to be ACTIVE: %w", o.Table, ctx.Err())
		case <-t.C:
		}
		wait = min(2*wait, o.MaxPollInterval)
		var err error
		if desc, err = describeTable(ctx, client, o.Table); err != nil {
			return nil, err
		}
	}
}

func checkKeySchema(desc *types.TableDescription, o TableOptions) error {
	ok := len(desc.KeySchema) == 1 && desc.KeySchema[0].KeyType == types.KeyTypeHash &&
		aws.ToString(desc.KeySchema[0].AttributeName) == o.KeyAttribute
	if ok {
		for _, d := range desc.AttributeDefinitions {
			if aws.ToString(d.AttributeName) == o.KeyAttribute && d.AttributeType != types.ScalarAttributeTypeS {
				ok = false
			}
		}
	}
	if !ok {
		return fmt.Errorf("%w: table %q must have only a String partition key %q", ErrTableSchema, o.Table, o.KeyAttribute)
	}
	return nil
}

// enableTTL turns DynamoDB TTL on for the expiry attribute unless it is on
// (or being turned on) already. DynamoDB allows one TTL attribute per table.
func enableTTL(ctx context.Context, client TableClient, o TableOptions) error {
	out, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: &o.Table})
	if err != nil {
		return wrapErr(ctx, "describe time to live", err)
	}
	if d := out.TimeToLiveDescription; d != nil {
		attr := aws.ToString(d.AttributeName)
		switch d.TimeToLiveStatus {
		case types.TimeToLiveStatusEnabled, types.TimeToLiveStatusEnabling:
			if attr != o.ExpiryAttribute {
				return fmt.Errorf("%w: table %q has TTL on %q, not %q", ErrTableSchema, o.Table, attr, o.ExpiryAttribute)
			}
			return nil
		case types.TimeToLiveStatusDisabling:
			// DynamoDB refuses a change until disabling completes (up to an hour).
			return fmt.Errorf("hoarddynamo: table %q: TTL is being disabled; retry later", o.Table)
		}
	}
	_, err = client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: &o.Table,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: &o.ExpiryAttribute,
			Enabled:       aws.Bool(true),
		},
	})
	return wrapErr(ctx, "update time to live", err)
}
