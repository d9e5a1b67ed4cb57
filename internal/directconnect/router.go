package directconnect

import (
	"context"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/routerconfig"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// DescribeRouterConfiguration renders a VIF's customer router configuration
// for one of the router types AWS offers (internal/routerconfig keeps them
// as data and templates). For a hosted VIF only the connection owner may
// download it, as AWS documents.
func (s *Service) DescribeRouterConfiguration(ctx context.Context, in *dxapi.DescribeRouterConfigurationRequest) (*dxapi.DescribeRouterConfigurationResponse, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	typ := smithy.Deref(in.RouterTypeIdentifier)
	router, ok := routerconfig.Find(typ)
	if !ok {
		return nil, invalid("Router type %s is not one AWS provides a configuration for.", typ)
	}
	var out *dxapi.DescribeRouterConfigurationResponse
	err := s.view(ctx, func(r store.Reader) error {
		o, err := vifs.Load(ctx, r, id)
		if err != nil {
			return err
		}
		// A hosted VIF is seen by its connection's owner too (a viewer).
		if len(o.Viewers) > 0 && o.RoleOf(caller.From(ctx)) == resource.Owner {
			return invalid("The router configuration of hosted virtual interface %s is available to the owner of its connection only.", id)
		}
		cfg, err := routerconfig.Render(router, routerInterface(o))
		if err != nil {
			return err
		}
		out = &dxapi.DescribeRouterConfigurationResponse{
			VirtualInterfaceId: smithy.Ptr(id), VirtualInterfaceName: smithy.Ptr(o.Doc.Name), CustomerRouterConfig: smithy.Ptr(cfg),
			Router: &dxapi.RouterType{
				RouterTypeIdentifier: smithy.Ptr(router.ID), Vendor: smithy.Ptr(router.Vendor), Platform: smithy.Ptr(router.Platform),
				Software: smithy.Ptr(router.Software), XsltTemplateName: smithy.Ptr(router.XSLTTemplateName),
				XsltTemplateNameForMacSec: smithy.Ptr(router.XSLTTemplateNameForMacSec),
			},
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
