package hoard

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
)

// Codec turns values into bytes and back. The cache uses it for typed
// values, function results, and to derive keys from wrapped functions'
// arguments, so Marshal should be deterministic for equal values (JSON is:
// it sorts map keys; gob is not for maps).
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default codec: encoding/json.
var JSON Codec = jsonCodec{}

// Gob encodes with encoding/gob: faster for large structs, Go-only, and
// not deterministic for maps (so a poor choice for wrapped functions whose
// argument holds a map).
var Gob Codec = gobCodec{}

// Raw stores []byte and string values as they are, without encoding. Other
// types are an error.
var Raw Codec = rawCodec{}

type jsonCodec struct{}

func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

type gobCodec struct{}

func (gobCodec) Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (gobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}

type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case *[]byte:
		return *v, nil
	case *string:
		return []byte(*v), nil
	}
	return nil, fmt.Errorf("hoard: Raw codec cannot encode %T (only []byte and string)", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case *[]byte:
		*v = bytes.Clone(data)
		if *v == nil {
			*v = []byte{}
		}
		return nil
	case *string:
		*v = string(data)
		return nil
	}
	return fmt.Errorf("hoard: Raw codec cannot decode into %T (only *[]byte and *string)", v)
}
