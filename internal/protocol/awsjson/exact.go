package awsjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// keepExact returns the JSON value data, valid JSON that is to be decoded
// into a value of type t, without the object members that no field of t's
// structures names exactly: at the top, and in structures held by pointers,
// lists and maps, however deep. What encoding/json then decodes it into
// matches the member names case-sensitively.
//
// Members are kept in their order, duplicates included, so that what
// encoding/json makes of them (the last one wins) and the type errors it
// reports are unchanged. A value whose JSON kind does not fit t is left for
// encoding/json to report.
func keepExact(data []byte, t reflect.Type) ([]byte, error) {
	info := infoOf(t)
	if !info.filter {
		return data, nil
	}
	first := firstByte(data)
	switch {
	case info.fields != nil && first == '{':
		return filterObject(data, func(key string) (reflect.Type, bool) {
			ft, ok := info.fields[key]
			return ft, ok
		})
	case info.elem != nil && info.isMap && first == '{':
		return filterObject(data, func(string) (reflect.Type, bool) { return info.elem, true })
	case info.elem != nil && !info.isMap && first == '[':
		return filterArray(data, info.elem)
	}
	return data, nil
}

func firstByte(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	return data[0]
}

// filterObject rewrites a JSON object, keeping the members for which member
// gives a type, each filtered for that type.
func filterObject(data []byte, member func(key string) (reflect.Type, bool)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(data))
	out.WriteByte('{')
	kept := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %T", tok)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		t, ok := member(key)
		if !ok {
			continue
		}
		val, err = keepExact(val, t)
		if err != nil {
			return nil, err
		}
		k, err := json.Marshal(key)
		if err != nil {
			return nil, err
		}
		if kept > 0 {
			out.WriteByte(',')
		}
		kept++
		out.Write(k)
		out.WriteByte(':')
		out.Write(val)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// filterArray rewrites a JSON array, filtering each element for elem.
func filterArray(data []byte, elem reflect.Type) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // [
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(data))
	out.WriteByte('[')
	for i := 0; dec.More(); i++ {
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		val, err := keepExact(val, elem)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(val)
	}
	out.WriteByte(']')
	return out.Bytes(), nil
}

// typeInfo is what keepExact needs to know of a Go type.
type typeInfo struct {
	// filter is false when no value of the type holds a structure whose
	// members could be dropped; its JSON is then left alone.
	filter bool
	// fields maps the JSON name of each field of a structure to its type.
	fields map[string]reflect.Type
	// elem is the element type of a slice or array, or the value type of a
	// map (isMap).
	elem  reflect.Type
	isMap bool
}

var (
	typeInfos sync.Map // reflect.Type → *typeInfo

	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := buildInfo(t, map[reflect.Type]*typeInfo{})
	typeInfos.Store(t, ti)
	return ti
}

// buildInfo works out a type's info. Only pointers, lists and maps look at
// their element here (a structure's field types are looked up when a member
// is met), so building, the types being worked out further up, ends a type
// like `type T []T` that recurses without a structure.
func buildInfo(t reflect.Type, building map[reflect.Type]*typeInfo) *typeInfo {
	if ti, ok := building[t]; ok {
		return ti
	}
	ti := &typeInfo{}
	building[t] = ti
	// A type that decodes itself gets its JSON as sent.
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return ti
	}
	switch t.Kind() {
	case reflect.Pointer:
		*ti = *buildInfo(t.Elem(), building)
	case reflect.Struct:
		ti.filter = true
		ti.fields = map[string]reflect.Type{}
		addFields(ti.fields, t, map[reflect.Type]bool{})
	case reflect.Slice, reflect.Array, reflect.Map:
		// Map keys are kept whatever they are; only values are filtered.
		ti.elem = t.Elem()
		ti.isMap = t.Kind() == reflect.Map
		ti.filter = buildInfo(t.Elem(), building).filter
	}
	return ti
}

// addFields adds the JSON names of t's fields by encoding/json's rules: an
// exported field is named by its json tag, else by its Go name; "-" hides
// it; an untagged embedded structure lends its fields, which the outer
// structure's own fields override.
func addFields(fields map[string]reflect.Type, t reflect.Type, seen map[reflect.Type]bool) {
	if seen[t] {
		return
	}
	seen[t] = true
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, ok := fields[name]; !ok {
			fields[name] = f.Type
		}
	}
	for _, et := range embedded {
		addFields(fields, et, seen)
	}
}
