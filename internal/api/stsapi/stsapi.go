// Package stsapi is the slice of STS that dxlab serves: GetCallerIdentity,
// which Terraform's AWS provider and other tools call to learn the account
// they act as. STS's model is not among those dxlab generates from, so the
// shapes are written by hand in the awsQuery protocol's names.
package stsapi

import (
	"context"

	"github.com/dxlab/dxlab/internal/smithy"
)

// Version and Namespace are what STS requests and answers name.
const (
	Version   = "2011-06-15"
	Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"
)

type GetCallerIdentityInput struct{}

type GetCallerIdentityOutput struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// Handler answers STS's actions.
type Handler interface {
	GetCallerIdentity(ctx context.Context, in *GetCallerIdentityInput) (*GetCallerIdentityOutput, error)
}

// Service describes the slice to the protocol layer.
func Service(h Handler) *smithy.Service {
	return &smithy.Service{
		Name:        "STS",
		SigningName: "sts",
		Query:       &smithy.QueryProtocol{Version: Version, Namespace: Namespace},
		Operations: map[string]smithy.Operation{
			"GetCallerIdentity": {
				Name:     "GetCallerIdentity",
				NewInput: func() any { return new(GetCallerIdentityInput) },
				Invoke: func(ctx context.Context, in any) (any, error) {
					return h.GetCallerIdentity(ctx, in.(*GetCallerIdentityInput))
				},
			},
		},
	}
}

// Error codes STS answers with.
const (
	ErrValidation      = "ValidationError"
	ErrInternalFailure = "InternalFailure"
)
