// Package rpcv2cbor is the body codec of Smithy's RPC v2 CBOR protocol: one
// CBOR map per request and response, timestamps as tag 1, blobs as byte
// strings, and errors as a map whose "__type" is the error's shape id.
//
// Only what the protocol needs is accepted: a request body is a map (or
// empty), with bounded nesting and sizes, so a hostile body cannot make the
// decoder allocate without limit.
package rpcv2cbor

import (
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// ContentType is the media type of requests and responses.
const ContentType = "application/cbor"

// ProtocolHeader is the header (and its value) every request and response of
// the protocol carries.
const (
	ProtocolHeader = "Smithy-Protocol"
	ProtocolValue  = "rpc-v2-cbor"
)

var (
	decMode cbor.DecMode
	encMode cbor.EncMode
)

func init() {
	var err error
	decMode, err = cbor.DecOptions{
		MaxNestedLevels:  32,
		MaxArrayElements: 10_000,
		MaxMapPairs:      10_000,
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthAllowed,
		TagsMd:           cbor.TagsAllowed,
		UTF8:             cbor.UTF8RejectInvalid,
		// Smithy matches member names exactly; a wrong-case name is an
		// unknown member, and unknown members are ignored.
		FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	encMode, err = cbor.EncOptions{
		Sort:          cbor.SortNone,
		IndefLength:   cbor.IndefLengthForbidden,
		NilContainers: cbor.NilContainerAsNull,
	}.EncMode()
	if err != nil {
		panic(err)
	}
}

// Decode fills the structure v points to from a request body. An empty body
// is an empty map.
func Decode(body []byte, v any) error {
	if len(body) == 0 {
		return nil
	}
	// Major type 5 is a map; anything else cannot be an input structure.
	if body[0]>>5 != 5 {
		return errors.New("request body must be a CBOR map")
	}
	if err := decMode.Unmarshal(body, v); err != nil {
		return describe(err)
	}
	return nil
}

func describe(err error) error {
	var typeErr *cbor.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("a CBOR %s is not allowed for %s", typeErr.CBORType, typeErr.StructFieldName)
	}
	var extra *cbor.ExtraneousDataError
	if errors.As(err, &extra) {
		return errors.New("request body has data after the CBOR map")
	}
	return fmt.Errorf("request body is not valid CBOR: %v", err)
}

// Encode renders a response structure.
func Encode(v any) ([]byte, error) {
	return encMode.Marshal(v)
}

type errorBody struct {
	Type    string `cbor:"__type"`
	Message string `cbor:"message,omitempty"`
}

// EncodeError renders an error response body; typeID is the error's full
// shape id, e.g. "com.amazonaws.interconnect#ResourceNotFoundException".
func EncodeError(typeID, message string) []byte {
	b, _ := encMode.Marshal(errorBody{Type: typeID, Message: message})
	return b
}
