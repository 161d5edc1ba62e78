package hoard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Types for the copier's catalogue.
type (
	copyInner struct {
		N    int
		List []int
	}
	copyNode struct {
		Name string
		Kids []*copyNode
		Next *copyNode
	}
	CopyEmbedded      struct{ Tags []string }
	copyPlainEmbedded struct {
		A, B int
	}
	copyDeepEmbedded struct{ Tags []string }
	copyAll          struct {
		Bool     bool
		Int      int64
		Uint     uint8
		Float    float64
		Str      string
		Bytes    []byte
		Strs     []string
		Nil      []int
		Empty    []int
		Arr      [2]*int
		Map      map[string][]int
		IntKeys  map[int]string
		Ptr      *copyInner
		PtrPtr   **int
		Any      any
		Anys     []any
		When     time.Time
		Inner    copyInner
		Inners   []copyInner
		hidden   []int // JSON never fills it
		Skipped  []int `json:"-"`
		AsString int   `json:",string"`
		CopyEmbedded
	}
	copyInner2 struct{ X int }

	customJSON  struct{ V []int }
	customText  int
	textKey     string
	copyWithRaw struct{ Raw json.RawMessage }
)

func (c *customJSON) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, &c.V) }
func (c *customText) UnmarshalText(b []byte) error { *c = customText(len(b)); return nil }
func (k *textKey) UnmarshalText(b []byte) error    { *k = textKey(b); return nil }

func intPtr(n int) *int { return &n }

