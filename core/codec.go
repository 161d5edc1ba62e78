package hoard

import (
	"bytes"
	"encoding"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"
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

// A value the JSON codec decodes into a zero T can be copied instead of
// decoded again from the same bytes, when a copy is certain to equal what
// decoding would give and to share nothing mutable with the original. The
// function cache does that on hits (see valueMemo): decoding is most of a
// hit's CPU time, a copy a small part of it.

// copier copies src into dst (a settable zero value of src's type) and
// reports whether it could; on false dst may be partly written.
type copier func(dst, src reflect.Value) bool

var (
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	timeType            = reflect.TypeFor[time.Time]()

	copiers sync.Map // reflect.Type -> copier (nil: not copyable)
)

// copyValue is the copier of every plain type: no pointers, slices, maps or
// interfaces inside (strings are immutable, so they count as plain).
func copyValue(dst, src reflect.Value) bool { dst.Set(src); return true }

// jsonCopier returns a copier for values of t decoded by the JSON codec, or
// nil when t holds something a copy might not reproduce: a type with its own
// UnmarshalJSON or UnmarshalText (it may keep or share anything; time.Time
// is the exception: a plain value whose *Location is never changed),
// channels, functions, unsafe pointers, or an unexported embedded struct
// with references inside.
func jsonCopier(t reflect.Type) copier {
	if cp, ok := copiers.Load(t); ok {
		return cp.(copier)
	}
	b := copyBuilder{building: map[reflect.Type]*copier{}}
	cp, ok := b.build(t)
	if !ok {
		cp = nil
	}
	copiers.Store(t, cp)
	return cp
}

// copyBuilder builds the copier of one type. building holds the types being
// built, so a recursive type refers to its own copier.
type copyBuilder struct {
	building map[reflect.Type]*copier
}

func (b *copyBuilder) build(t reflect.Type) (copier, bool) {
	if cell, ok := b.building[t]; ok {
		return func(dst, src reflect.Value) bool { return (*cell)(dst, src) }, true
	}
	if t == timeType {
		return copyValue, true
	}
	if t.Kind() != reflect.Interface && (t.Implements(jsonUnmarshalerType) || t.Implements(textUnmarshalerType) ||
		reflect.PointerTo(t).Implements(jsonUnmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType)) {
		return nil, false
	}
	cell := new(copier)
	b.building[t] = cell
	defer delete(b.building, t)
	cp, ok := b.buildKind(t)
	*cell = cp
	return cp, ok
}

func (b *copyBuilder) buildKind(t reflect.Type) (copier, bool) {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return copyValue, true
	case reflect.Pointer:
		elem, ok := b.build(t.Elem())
		return func(dst, src reflect.Value) bool {
			if src.IsNil() {
				return true
			}
			p := reflect.New(t.Elem())
			dst.Set(p)
			return elem(p.Elem(), src.Elem())
		}, ok
	case reflect.Slice:
		elem, ok := b.build(t.Elem())
		plain := isPlain(t.Elem())
		return func(dst, src reflect.Value) bool {
			if src.IsNil() {
				return true // nil stays nil, as decoding null gives
			}
			n := src.Len()
			if n == 0 {
				dst.Set(reflect.MakeSlice(t, 0, 0)) // empty, not nil
				return true
			}
			// Grow and SetLen fill dst in place: MakeSlice would also
			// allocate a slice header.
			dst.Grow(n)
			dst.SetLen(n)
			if plain {
				reflect.Copy(dst, src)
				return true
			}
			for i := range n {
				if !elem(dst.Index(i), src.Index(i)) {
					return false
				}
			}
			return true
		}, ok
	case reflect.Array:
		elem, ok := b.build(t.Elem())
		if isPlain(t.Elem()) {
			return copyValue, ok
		}
		return func(dst, src reflect.Value) bool {
			for i := range t.Len() {
				if !elem(dst.Index(i), src.Index(i)) {
					return false
				}
			}
			return true
		}, ok
	case reflect.Map:
		if _, ok := b.build(t.Key()); !ok || !isPlain(t.Key()) {
			return nil, false
		}
		elem, ok := b.build(t.Elem())
		plain := isPlain(t.Elem())
		return func(dst, src reflect.Value) bool {
			if src.IsNil() {
				return true
			}
			m := reflect.MakeMapWithSize(t, src.Len())
			dst.Set(m)
			v := reflect.New(t.Elem()).Elem()
			for it := src.MapRange(); it.Next(); {
				if plain {
					m.SetMapIndex(it.Key(), it.Value())
					continue
				}
				v.SetZero()
				if !elem(v, it.Value()) {
					return false
				}
				m.SetMapIndex(it.Key(), v)
			}
			return true
		}, ok
	case reflect.Interface:
		// JSON fills only empty interfaces, with maps, slices and scalars;
		// what is inside is copied by its own type.
		return func(dst, src reflect.Value) bool {
			if src.IsNil() {
				return true
			}
			e := src.Elem()
			if isPlain(e.Type()) {
				dst.Set(src) // shares the boxed scalar, which nothing can change
				return true
			}
			cp := jsonCopier(e.Type())
			if cp == nil {
				return false
			}
			v := reflect.New(e.Type()).Elem()
			if !cp(v, e) {
				return false
			}
			dst.Set(v)
			return true
		}, true
	case reflect.Struct:
		type field struct {
			i  int
			cp copier
		}
		var deep []field
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue // JSON leaves it zero
			}
			cp, ok := b.build(f.Type)
			switch {
			case !ok:
				return nil, false
			case isPlain(f.Type):
				continue // copied with the struct
			case !f.IsExported():
				// JSON fills the exported fields of an unexported embedded
				// struct, but reflection cannot set them to copy deeper.
				return nil, false
			}
			deep = append(deep, field{i, cp})
		}
		if len(deep) == 0 {
			return copyValue, true
		}
		return func(dst, src reflect.Value) bool {
			dst.Set(src) // the plain fields; the others are replaced below
			for _, f := range deep {
				d := dst.Field(f.i)
				d.SetZero()
				if !f.cp(d, src.Field(f.i)) {
					return false
				}
			}
			return true
		}, true
	}
	return nil, false // channels, functions, unsafe pointers, complex numbers
}

// isPlain reports whether a value of t holds no references a copy would
// share: no pointers, slices, maps or interfaces (strings are immutable).
// time.Time counts as plain.
func isPlain(t reflect.Type) bool {
	if t == timeType {
		return true
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	case reflect.Array:
		return isPlain(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !isPlain(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}
