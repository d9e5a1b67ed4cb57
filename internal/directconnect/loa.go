package directconnect

import (
	"context"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/loa"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// The LOA-CFA of a connection, an interconnect or a LAG (a page for each of
// its members) exists once AWS has approved the request (it leaves
// requested): before that DescribeLoa refuses. Each call issues it anew,
// valid 90 days, and sets loaIssueTime. Hosted connections have none: they
// ride their partner's port.

// loaHolder is a port holder an LOA describes: a page's worth of it.
type loaHolder struct {
	id    string
	state string
	ph    *physical
}

func (s *Service) DescribeLoa(ctx context.Context, in *dxapi.DescribeLoaRequest) (*dxapi.Loa, error) {
	return s.describeLoa(ctx, smithy.Deref(in.ConnectionId), smithy.Deref(in.ProviderName), in.LoaContentType)
}

func (s *Service) DescribeConnectionLoa(ctx context.Context, in *dxapi.DescribeConnectionLoaRequest) (*dxapi.DescribeConnectionLoaResponse, error) {
	out, err := s.describeLoa(ctx, smithy.Deref(in.ConnectionId), smithy.Deref(in.ProviderName), in.LoaContentType)
	if err != nil {
		return nil, err
	}
	return &dxapi.DescribeConnectionLoaResponse{Loa: out}, nil
}

func (s *Service) DescribeInterconnectLoa(ctx context.Context, in *dxapi.DescribeInterconnectLoaRequest) (*dxapi.DescribeInterconnectLoaResponse, error) {
	id := smithy.Deref(in.InterconnectId)
	if err := checkInterconnectID(id); err != nil {
		return nil, err
	}
	err := s.view(ctx, func(r store.Reader) error {
		_, err := interconnects.LoadAs(ctx, r, id, resource.Owner)
		return err
	})
	if err != nil {
		return nil, err
	}
	out, err := s.describeLoa(ctx, id, smithy.Deref(in.ProviderName), in.LoaContentType)
	if err != nil {
		return nil, err
	}
	return &dxapi.DescribeInterconnectLoaResponse{Loa: out}, nil
}

func (s *Service) describeLoa(ctx context.Context, id, providerName string, contentType *dxapi.LoaContentType) (*dxapi.Loa, error) {
	if contentType != nil && *contentType != dxapi.LoaContentTypeApplicationPdf {
		return nil, invalid("LOA content type %s is not available; the LOA-CFA is application/pdf.", *contentType)
	}
	who := caller.From(ctx)
	var pdf []byte
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		now := tx.Now()
		letter := loa.Letter{ResourceID: id, Account: who.Account, ProviderName: providerName, Issued: now}
		var holders []loaHolder
		var saves []func() error
		switch {
		case strings.HasPrefix(id, "dxlag-"):
			if err := checkLagID(id); err != nil {
				return err
			}
			l, err := lags.LoadAs(ctx, tx.Reader(), id, resource.Owner)
			if err != nil {
				return err
			}
			_, members, err := s.members(ctx, tx.Reader(), id)
			if err != nil {
				return err
			}
			letter.ResourceType, letter.Facility = "LAG", s.loaFacility(who.Region, l.Doc.Location)
			for _, m := range members {
				holders = append(holders, loaHolder{m.ID, string(m.Doc.State), &m.Doc.physical})
				saves = append(saves, func() error { return connections.Save(ctx, tx, m) })
			}
		default:
			if err := checkConnectionID(id); err != nil {
				return err
			}
			c, err := connections.LoadAs(ctx, tx.Reader(), id, resource.Owner)
			if err == nil {
				if c.Doc.Hosted {
					return invalid("Connection %s is a hosted connection: its LOA-CFA is its partner's, for the interconnect or LAG it rides.", id)
				}
				letter.ResourceType = "Connection"
				holders = append(holders, loaHolder{c.ID, string(c.Doc.State), &c.Doc.physical})
				saves = append(saves, func() error { return connections.Save(ctx, tx, c) })
			} else {
				i, ierr := interconnects.LoadAs(ctx, tx.Reader(), id, resource.Owner)
				if ierr != nil {
					return err
				}
				letter.ResourceType = "Interconnect"
				holders = append(holders, loaHolder{i.ID, string(i.Doc.State), &i.Doc.physical})
				saves = append(saves, func() error { return interconnects.Save(ctx, tx, i) })
			}
			letter.Facility = s.loaFacility(who.Region, holders[0].ph.Location)
		}
		for i, h := range holders {
			if h.state == "requested" || !live(h.state) {
				continue
			}
			letter.Ports = append(letter.Ports, s.loaPort(who.Region, h, letter.ResourceType == "LAG"))
			issued := now
			h.ph.LoaIssued = &issued
			if err := saves[i](); err != nil {
				return err
			}
		}
		if len(letter.Ports) == 0 {
			return fault.New(fault.Conflict, "The LOA-CFA for %s is not available yet: AWS has not yet approved the request.", id)
		}
		var err error
		pdf, err = loa.Render(letter)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.Loa{LoaContent: pdf, LoaContentType: smithy.Ptr(dxapi.LoaContentTypeApplicationPdf)}, nil
}

func (s *Service) loaFacility(region, code string) loa.Facility {
	loc, _ := s.facility.Catalog().Find(region, code)
	return loa.Facility{Code: code, Name: loc.Name, Address: loc.Address}
}

func (s *Service) loaPort(region string, h loaHolder, member bool) loa.Port {
	loc, _ := s.facility.Catalog().Find(region, h.ph.Location)
	speed := dedicatedSpeeds[h.ph.Bandwidth]
	pos := facility.Port{Device: h.ph.Device, Speed: speed, Index: h.ph.Port}.Position(loc.DeviceIndex(h.ph.Device))
	p := loa.Port{Device: h.ph.Device, Cage: pos.Cage, Rack: pos.Rack, PatchPanel: pos.PatchPanel, Position: pos.Port, Speed: h.ph.Bandwidth}
	if member {
		p.ConnectionID = h.id
	}
	return p
}
