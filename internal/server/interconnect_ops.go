package server

import (
	"context"

	"github.com/dxlab/dxlab/internal/interconnect"
	"github.com/dxlab/dxlab/internal/opapi"
)

// icOperator adapts the Interconnect service's operator actions to the
// operator API, which knows services only through interfaces of its own.
type icOperator struct{ ic *interconnect.Service }

func icView(v *interconnect.View, err error) (*opapi.InterconnectView, error) {
	if v == nil {
		return nil, err
	}
	out := opapi.InterconnectView(*v)
	return &out, err
}

func (o icOperator) Activate(ctx context.Context, key string, refuse bool, reason string) (*opapi.InterconnectView, error) {
	return icView(o.ic.Activate(ctx, key, refuse, reason))
}

func (o icOperator) Propose(ctx context.Context, p opapi.InterconnectProposal) (string, error) {
	return o.ic.Propose(ctx, interconnect.Proposal(p))
}

func (o icOperator) Connection(ctx context.Context, id string) (*opapi.InterconnectView, error) {
	return icView(o.ic.Connection(ctx, id))
}

func (o icOperator) SetRemoteRoutes(ctx context.Context, id string, routes []string) (*opapi.InterconnectView, error) {
	return icView(o.ic.SetRemoteRoutes(ctx, id, routes))
}
