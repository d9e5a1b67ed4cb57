// Package fault is the vocabulary of errors the services return: a kind a
// client can act on and a message it can read. The services know nothing of
// wire error codes; the server maps each kind to one per service, in one
// table.
package fault

import "fmt"

// Kind is what went wrong, from the client's side.
type Kind int

const (
	// Invalid: a value the service does not accept.
	Invalid Kind = iota + 1
	// NotFound: no such resource the caller can see.
	NotFound
	// Conflict: the resource's state does not allow the request.
	Conflict
	// TooManyTags: a resource would exceed its tag limit.
	TooManyTags
	// DuplicateTagKeys: a request names a tag key twice.
	DuplicateTagKeys
	// LimitExceeded: a rate or capacity limit of a resource.
	LimitExceeded
	// QuotaExceeded: an account quota.
	QuotaExceeded
	// AccessDenied: the caller may not act on the resource.
	AccessDenied
)

var kindNames = map[Kind]string{
	Invalid: "invalid", NotFound: "not found", Conflict: "conflict", TooManyTags: "too many tags",
	DuplicateTagKeys: "duplicate tag keys", LimitExceeded: "limit exceeded", QuotaExceeded: "quota exceeded",
	AccessDenied: "access denied",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Kinds lists every kind, for tests that check each is mapped.
func Kinds() []Kind {
	return []Kind{Invalid, NotFound, Conflict, TooManyTags, DuplicateTagKeys, LimitExceeded, QuotaExceeded, AccessDenied}
}

// Error is a service error a client is meant to see.
type Error struct {
	Kind    Kind
	Message string
	// Code, when set, is the specific code of a service whose API names
	// each case (EC2's InvalidVpnGatewayID.NotFound); services with one code
	// per kind leave it empty.
	Code string
}

func (e *Error) Error() string { return e.Message }

// Coded returns an error of a kind with its service's specific code.
func Coded(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// New returns an error of a kind with a formatted message.
func New(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}
