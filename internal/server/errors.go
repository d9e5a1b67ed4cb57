package server

import (
	"errors"
	"net/http"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/api/stsapi"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/protocol"
	"github.com/dxlab/dxlab/internal/protocol/awsquery"
	"github.com/dxlab/dxlab/internal/smithy"
)

// wireErrors is the one table from what went wrong to what each service's
// clients see. Direct Connect has almost no error types: not found, bad
// value and wrong state are all DirectConnectClientException, told apart by
// message. Interconnect has a type for each. EC2 names each case: its
// errors carry their own code (fault.Coded), and the kind's code here is
// only a fallback.
var wireErrors = map[string]struct {
	byKind   map[fault.Kind]string
	invalid  string // a request that breaks the model's constraints
	internal string // anything else: the service's own fault
	errors   map[string]smithy.ErrorInfo
	// coded: the service answers a fault's own Code where it has one.
	coded bool
}{
	"DirectConnect": {
		byKind: map[fault.Kind]string{
			fault.Invalid:          dxapi.ErrDirectConnectClient,
			fault.NotFound:         dxapi.ErrDirectConnectClient,
			fault.Conflict:         dxapi.ErrDirectConnectClient,
			fault.TooManyTags:      dxapi.ErrTooManyTags,
			fault.DuplicateTagKeys: dxapi.ErrDuplicateTagKeys,
			fault.LimitExceeded:    dxapi.ErrLimitExceeded,
			fault.QuotaExceeded:    dxapi.ErrDirectConnectClient,
			fault.AccessDenied:     dxapi.ErrDirectConnectClient,
		},
		invalid:  dxapi.ErrDirectConnectClient,
		internal: dxapi.ErrDirectConnectServer,
		errors:   dxapi.Errors,
	},
	"Interconnect": {
		byKind: map[fault.Kind]string{
			fault.Invalid:          icapi.ErrInterconnectValidation,
			fault.NotFound:         icapi.ErrResourceNotFound,
			fault.Conflict:         icapi.ErrInterconnectClient,
			fault.TooManyTags:      icapi.ErrServiceQuotaExceeded,
			fault.DuplicateTagKeys: icapi.ErrInterconnectValidation,
			fault.LimitExceeded:    icapi.ErrServiceQuotaExceeded,
			fault.QuotaExceeded:    icapi.ErrServiceQuotaExceeded,
			fault.AccessDenied:     icapi.ErrAccessDenied,
		},
		invalid:  icapi.ErrInterconnectValidation,
		internal: icapi.ErrInterconnectServer,
		errors:   icapi.Errors,
	},
	"EC2": {
		byKind: map[fault.Kind]string{
			fault.Invalid:          ec2api.ErrInvalidParameterValue,
			fault.NotFound:         ec2api.ErrInvalidParameterValue,
			fault.Conflict:         ec2api.ErrIncorrectState,
			fault.TooManyTags:      ec2api.ErrTagLimitExceeded,
			fault.DuplicateTagKeys: ec2api.ErrInvalidParameterValue,
			fault.LimitExceeded:    ec2api.ErrInvalidParameterValue,
			fault.QuotaExceeded:    ec2api.ErrInvalidParameterValue,
			fault.AccessDenied:     ec2api.ErrUnauthorizedOperation,
		},
		invalid:  ec2api.ErrInvalidParameterValue,
		internal: ec2api.ErrInternalError,
		errors:   map[string]smithy.ErrorInfo{ec2api.ErrInternalError: {Code: ec2api.ErrInternalError, HTTPStatus: http.StatusInternalServerError, Server: true}},
		coded:    true,
	},
	"STS": {
		byKind:   map[fault.Kind]string{},
		invalid:  stsapi.ErrValidation,
		internal: stsapi.ErrInternalFailure,
		errors:   map[string]smithy.ErrorInfo{stsapi.ErrInternalFailure: {Code: stsapi.ErrInternalFailure, HTTPStatus: http.StatusInternalServerError, Server: true}},
	},
}

// notImplemented is the code of an operation dxlab does not have yet: a
// client error, so that SDKs do not retry it.
const notImplemented = "NotImplementedException"

// mapError is the protocol.ErrorMapper of both services.
func mapError(svc *smithy.Service, err error) protocol.WireError {
	t, ok := wireErrors[svc.Name]
	if !ok {
		return protocol.WireError{Code: "InternalFailure", Status: http.StatusInternalServerError,
			Message: "The server hit an internal error.", Internal: true}
	}
	wire := func(code, msg string) protocol.WireError {
		status := http.StatusBadRequest
		if info, ok := t.errors[code]; ok {
			status = info.HTTPStatus
		}
		return protocol.WireError{Code: code, Status: status, Message: msg}
	}
	var f *fault.Error
	var v *smithy.ValidationError
	var ni *smithy.NotImplementedError
	var qd *awsquery.DecodeError
	switch {
	case errors.As(err, &f):
		if t.coded && f.Code != "" {
			return wire(f.Code, f.Message)
		}
		if code, ok := t.byKind[f.Kind]; ok {
			return wire(code, f.Message)
		}
	case errors.As(err, &v):
		return wire(t.invalid, v.Error())
	case errors.As(err, &qd):
		return wire(t.invalid, qd.Error())
	case errors.As(err, &ni):
		return protocol.WireError{Code: notImplemented, Status: http.StatusBadRequest, Message: ni.Error()}
	}
	// The model's status stands here too: AWS documents
	// DirectConnectServerException as a 400. Internal has the protocol
	// layer log the cause, which the client is not shown.
	internal := wire(t.internal, "An internal error occurred; dxlab's log has the details.")
	internal.Internal = true
	return internal
}
