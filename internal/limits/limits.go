// Package limits is the one place dxlab's bounds live: on what a request may
// carry, on what an answer may grow to, and on how long and how many
// connections the server keeps. Each was found by probing a server without
// it; the README and docs/behavior.md list them.
package limits

import (
	"fmt"
	"time"
	"unicode/utf8"
)

// Requests and answers.
const (
	// MaxRequestBytes bounds a request body. The largest legitimate request
	// of these services is a few kilobytes.
	MaxRequestBytes = 1 << 20
	// MaxResponseBytes bounds an answer's body: an answer that would be
	// larger is refused (ResponseTooLargeException), telling the caller to
	// ask for less.
	MaxResponseBytes = 8 << 20
	// MaxErrorMessage bounds the message of an error answer, in bytes: a
	// longer one is cut, so that no request can have a huge value echoed
	// back.
	MaxErrorMessage = 1024
	// MaxEchoedValue bounds a value (an id, a name) quoted in an error
	// message, in characters; longer ones are shortened with "...".
	MaxEchoedValue = 128
	// MaxNameLength bounds names and descriptions the models leave
	// unbounded (connectionName, ...), in characters (chosen: AWS documents
	// none; its console caps names well below this).
	MaxNameLength = 256
	// MaxDescribeTagsARNs bounds the distinct ARNs of one DescribeTags call;
	// repeated ARNs count once (chosen: AWS documents no limit).
	MaxDescribeTagsARNs = 100
)

// The HTTP server.
const (
	// ReadHeaderTimeout bounds reading a request's headers.
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request, body included.
	ReadTimeout = 30 * time.Second
	// WriteTimeout bounds serving a request, from the end of its headers to
	// the last byte of the answer.
	WriteTimeout = 60 * time.Second
	// IdleTimeout closes a keep-alive connection no request has used for
	// this long.
	IdleTimeout = 120 * time.Second
	// MaxConnections bounds the connections served at once; more wait in the
	// listen queue until one closes.
	MaxConnections = 1024
	// MaxHeaderBytes bounds a request's headers.
	MaxHeaderBytes = 64 << 10
	// ShutdownTimeout is how long SIGTERM lets requests in flight finish
	// before cutting them off.
	ShutdownTimeout = 10 * time.Second
)

// Echo shortens a value quoted in an error message to MaxEchoedValue
// characters, saying how long it was.
func Echo(v string) string {
	if utf8.RuneCountInString(v) <= MaxEchoedValue {
		return v
	}
	runes := []rune(v)
	return fmt.Sprintf("%s... (%d characters)", string(runes[:MaxEchoedValue]), len(runes))
}
