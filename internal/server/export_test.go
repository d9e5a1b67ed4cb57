package server

import (
	"net/http"
	"strings"
)

// IsInternalAnswer reports whether an answer is dxlab's own failure rather
// than an answer to the request: a status of 500 or more, or the error code
// (bare, or a CBOR shape id ending in #code) of a service's internal error
// or of the protocol layer's InternalFailure. Tests fail on one.
func IsInternalAnswer(status int, errType string) bool {
	if status >= http.StatusInternalServerError {
		return true
	}
	if i := strings.LastIndexByte(errType, '#'); i >= 0 {
		errType = errType[i+1:]
	}
	if errType == "InternalFailure" {
		return true
	}
	for _, t := range wireErrors {
		if errType == t.internal {
			return true
		}
	}
	return false
}
