// Package caller carries who made an API request (account and region, and
// which request it was) from the protocol layer, which learns it from the
// SigV4 credential, to the services, which scope every resource by it.
package caller

import "context"

// Caller is the identity a request is served as.
type Caller struct {
	// Account is the 12-digit AWS account id.
	Account string
	// Region is the region of the SigV4 credential scope, e.g. "us-east-1".
	Region string
	// AccessKeyID is the key the request was signed with; empty when unsigned.
	AccessKeyID string
	// RequestID and Operation name the request, for the event timeline.
	RequestID string
	Operation string
}

type ctxKey struct{}

// With returns a context that carries c.
func With(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, ctxKey{}, c)
}

// From returns the caller ctx carries. A context without one has the zero
// Caller, which no resource belongs to.
func From(ctx context.Context) Caller {
	c, _ := ctx.Value(ctxKey{}).(Caller)
	return c
}
