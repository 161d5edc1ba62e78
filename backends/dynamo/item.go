package hoarddynamo

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	hoard "github.com/hoard-go/hoard/core"
)

// MaxItemSize is DynamoDB's limit on an item: the UTF-8 lengths of its
// attribute names plus the sizes of its values.
const MaxItemSize = 400 << 10

// entry is a data item as stored: the value, its expiry in Unix seconds
// (0: none) and the namespace generation it was written in.
type entry struct {
	value   []byte
	expires int64
	gen     int64
}

// expiresAt returns the TTL attribute for a value stored at now for ttl:
// the expiry rounded up to a whole second, so an item never expires early.
// ttl <= 0 means no expiry (0).
func expiresAt(now time.Time, ttl time.Duration) int64 {
	if ttl <= 0 {
		return 0
	}
	exp := now.Add(ttl)
	s := exp.Unix()
	if exp.Nanosecond() != 0 {
		s++
	}
	if s < 1 { // a clock before 1970 still gets an expiry
		s = 1
	}
	return s
}

// expired reports whether an item with TTL attribute expires is past it at
// now. DynamoDB deletes expired items only eventually (typically within
// days), so every read checks.
func expired(expires int64, now time.Time) bool {
	return expires > 0 && now.Unix() >= expires
}

// encode builds the data item for key.
func (s *Store) encode(key string, e entry) map[string]types.AttributeValue {
	item := make(map[string]types.AttributeValue, 4)
	item[s.opts.KeyAttribute] = &types.AttributeValueMemberS{Value: key}
	// A copy, so the caller may reuse value at once: the SDK serialises the
	// request only when the call is made, and a retry serialises it again.
	item[s.opts.ValueAttribute] = &types.AttributeValueMemberB{Value: append([]byte{}, e.value...)}
	if e.expires > 0 {
		item[s.opts.ExpiryAttribute] = &types.AttributeValueMemberN{Value: strconv.FormatInt(e.expires, 10)}
	}
	// Generation 0 is the absence of the attribute, which keeps items small
	// in namespaces that were never cleared.
	if e.gen != 0 {
		item[s.opts.GenerationAttribute] = &types.AttributeValueMemberN{Value: strconv.FormatInt(e.gen, 10)}
	}
	return item
}

// decode reads a data item. A missing generation is generation 0; a missing
// expiry is none. An item of another shape is reported as [hoard.ErrCorrupt].
func (s *Store) decode(item map[string]types.AttributeValue) (entry, error) {
	var e entry
	v, ok := item[s.opts.ValueAttribute].(*types.AttributeValueMemberB)
	if !ok {
		return e, fmt.Errorf("%w: hoarddynamo: item has no Binary attribute %q", hoard.ErrCorrupt, s.opts.ValueAttribute)
	}
	e.value = v.Value
	if e.value == nil {
		e.value = []byte{}
	}
	var err error
	if e.expires, err = numberAttr(item, s.opts.ExpiryAttribute, true); err != nil {
		return e, err
	}
	if e.gen, err = numberAttr(item, s.opts.GenerationAttribute, false); err != nil {
		return e, err
	}
	return e, nil
}

// numberAttr returns the Number attribute name of item, 0 when it is
// absent. Other tools may write a TTL with a fraction or an exponent
// ("1.7e9"); a generation is always an integer.
func numberAttr(item map[string]types.AttributeValue, name string, allowFloat bool) (int64, error) {
	av, ok := item[name]
	if !ok {
		return 0, nil
	}
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("%w: hoarddynamo: attribute %q is not a Number", hoard.ErrCorrupt, name)
	}
	i, err := strconv.ParseInt(n.Value, 10, 64)
	if err == nil {
		return i, nil
	}
	if allowFloat {
		f, ferr := strconv.ParseFloat(n.Value, 64)
		if ferr == nil && !math.IsNaN(f) && f > math.MinInt64 && f < math.MaxInt64 {
			return int64(math.Ceil(f)), nil
		}
	}
	return 0, fmt.Errorf("%w: hoarddynamo: attribute %q = %q is not an integer", hoard.ErrCorrupt, name, n.Value)
}

// itemSize is the size DynamoDB charges for the data item of key: names and
// values, Numbers at their upper bound.
func (s *Store) itemSize(key string, e entry) int {
	n := len(s.opts.KeyAttribute) + len(key) + len(s.opts.ValueAttribute) + len(e.value)
	if e.expires > 0 {
		n += len(s.opts.ExpiryAttribute) + numberSize(e.expires)
	}
	if e.gen != 0 {
		n += len(s.opts.GenerationAttribute) + numberSize(e.gen)
	}
	return n
}

// numberSize bounds the stored size of an integer: DynamoDB documents a
// Number as one byte per two significant digits plus one.
func numberSize(i int64) int {
	digits := len(strconv.FormatInt(i, 10))
	return (digits+1)/2 + 1
}
