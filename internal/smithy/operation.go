package smithy

import (
	"context"
	"fmt"
)

// Service describes one modelled service to the protocol layer: how requests
// name it on the wire and which operations it has.
type Service struct {
	// Name is the model's serviceId without spaces, e.g. "DirectConnect".
	Name string
	// Namespace is the Smithy namespace of the service's shapes, which the
	// rpcv2Cbor protocol puts in front of error codes.
	Namespace string
	// TargetPrefix is the X-Amz-Target prefix of the awsJson protocols and the
	// service segment of the rpcv2Cbor path.
	TargetPrefix string
	// JSONVersion is "1.0" or "1.1".
	JSONVersion string
	// CBOR reports whether the model lists the smithy-rpc-v2-cbor protocol.
	CBOR bool
	// SigningName is the SigV4 service name clients sign with.
	SigningName string
	// Operations is keyed by operation name.
	Operations map[string]Operation
	// Query, when set, says the service speaks one of AWS's query protocols
	// (form-encoded requests, XML answers) instead of JSON.
	Query *QueryProtocol
}

// QueryProtocol describes a query-protocol service.
type QueryProtocol struct {
	// EC2 is set for ec2Query; otherwise awsQuery.
	EC2 bool
	// Version is the API version requests name (Version=2016-11-15).
	Version string
	// Namespace is the XML namespace of the answers.
	Namespace string
}

// Operation is one entry of a generated operation table. Invoke validates the
// input against the model before the handler sees it, so handlers never get a
// malformed request.
type Operation struct {
	Name string
	// NewInput returns a pointer to a zero input structure to decode into.
	NewInput func() any
	// Invoke validates in (as returned by NewInput and then decoded) and calls
	// the handler. The output is a pointer to the operation's output structure.
	Invoke func(ctx context.Context, in any) (any, error)
}

// NotImplementedError is what a generated Unimplemented handler returns for
// an operation nobody has written yet.
type NotImplementedError struct {
	Operation string
}

func (e *NotImplementedError) Error() string {
	return fmt.Sprintf("dxlab does not implement the %s operation yet.", e.Operation)
}

// ErrorInfo is a modelled error: the code clients see and the HTTP status
// the model (or, where it is silent, the service's documentation) gives it.
type ErrorInfo struct {
	Code       string
	HTTPStatus int
	// Server is the model's fault trait: the error is the service's doing.
	Server bool
}
