package hoardfiber

import (
	"reflect"
	"unsafe"

	"github.com/valyala/fasthttp"

	hoard "github.com/hoard-go/hoard/core"
)

// A hit writes five or more fields that fasthttp keeps in its list of
// ordinary fields (ETag, Age, Cache-Control, X-Cache, Cache-Status and the
// handler's own). Through SetCanonical, each is first tested against
// fasthttp's special fields and then searched for among the fields already
// set: over a third of a hit's instructions, where Fiber's own cache sets
// one such field. setFields instead clears the names the hit sends from the
// list in one pass (usually an empty list: nothing before hoard in the
// chain set a field) and appends the hit's fields.
//
// The list is found once, by name and type. Should a fasthttp release
// change it, every hit takes the public path (TestFieldListLayout fails
// first), which gives the same header.

// argsKV mirrors fasthttp's argsKV, an element of a header's field list.
type argsKV struct {
	key     []byte
	value   []byte
	noValue bool
}

// fieldListOffset is where a fasthttp.ResponseHeader keeps its list of
// ordinary fields (the embedded header's h []argsKV).
var fieldListOffset, fieldListOK = func() (uintptr, bool) {
	f, ok := reflect.TypeFor[fasthttp.ResponseHeader]().FieldByName("h")
	if !ok || len(f.Index) != 2 || f.Type.Kind() != reflect.Slice {
		return 0, false
	}
	kv, mirror := f.Type.Elem(), reflect.TypeFor[argsKV]()
	if kv.Kind() != reflect.Struct || kv.Name() != "argsKV" || kv.Size() != mirror.Size() || kv.NumField() != mirror.NumField() {
		return 0, false
	}
	for i := range mirror.NumField() {
		got, want := kv.Field(i), mirror.Field(i)
		if got.Name != want.Name || got.Type != want.Type || got.Offset != want.Offset {
			return 0, false
		}
	}
	return f.Offset, true
}()

// setFields writes a hit's header fields: each replaces whatever the
// response had under its name, and a name listed more than once keeps
// every value. fasthttp computes Content-Length itself from a body it
// sends, so the engine's is only set when there is none (HEAD).
func setFields(h *fasthttp.ResponseHeader, fields []hoard.HeaderField, hasBody bool) {
	list := fieldList(h)
	if list == nil {
		setFieldsPublic(h, fields, hasBody)
		return
	}
	if len(*list) > 0 {
		*list = dropNamed(*list, fields)
	}
	for _, f := range fields {
		switch {
		case !isSpecialField(f.Name):
			*list = appendField(*list, f.Name, f.Value)
		case f.Name == fasthttp.HeaderContentType:
			h.SetContentTypeBytes(s2b(f.Value)) // what SetCanonical would call
		case hasBody && f.Name == fasthttp.HeaderContentLength:
		default:
			h.SetCanonical(s2b(f.Name), s2b(f.Value))
		}
	}
}

// fieldList returns h's list of ordinary fields, or nil when this fasthttp
// keeps it some other way.
func fieldList(h *fasthttp.ResponseHeader) *[]argsKV {
	if !fieldListOK {
		return nil
	}
	return (*[]argsKV)(unsafe.Add(unsafe.Pointer(h), fieldListOffset))
}

// dropNamed removes from list the fields whose name (in any case) is one
// of fields', keeping the others in order. The removed ones' buffers stay
// past the end, for appendField to reuse.
func dropNamed(list []argsKV, fields []hoard.HeaderField) []argsKV {
	kept := 0
	for i := range list {
		if sendsName(fields, list[i].key) {
			continue
		}
		if i != kept {
			list[kept], list[i] = list[i], list[kept]
		}
		kept++
	}
	return list[:kept]
}

func sendsName(fields []hoard.HeaderField, name []byte) bool {
	for _, f := range fields {
		if equalFold(name, f.Name) {
			return true
		}
	}
	return false
}

// setFieldsPublic is setFields through fasthttp's API, for a fasthttp
// whose field list setFields cannot reach. Every name the hit sends is
// cleared before any is added: fasthttp's Del reorders the fields it
// leaves, which must not mix up the values of a name already added.
func setFieldsPublic(h *fasthttp.ResponseHeader, fields []hoard.HeaderField, hasBody bool) {
	for _, f := range fields {
		if !isSpecialField(f.Name) {
			headerDel(h, f.Name)
		}
	}
	for _, f := range fields {
		switch {
		case hasBody && f.Name == fasthttp.HeaderContentLength:
		case isSpecialField(f.Name):
			h.SetCanonical(s2b(f.Name), s2b(f.Value))
		default:
			h.AddBytesKV(s2b(f.Name), s2b(f.Value))
		}
	}
}

// appendField adds a field to the list, reusing the buffers that a field
// of an earlier response on the connection left past the list's end, as
// fasthttp's own allocArg does.
func appendField(list []argsKV, name, value string) []argsKV {
	n := len(list)
	if n < cap(list) {
		list = list[:n+1]
	} else {
		list = append(list, argsKV{value: []byte{}})
	}
	kv := &list[n]
	kv.key = append(kv.key[:0], name...)
	kv.value = append(kv.value[:0], value...)
	kv.noValue = false
	return list
}

// isSpecialField reports whether fasthttp's ResponseHeader keeps name
// outside its field list or manages it itself (its setSpecialHeader), in
// any case as fasthttp matches it: such a field goes through SetCanonical.
// Each length has at most one special name (two for 10, told apart by the
// first letter), so most names are ruled out by their length and first
// letter without a call.
func isSpecialField(name string) bool {
	if len(name) >= len(specialByLen) {
		return false
	}
	special := specialByLen[len(name)]
	if len(name) == len(fasthttp.HeaderSetCookie) && name[0]|0x20 == 's' {
		special = fasthttp.HeaderSetCookie
	}
	if special == "" || name[0]|0x20 != special[0]|0x20 {
		return false
	}
	return name == special || equalFoldSpecial(name, special)
}

// specialByLen is the special name of each length.
var specialByLen = [...]string{
	4:  fasthttp.HeaderDate,
	6:  fasthttp.HeaderServer,
	7:  fasthttp.HeaderTrailer,
	10: fasthttp.HeaderConnection, // and Set-Cookie
	12: fasthttp.HeaderContentType,
	14: fasthttp.HeaderContentLength,
	16: fasthttp.HeaderContentEncoding,
	17: fasthttp.HeaderTransferEncoding,
}

// equalFoldSpecial compares as fasthttp's caseInsensitiveCompare does.
func equalFoldSpecial(name, special string) bool {
	for i := range len(name) {
		if name[i]|0x20 != special[i]|0x20 {
			return false
		}
	}
	return true
}
