package directconnect

import (
	"context"
	"slices"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
)

func (s *Service) DescribeLocations(ctx context.Context, _ *dxapi.DescribeLocationsInput) (*dxapi.Locations, error) {
	region := caller.From(ctx).Region
	out := &dxapi.Locations{Locations: []dxapi.Location{}}
	for _, l := range s.facility.Catalog().InRegion(region) {
		out.Locations = append(out.Locations, dxapi.Location{
			LocationCode:              ptr(l.Code),
			LocationName:              ptr(l.Name),
			Region:                    ptr(l.Region),
			AvailablePortSpeeds:       slices.Clone(l.PortSpeeds),
			AvailableMacSecPortSpeeds: append([]string{}, l.MacSecPortSpeeds...),
			AvailableProviders:        append([]string{}, l.Providers...),
		})
	}
	return out, nil
}
