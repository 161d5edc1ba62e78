package hoarddynamo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
	hoard "github.com/hoard-go/hoard/core"
)

var (
	// ErrUnprocessed reports keys that DynamoDB left unprocessed in a batch
	// read after several retries: the table is throttled.
	ErrUnprocessed = errors.New("hoarddynamo: keys left unprocessed (throttled)")
	// ErrTableSchema reports a table whose key schema does not match the
	// options: found by [CreateTable].
	ErrTableSchema = errors.New("hoarddynamo: table schema mismatch")
)

// wrapErr translates a driver error at the boundary. The result always
// wraps err, so callers can still reach the SDK's types (throttling,
// ResourceNotFoundException) with errors.As; a size ValidationException
// also wraps [hoard.ErrTooLarge], and an error of a cancelled or expired ctx
// also wraps ctx.Err().
func wrapErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if isTooLarge(err) {
		return fmt.Errorf("hoarddynamo: %s: %w: %w", op, hoard.ErrTooLarge, err)
	}
	// The SDK wraps context errors in aws.RequestCanceledError, which
	// unwraps, but an error raised while the request was in flight (a
	// broken read, a retry that gave up) may not: make errors.Is hold.
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("hoarddynamo: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("hoarddynamo: %s: %w", op, err)
}

// isTooLarge reports DynamoDB's ValidationException for an item over the
// limit: "Item size has exceeded the maximum allowed size" (PutItem) and
// "Item size to update has exceeded the maximum allowed size" (UpdateItem).
func isTooLarge(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		return false
	}
	msg := strings.ToLower(apiErr.ErrorMessage())
	return strings.Contains(msg, "item size") && strings.Contains(msg, "exceeded the maximum")
}
