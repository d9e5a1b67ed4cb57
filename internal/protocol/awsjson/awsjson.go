// Package awsjson is the body codec of the awsJson1_0 and awsJson1_1
// protocols: a JSON object per request and response, timestamps as epoch
// seconds, blobs as base64, and errors as {"__type": code, "message": text}.
// The two versions differ only in their content type.
package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// ContentType returns the media type of a JSON protocol version ("1.0" or
// "1.1").
func ContentType(version string) string {
	return "application/x-amz-json-" + version
}

// Decode fills the structure v points to from a request body. An empty body
// is an empty object; anything but one JSON object is an error.
//
// Member names match exactly, as AWS's JSON protocols match them: a member
// whose name differs from the model's only in case is an unknown member, and
// unknown members are ignored, at every level. (encoding/json alone would
// match names case-insensitively.)
func Decode(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if body[0] != '{' {
		return errors.New("request body must be a JSON object")
	}
	// A valid body (nearly every one) is checked by a scan that copies and
	// allocates nothing; only an invalid one is read again to say where.
	if !json.Valid(body) {
		return whyInvalid(body)
	}
	exact, err := keepExact(body, reflect.TypeOf(v))
	if err != nil {
		return describe(err)
	}
	if err := json.Unmarshal(exact, v); err != nil {
		return describe(err)
	}
	return nil
}

// whyInvalid says what is wrong with a body json.Valid refused: not one
// JSON value, or one with data after it.
func whyInvalid(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return describe(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("request body has data after the JSON object")
	}
	return errors.New("request body is not valid JSON")
}

// describe turns a decoding error into a sentence that names the member
// without echoing Go type names.
func describe(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field != "" {
			return fmt.Errorf("member '%s' cannot hold a JSON %s", typeErr.Field, typeErr.Value)
		}
		return fmt.Errorf("a JSON %s is not allowed there", typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("request body is not valid JSON (at byte %d)", syntaxErr.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("request body ends in the middle of a JSON value")
	}
	return fmt.Errorf("request body cannot be read: %v", err)
}

// Encode renders a response structure.
func Encode(v any) ([]byte, error) {
	return json.Marshal(v)
}

type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// EncodeError renders an error response body.
func EncodeError(code, message string) []byte {
	b, _ := json.Marshal(errorBody{Type: code, Message: message})
	return b
}
