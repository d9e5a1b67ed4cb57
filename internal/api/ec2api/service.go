package ec2api

import (
	"context"

	"github.com/dxlab/dxlab/internal/smithy"
)

// Handler has one method per action of the slice.
type Handler interface {
	CreateVpnGateway(ctx context.Context, in *CreateVpnGatewayInput) (*CreateVpnGatewayOutput, error)
	DescribeVpnGateways(ctx context.Context, in *DescribeVpnGatewaysInput) (*DescribeVpnGatewaysOutput, error)
	AttachVpnGateway(ctx context.Context, in *VpnGatewayVpcInput) (*AttachVpnGatewayOutput, error)
	DetachVpnGateway(ctx context.Context, in *VpnGatewayVpcInput) (*Return, error)
	DeleteVpnGateway(ctx context.Context, in *DeleteVpnGatewayInput) (*Return, error)
	CreateTransitGateway(ctx context.Context, in *CreateTransitGatewayInput) (*TransitGatewayOutput, error)
	DescribeTransitGateways(ctx context.Context, in *DescribeTransitGatewaysInput) (*DescribeTransitGatewaysOutput, error)
	ModifyTransitGateway(ctx context.Context, in *ModifyTransitGatewayInput) (*TransitGatewayOutput, error)
	DeleteTransitGateway(ctx context.Context, in *DeleteTransitGatewayInput) (*TransitGatewayOutput, error)
	DescribeTransitGatewayAttachments(ctx context.Context, in *DescribeTransitGatewayAttachmentsInput) (*DescribeTransitGatewayAttachmentsOutput, error)
	CreateTags(ctx context.Context, in *CreateTagsInput) (*Return, error)
	DeleteTags(ctx context.Context, in *DeleteTagsInput) (*Return, error)
	DescribeTags(ctx context.Context, in *DescribeTagsInput) (*DescribeTagsOutput, error)
}

// op makes an operation table entry of a handler method.
func op[I, O any](name string, fn func(context.Context, *I) (*O, error)) smithy.Operation {
	return smithy.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Invoke:   func(ctx context.Context, in any) (any, error) { return fn(ctx, in.(*I)) },
	}
}

// Service describes the slice to the protocol layer.
func Service(h Handler) *smithy.Service {
	ops := []smithy.Operation{
		op("CreateVpnGateway", h.CreateVpnGateway),
		op("DescribeVpnGateways", h.DescribeVpnGateways),
		op("AttachVpnGateway", h.AttachVpnGateway),
		op("DetachVpnGateway", h.DetachVpnGateway),
		op("DeleteVpnGateway", h.DeleteVpnGateway),
		op("CreateTransitGateway", h.CreateTransitGateway),
		op("DescribeTransitGateways", h.DescribeTransitGateways),
		op("ModifyTransitGateway", h.ModifyTransitGateway),
		op("DeleteTransitGateway", h.DeleteTransitGateway),
		op("DescribeTransitGatewayAttachments", h.DescribeTransitGatewayAttachments),
		op("CreateTags", h.CreateTags),
		op("DeleteTags", h.DeleteTags),
		op("DescribeTags", h.DescribeTags),
	}
	s := &smithy.Service{
		Name:        "EC2",
		SigningName: "ec2",
		Operations:  map[string]smithy.Operation{},
		Query:       &smithy.QueryProtocol{EC2: true, Version: Version, Namespace: Namespace},
	}
	for _, o := range ops {
		s.Operations[o.Name] = o
	}
	return s
}

// Error codes EC2 answers with, as its clients match them.
const (
	ErrInvalidParameterValue = "InvalidParameterValue"
	ErrMissingParameter      = "MissingParameter"
	ErrIncorrectState        = "IncorrectState"
	ErrDryRunOperation       = "DryRunOperation"
	ErrUnauthorizedOperation = "UnauthorizedOperation"
	ErrTagLimitExceeded      = "TagLimitExceeded"
	ErrInternalError         = "InternalError"
)