func TestJSONCopier(t *testing.T) {
	pp := intPtr(9)
	tests := []struct {
		name     string
		value    any // a pointer to a value of the type under test
		copyable bool
	}{
		{"Int", new(int), true},
		{"String", ptrTo("s"), true},
		{"Bytes", ptrTo([]byte("bytes")), true},
		{"NilSlice", ptrTo([]int(nil)), true},
		{"EmptySlice", ptrTo([]int{}), true},
		{"Time", ptrTo(time.Date(2025, 1, 2, 3, 4, 5, 6, time.FixedZone("", 3600))), true},
		{"Map", ptrTo(map[string][]int{"a": {1}, "b": nil, "c": {}}), true},
		{"MapOfAny", ptrTo(map[string]any{"a": []any{1.0, "x", map[string]any{"b": true}}, "n": nil}), true},
		{"Any", ptrTo(any(map[string]any{"deep": []any{[]any{1.0}}})), true},
		{"AnyScalar", ptrTo(any("text")), true},
		{"Pointer", ptrTo(&copyInner{N: 1, List: []int{1, 2}}), true},
		{"Recursive", ptrTo(copyNode{Name: "root", Kids: []*copyNode{{Name: "a"}, {Name: "b", Kids: []*copyNode{{Name: "c"}}}}, Next: &copyNode{Name: "n"}}), true},
		{"Everything", &copyAll{
			Bool: true, Int: -1, Uint: 2, Float: 1.5, Str: "s", Bytes: []byte{0, 1}, Strs: []string{"a", "b"},
			Empty: []int{}, Arr: [2]*int{intPtr(1), nil}, Map: map[string][]int{"k": {1, 2}},
			IntKeys: map[int]string{3: "three"}, Ptr: &copyInner{N: 2, List: []int{3}}, PtrPtr: &pp,
			Any: map[string]any{"x": []any{"y"}}, Anys: []any{1.0, nil, "z"}, When: time.Unix(1_700_000_000, 0).UTC(),
			Inner: copyInner{List: []int{4}}, Inners: []copyInner{{N: 1}, {List: []int{5}}}, AsString: 12,
			CopyEmbedded: CopyEmbedded{Tags: []string{"t"}},
		}, true},
		{"UnexportedEmbeddedPointer", ptrTo(struct{ *copyInner2 }{}), false},
		{"PlainUnexportedEmbedded", ptrTo(struct {
			copyPlainEmbedded
			S []int
		}{copyPlainEmbedded{1, 2}, []int{3}}), true},
		{"DeepUnexportedEmbedded", ptrTo(struct{ copyDeepEmbedded }{copyDeepEmbedded{[]string{"x"}}}), false},
		{"CustomJSON", ptrTo(customJSON{V: []int{1}}), false},
		{"CustomJSONField", ptrTo(struct{ C customJSON }{customJSON{V: []int{1}}}), false},
		{"CustomTextField", ptrTo(struct{ C []customText }{}), false},
		{"TextMapKey", ptrTo(map[textKey]int{"a": 1}), false},
		{"RawMessage", ptrTo(copyWithRaw{Raw: json.RawMessage(`{"a":1}`)}), false},
		{"EmbeddedTime", ptrTo(struct {
			time.Time
			N int
		}{}), false},
		{"Chan", ptrTo(struct{ C chan int }{}), false},
		{"Func", ptrTo(struct{ F func() }{}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			typ := reflect.TypeOf(tc.value).Elem()
			cp := jsonCopier(typ)
			if (cp != nil) != tc.copyable {
				t.Fatalf("jsonCopier(%v) copyable = %v, want %v", typ, cp != nil, tc.copyable)
			}
			if cp == nil {
				return
			}
			b, err := json.Marshal(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			decoded := reflect.New(typ)
			if err := json.Unmarshal(b, decoded.Interface()); err != nil {
				t.Fatal(err)
			}
			checkCopy(t, cp, decoded.Elem())
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

// checkCopy copies src with cp and checks the copy equals src and shares
// no memory a caller could change with it.
func checkCopy(t *testing.T, cp copier, src reflect.Value) {
	t.Helper()
	dst := reflect.New(src.Type()).Elem()
	if !cp(dst, src) {
		t.Fatalf("copy of %v failed", src.Type())
	}
	if !reflect.DeepEqual(dst.Interface(), src.Interface()) {
		t.Fatalf("copy differs:\n got %#v\nwant %#v", dst.Interface(), src.Interface())
	}
	if path := sharedPath(dst, src, src.Type().String()); path != "" {
		t.Fatalf("copy shares %s with the original", path)
	}
}

// sharedPath returns the path of the first pointer, slice or map that a and b
// share, or "".
func sharedPath(a, b reflect.Value, path string) string {
	if a.Type() == timeType {
		return "" // its *Location never changes: sharing it is safe
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return sharedPath(a.Elem(), b.Elem(), "(*"+path+")")
	case reflect.Slice:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range min(a.Len(), b.Len()) {
			if p := sharedPath(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Array:
		for i := range a.Len() {
			if p := sharedPath(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for it := a.MapRange(); it.Next(); {
			if bv := b.MapIndex(it.Key()); bv.IsValid() {
				if p := sharedPath(it.Value(), bv, fmt.Sprintf("%s[%v]", path, it.Key())); p != "" {
					return p
				}
			}
		}
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		return sharedPath(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if p := sharedPath(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

// FuzzJSONCopy: whatever JSON decodes into a generic value or a struct, a
// copy of the decoded value equals it and shares nothing with it.
func FuzzJSONCopy(f *testing.F) {
	f.Add(`{"Str":"a","Strs":["b"],"Map":{"k":[1,2]},"Any":{"x":[1,"y",null,{"z":true}]},"Ptr":{"N":1,"List":[]}}`)
	f.Add(`[1,"two",[3],{"four":4},null,true]`)
	f.Add(`{"Name":"r","Kids":[{"Name":"a","Kids":[{"Name":"b"}]}],"Next":{"Name":"n"}}`)
	f.Add(`null`)
	f.Fuzz(func(t *testing.T, in string) {
		for _, typ := range []reflect.Type{reflect.TypeFor[any](), reflect.TypeFor[copyAll](), reflect.TypeFor[copyNode]()} {
			v := reflect.New(typ)
			if json.Unmarshal([]byte(in), v.Interface()) != nil {
				continue
			}
			checkCopy(t, jsonCopier(typ), v.Elem())
		}
	})
}

// TestDecodeValueMemo: a hit on the bytes decoded last time for the key is
// a copy of that value; other bytes, another type, another codec or a large
// value are decoded.
func TestDecodeValueMemo(t *testing.T) {
	type value struct {
		Tags []string
		N    int
	}
	encode := func(v value) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := encode(value{Tags: []string{"a"}, N: 1}), encode(value{Tags: []string{"b"}, N: 2})
	big := encode(value{Tags: []string{strings.Repeat("x", valueMemoMaxBytes)}})
	memoOf := func(c *Cache, key string) *valueMemo {
		for i := range c.values {
			if m := c.values[i].Load(); m != nil && m.key == key {
				return m
			}
		}
		return nil
	}
	tests := []struct {
		name  string
		run   func(t *testing.T, c *Cache) // c has a's memo under "k"
		check func(t *testing.T, before, after *valueMemo)
	}{
		{"SameBytes", func(t *testing.T, c *Cache) {
			// Other slices with the same bytes, as a remote backend returns.
			for range 3 {
				v, err := decodeValue[value](c, "k", bytes.Clone(a), JSON)
				if err != nil || v.N != 1 || v.Tags[0] != "a" {
					t.Fatalf("decodeValue = %+v, %v", v, err)
				}
				v.Tags[0] = "changed"
			}
		}, func(t *testing.T, before, after *valueMemo) {
			if before != after {
				t.Error("the same bytes were decoded again")
			}
			if got := after.val.(*value).Tags[0]; got != "a" {
				t.Errorf("a caller's change reached the memo: %q", got)
			}
		}},
		{"OtherBytes", func(t *testing.T, c *Cache) {
			if v, err := decodeValue[value](c, "k", b, JSON); err != nil || v.N != 2 {
				t.Fatalf("decodeValue = %+v, %v", v, err)
			}
		}, func(t *testing.T, before, after *valueMemo) {
			if before == after || after.val.(*value).N != 2 {
				t.Error("new bytes did not replace the memo")
			}
		}},
		{"OtherType", func(t *testing.T, c *Cache) {
			if v, err := decodeValue[map[string]any](c, "k", a, JSON); err != nil || v["N"] != 1.0 {
				t.Fatalf("decodeValue = %+v, %v", v, err)
			}
		}, func(t *testing.T, before, after *valueMemo) {
			if _, ok := after.val.(*map[string]any); !ok {
				t.Errorf("memo holds %T after a decode as another type", after.val)
			}
		}},
		{"OtherCodec", func(t *testing.T, c *Cache) {
			if _, err := decodeValue[string](c, "k", []byte("raw"), Raw); err != nil {
				t.Fatal(err)
			}
		}, func(t *testing.T, before, after *valueMemo) {
			if before != after {
				t.Error("a value of the Raw codec was memoized")
			}
		}},
		{"TooLarge", func(t *testing.T, c *Cache) {
			if v, err := decodeValue[value](c, "k", big, JSON); err != nil || len(v.Tags[0]) != valueMemoMaxBytes {
				t.Fatalf("decodeValue: %v", err)
			}
		}, func(t *testing.T, before, after *valueMemo) {
			if before != after {
				t.Error("a value over the size limit was memoized")
			}
		}},
		{"Undecodable", func(t *testing.T, c *Cache) {
			var se *json.SyntaxError
			if _, err := decodeValue[value](c, "k", []byte("{"), JSON); !errors.As(err, &se) {
				t.Fatalf("decodeValue of bad JSON: %v", err)
			}
		}, func(t *testing.T, before, after *valueMemo) {
			if before != after {
				t.Error("a failed decode replaced the memo")
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &Cache{shared: &shared{}}
			if _, err := decodeValue[value](c, "k", a, JSON); err != nil {
				t.Fatal(err)
			}
			before := memoOf(c, "k")
			if before == nil {
				t.Fatal("no memo after the first decode")
			}
			tc.run(t, c)
			tc.check(t, before, memoOf(c, "k"))
		})
	}
}
