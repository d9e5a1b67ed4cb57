package interconnect

import (
	"context"

	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// Attach points are the caller's Direct Connect gateways (internal/gateway:
// global, so listed from every region), pending or available. There is no
// attach point resource of Interconnect's own: a connection's record has its
// gateway as its parent, which is how Direct Connect refuses to delete a
// gateway a connection is attached to.

var attachPointPages = page.Options{Default: 100, Max: 100}

func (s *Service) ListAttachPoints(ctx context.Context, in *icapi.ListAttachPointsRequest) (*icapi.ListAttachPointsResponse, error) {
	who := caller.From(ctx)
	env, err := s.environmentIn(who.Region, smithy.Deref(in.EnvironmentId))
	if err != nil {
		return nil, err
	}
	scope := page.Scope{List: "interconnect.ListAttachPoints", Account: who.Account, Region: who.Region, Filter: env.EnvironmentID}
	req, err := page.Read(scope, attachPointPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &icapi.ListAttachPointsResponse{AttachPoints: []icapi.AttachPointDescriptor{}}
	err = s.view(ctx, func(r store.Reader) error {
		list, err := gateway.Kind.List(ctx, r, store.ListQuery{Account: who.Account, After: req.After})
		if err != nil {
			return err
		}
		var usable []*resource.Object[gateway.Gateway]
		for _, g := range list {
			if g.Doc.State == gateway.StateAvailable || g.Doc.State == gateway.StatePending {
				usable = append(usable, g)
			}
		}
		usable, out.NextToken = page.Trim(scope, req, usable, func(o *resource.Object[gateway.Gateway]) string { return o.ID })
		for _, g := range usable {
			out.AttachPoints = append(out.AttachPoints, icapi.AttachPointDescriptor{
				Type:       smithy.Ptr(icapi.AttachPointTypeDirectConnectGateway),
				Identifier: smithy.Ptr(g.ID),
				Name:       smithy.Ptr(g.Doc.Name),
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
