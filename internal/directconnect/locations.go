package directconnect

import (
	"context"
	"slices"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/smithy"
)

func (s *Service) DescribeLocations(ctx context.Context, _ *dxapi.DescribeLocationsInput) (*dxapi.Locations, error) {
	region := caller.From(ctx).Region
	out := &dxapi.Locations{Locations: []dxapi.Location{}}
	for _, l := range s.facility.Catalog().InRegion(region) {
		out.Locations = append(out.Locations, dxapi.Location{
			LocationCode:              smithy.Ptr(l.Code),
			LocationName:              smithy.Ptr(l.Name),
			Region:                    smithy.Ptr(l.Region),
			AvailablePortSpeeds:       slices.Clone(l.PortSpeeds),
			AvailableMacSecPortSpeeds: append([]string{}, l.MacSecPortSpeeds...),
			AvailableProviders:        append([]string{}, l.Providers...),
		})
	}
	return out, nil
}
