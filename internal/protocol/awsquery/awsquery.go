// Package awsquery is the codec of AWS's query protocols: requests are
// form-encoded parameters (Action=...&Version=...), answers are XML. Two
// dialects exist and dxlab serves one service of each: ec2Query (EC2:
// lists flattened as Name.1, Name.2; the answer's fields sit right under
// <ActionResponse> beside <requestId>; errors in <Response><Errors>) and
// awsQuery (STS: the answer wrapped in <ActionResult> and
// <ResponseMetadata>; errors in <ErrorResponse>).
//
// Inputs are structs whose fields name their parameters with a `query` tag;
// outputs are structs marshalled with encoding/xml.
package awsquery

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// ContentType is the media type of query requests.
const ContentType = "application/x-www-form-urlencoded"

// Dialect is the query protocol a service speaks.
type Dialect int

const (
	// EC2 is ec2Query.
	EC2 Dialect = iota + 1
	// Query is awsQuery.
	Query
)

// Params are a request's form parameters.
type Params = url.Values

// Parse reads a form-encoded body.
func Parse(body []byte) (Params, error) {
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("the request body is not form-encoded parameters")
	}
	return v, nil
}

// DecodeError is a parameter whose value does not fit its type.
type DecodeError struct {
	Param, Value, Want string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("Value (%s) for parameter %s is invalid. Expected %s.", clipValue(e.Value), e.Param, e.Want)
}

func clipValue(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}

// maxListItems bounds how many items one list parameter may have, so that
// Name.999999999 cannot make dxlab build a huge slice.
const maxListItems = 1000

// Decode fills the struct in points to from p: a field tagged
// `query:"Name"` reads parameter Name (strings, int64, int32, bool, their
// pointers), Name.1, Name.2... for a slice (items in index order; gaps are
// skipped), and Name.Member for a nested struct. Unknown parameters are
// ignored, as AWS ignores them.
func Decode(p Params, in any) error {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("awsquery: decoding into %T, not a pointer to a struct", in)
	}
	return decodeStruct(p, "", v.Elem())
}

func decodeStruct(p Params, prefix string, v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("query")
		if name == "" || name == "-" {
			continue
		}
		if err := decodeValue(p, prefix+name, v.Field(i)); err != nil {
			return err
		}
	}
	return nil
}

func decodeValue(p Params, name string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct {
			if !hasPrefix(p, name+".") {
				return nil
			}
		} else if _, ok := p[name]; !ok {
			return nil
		}
		e := reflect.New(v.Type().Elem())
		if err := decodeValue(p, name, e.Elem()); err != nil {
			return err
		}
		v.Set(e)
		return nil
	case reflect.Struct:
		return decodeStruct(p, name+".", v)
	case reflect.Slice:
		indexes := listIndexes(p, name+".")
		if len(indexes) > maxListItems {
			return &DecodeError{Param: name, Value: strconv.Itoa(len(indexes)) + " items", Want: fmt.Sprintf("at most %d items", maxListItems)}
		}
		s := reflect.MakeSlice(v.Type(), len(indexes), len(indexes))
		for i, n := range indexes {
			if err := decodeValue(p, name+"."+strconv.Itoa(n), s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	raws, present := p[name]
	if !present || len(raws) == 0 {
		return nil
	}
	raw := raws[0]
	switch v.Kind() {
	case reflect.String:
		v.SetString(raw)
	case reflect.Int64, reflect.Int32, reflect.Int:
		n, err := strconv.ParseInt(raw, 10, v.Type().Bits())
		if err != nil {
			return &DecodeError{Param: name, Value: raw, Want: "an integer"}
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil || (raw != "true" && raw != "false") {
			return &DecodeError{Param: name, Value: raw, Want: "true or false"}
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("awsquery: field %s has unsupported type %s", name, v.Type())
	}
	return nil
}

func hasPrefix(p Params, prefix string) bool {
	for k := range p {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// listIndexes returns the item numbers of a list parameter (prefix ends
// with a dot), sorted: 1-based, as SDKs send them.
func listIndexes(p Params, prefix string) []int {
	seen := map[int]bool{}
	for k := range p {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || strconv.Itoa(n) != num {
			continue
		}
		seen[n] = true
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Encode writes an action's answer. out's fields are marshalled by
// encoding/xml; under EC2 they sit beside <requestId> in
// <ActionResponse>, under Query inside <ActionResult>.
func Encode(d Dialect, action, namespace, requestID string, out any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	var inner bytes.Buffer
	resultName := action + "Response"
	if d == Query {
		resultName = action + "Result"
	}
	if err := xml.NewEncoder(&inner).EncodeElement(out, xml.StartElement{Name: xml.Name{Local: resultName}}); err != nil {
		return nil, err
	}
	if d == EC2 {
		// <ActionResponse><fields/></ActionResponse> gains the namespace and
		// the request id.
		body := inner.Bytes()
		open := bytes.IndexByte(body, '>')
		selfClosed := open > 0 && body[open-1] == '/'
		fmt.Fprintf(&b, `<%s xmlns="%s"><requestId>%s</requestId>`, resultName, escape(namespace), escape(requestID))
		if !selfClosed {
			b.Write(body[open+1:])
		} else {
			fmt.Fprintf(&b, "</%s>", resultName)
		}
		return b.Bytes(), nil
	}
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, escape(namespace))
	b.Write(inner.Bytes())
	fmt.Fprintf(&b, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, escape(requestID), action)
	return b.Bytes(), nil
}

// EncodeError writes an error in the dialect's shape. server marks the
// service's own fault (awsQuery's Type Receiver).
func EncodeError(d Dialect, code, message, requestID string, server bool) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if d == EC2 {
		fmt.Fprintf(&b, `<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>%s</RequestID></Response>`,
			escape(code), escape(message), escape(requestID))
		return b.Bytes()
	}
	who := "Sender"
	if server {
		who = "Receiver"
	}
	fmt.Fprintf(&b, `<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		who, escape(code), escape(message), escape(requestID))
	return b.Bytes()
}

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
