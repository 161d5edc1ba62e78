package hoarddynamo

import (
	"fmt"
	"time"
	"unicode/utf8"

	hoard "github.com/hoard-go/hoard/core"
)

// Default attribute names. Short names keep every item small: DynamoDB
// counts attribute names against the 400 KB item limit and the read and
// write capacity an item costs.
const (
	DefaultKeyAttribute        = "pk"
	DefaultValueAttribute      = "v"
	DefaultExpiryAttribute     = "ttl"
	DefaultGenerationAttribute = "gen"
)

// maxAttributeNameLen is DynamoDB's limit for an attribute name.
const maxAttributeNameLen = 255

// Options configures a [Store]. The zero value of every field but Table is
// a usable default.
type Options struct {
	// Table is the name (or ARN) of the DynamoDB table. Required. Create it
	// with [CreateTable] or any tool, with a String partition key named
	// KeyAttribute, no sort key, and TTL enabled on ExpiryAttribute.
	Table string

	// KeyAttribute names the table's partition key (type String), which
	// holds the cache key. Default "pk".
	KeyAttribute string
	// ValueAttribute names the Binary attribute holding the value.
	// Default "v".
	ValueAttribute string
	// ExpiryAttribute names the Number attribute holding an item's expiry
	// in Unix epoch seconds: the table's TTL attribute. Items without expiry
	// do not have it. Default "ttl".
	ExpiryAttribute string
	// GenerationAttribute names the Number attribute that records the
	// namespace generation an item was written in, and the counter on a
	// namespace's generation item (see [Store.ClearNamespace]).
	// Default "gen".
	GenerationAttribute string

	// EventuallyConsistentReads makes Get and GetMulti use eventually
	// consistent reads. The default (false) is strongly consistent reads:
	// a Set, Delete or ClearNamespace is seen by every instance at once, as
	// the cache contract asks. Eventually consistent reads cost half the
	// read capacity, but may serve a deleted or cleared entry for up to
	// about a second.
	EventuallyConsistentReads bool

	// Now returns the current time; tests set it to move time forward.
	// Default time.Now.
	Now func() time.Time
}

// withDefaults returns o with its defaults filled in, or an error wrapping
// [hoard.ErrInvalidOption].
func (o Options) withDefaults() (Options, error) {
	if o.Table == "" {
		return o, fmt.Errorf("%w: hoarddynamo: Options.Table is required", hoard.ErrInvalidOption)
	}
	if o.KeyAttribute == "" {
		o.KeyAttribute = DefaultKeyAttribute
	}
	if o.ValueAttribute == "" {
		o.ValueAttribute = DefaultValueAttribute
	}
	if o.ExpiryAttribute == "" {
		o.ExpiryAttribute = DefaultExpiryAttribute
	}
	if o.GenerationAttribute == "" {
		o.GenerationAttribute = DefaultGenerationAttribute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	names := []struct{ field, name string }{
		{"KeyAttribute", o.KeyAttribute},
		{"ValueAttribute", o.ValueAttribute},
		{"ExpiryAttribute", o.ExpiryAttribute},
		{"GenerationAttribute", o.GenerationAttribute},
	}
	seen := make(map[string]string, len(names))
	for _, n := range names {
		if err := validateAttributeName(n.field, n.name); err != nil {
			return o, err
		}
		if other, dup := seen[n.name]; dup {
			return o, fmt.Errorf("%w: hoarddynamo: Options.%s and Options.%s are both %q", hoard.ErrInvalidOption, other, n.field, n.name)
		}
		seen[n.name] = n.field
	}
	return o, nil
}

func validateAttributeName(field, name string) error {
	if len(name) > maxAttributeNameLen || !utf8.ValidString(name) {
		return fmt.Errorf("%w: hoarddynamo: Options.%s must be valid UTF-8 of at most %d bytes", hoard.ErrInvalidOption, field, maxAttributeNameLen)
	}
	return nil
}
