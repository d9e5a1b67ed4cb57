package directconnect

import (
	"context"

	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// What operators see of each kind: where it sits in the facility, what it
// points at beside its parent, and what its owner's Describe answers. The
// web console draws the world from these; the facility tracks the kinds
// with them (service.go).

func (s *Service) inspected() []resource.Schema {
	return []resource.Schema{
		resource.Inspectable(connections, func(_ context.Context, _ store.Reader, o *resource.Object[connection]) (resource.Inspection, error) {
			return physicalInspection(o.Doc.Name, &o.Doc.physical, o.Doc.Vlan, s.apiConnectionOf(o)), nil
		}),
		resource.Inspectable(interconnects, func(_ context.Context, _ store.Reader, o *resource.Object[interconnect]) (resource.Inspection, error) {
			return physicalInspection(o.Doc.Name, &o.Doc.physical, 0, apiInterconnect(o)), nil
		}),
		resource.Inspectable(lags, func(ctx context.Context, r store.Reader, o *resource.Object[lag]) (resource.Inspection, error) {
			view, err := s.apiLag(ctx, r, o)
			l := o.Doc
			return resource.Inspection{Name: l.Name, Location: l.Location, Device: l.Device, Bandwidth: l.Bandwidth, View: view}, err
		}),
		resource.Inspectable(vifs, func(_ context.Context, _ store.Reader, o *resource.Object[vif]) (resource.Inspection, error) {
			v := o.Doc
			in := resource.Inspection{Name: v.Name, Location: v.Location, Device: v.Device, Vlan: v.Vlan, View: apiVif(o)}
			for _, gw := range []string{v.VGW, v.DXGateway} {
				if gw != "" {
					in.Links = append(in.Links, resource.Link{Rel: "gateway", ID: gw})
				}
			}
			return in, nil
		}),
		vifTests,
		resource.Inspectable(gateway.Kind, func(_ context.Context, _ store.Reader, o *resource.Object[gateway.Gateway]) (resource.Inspection, error) {
			return resource.Inspection{Name: o.Doc.Name, View: apiGateway(o)}, nil
		}),
		resource.Inspectable(associations, func(_ context.Context, _ store.Reader, o *resource.Object[association]) (resource.Inspection, error) {
			return resource.Inspection{Links: []resource.Link{{Rel: "associated", ID: o.Doc.Associated.ID}}, View: apiAssociation(o)}, nil
		}),
		resource.Inspectable(proposals, func(_ context.Context, _ store.Reader, o *resource.Object[proposal]) (resource.Inspection, error) {
			p := o.Doc
			return resource.Inspection{Links: []resource.Link{{Rel: "gateway", ID: p.Gateway}, {Rel: "associated", ID: p.Associated.ID}}, View: apiProposal(o)}, nil
		}),
	}
}

// physicalInspection places a resource that holds a port, or rides its
// parent's (a hosted connection: Port 0, and its VLAN).
func physicalInspection(name string, ph *physical, vlan int, view any) resource.Inspection {
	return resource.Inspection{Name: name, Location: ph.Location, Device: ph.Device, Port: ph.Port, Bandwidth: ph.Bandwidth, Vlan: vlan, View: view}
}
