package directconnect

import (
	"context"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// An interconnect is a partner's port, on which it allocates hosted
// connections for its customers. It moves through the physical states of
// port.go:
//
//	requested -> pending -> available <-> down
//	any       -> deleted (refused while hosted connections ride it)
//
// Its hosted connections follow it (hosted.go).
type interconnect struct {
	Name  string                  `json:"name"`
	State dxapi.InterconnectState `json:"state"`
	physical
	Tags      []tag     `json:"tags"`
	CreatedAt time.Time `json:"createdAt"`
}

func (i *interconnect) phys() *physical   { return &i.physical }
func (i *interconnect) state() string     { return string(i.State) }
func (i *interconnect) setState(s string) { i.State = dxapi.InterconnectState(s) }
func (i *interconnect) TagList() *[]tag   { return &i.Tags }

// interconnects share the dxcon- id space with connections; their ARNs are
// dxcon/ ARNs too.
var interconnects = &resource.Kind[interconnect]{
	Name:  "dx.interconnect",
	Noun:  "Interconnect",
	State: func(i *interconnect) string { return string(i.State) },
}

func (s *Service) interconnectKind() portKind[interconnect, *interconnect] {
	return portKind[interconnect, *interconnect]{kind: interconnects, changed: s.interconnectChanged}
}

// interconnectChanged carries an interconnect's state to its LAG, if it is
// a member of one, and to the hosted connections on it.
func (s *Service) interconnectChanged(ctx context.Context, tx *resource.Tx, o *resource.Object[interconnect]) error {
	if err := s.vifsFollow(ctx, tx, resource.Ref{Kind: interconnects.Name, ID: o.ID}, string(o.Doc.State)); err != nil {
		return err
	}
	if o.Parent.Kind == lags.Name {
		if err := s.lagChanged(ctx, tx, o.Parent.ID); err != nil {
			return err
		}
	}
	return s.parentChanged(ctx, tx, resource.Ref{Kind: interconnects.Name, ID: o.ID}, string(o.Doc.State))
}

func apiInterconnect(o *resource.Object[interconnect]) *dxapi.Interconnect {
	i := o.Doc
	out := &dxapi.Interconnect{
		InterconnectId:       smithy.Ptr(o.ID),
		InterconnectName:     smithy.Ptr(i.Name),
		InterconnectState:    smithy.Ptr(i.State),
		Region:               smithy.Ptr(o.Region),
		Location:             smithy.Ptr(i.Location),
		Bandwidth:            smithy.Ptr(i.Bandwidth),
		JumboFrameCapable:    smithy.Ptr(true),
		HasLogicalRedundancy: smithy.Ptr(dxapi.HasLogicalRedundancyUnknown),
		MacSecCapable:        smithy.Ptr(i.MacSec),
		LoaIssueTime:         apiLoaTime(&i.physical),
		Tags:                 apiTags(i.Tags),
	}
	out.AwsDevice, out.AwsDeviceV2, out.AwsLogicalDeviceId = apiDevice(&i.physical)
	if o.Parent.Kind == lags.Name {
		out.LagId = smithy.Ptr(o.Parent.ID)
	}
	if i.ProviderName != "" {
		out.ProviderName = smithy.Ptr(i.ProviderName)
	}
	if i.MacSec {
		out.EncryptionMode = smithy.Ptr(i.EncryptionMode)
		out.PortEncryptionStatus = smithy.Ptr(portEncryption(i.State == dxapi.InterconnectStateAvailable, i.MacSecKeys))
		out.MacSecKeys = apiMacSecKeys(i.MacSecKeys)
	}
	return out
}

func (s *Service) CreateInterconnect(ctx context.Context, in *dxapi.CreateInterconnectRequest) (*dxapi.Interconnect, error) {
	who := caller.From(ctx)
	name := smithy.Deref(in.InterconnectName)
	if strings.TrimSpace(name) == "" {
		return nil, invalid("Interconnect name must not be empty.")
	}
	if err := s.checkPartner(who.Account, ""); err != nil {
		return nil, err
	}
	req, err := s.checkPort(who.Region, smithy.Deref(in.Location), smithy.Deref(in.Bandwidth), smithy.Deref(in.RequestMACSec), "interconnects")
	if err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	lagID := smithy.Deref(in.LagId)
	if in.LagId != nil {
		if err := checkLagID(lagID); err != nil {
			return nil, err
		}
	}
	ic := &interconnect{Name: name, State: dxapi.InterconnectStateRequested, physical: req.physical(smithy.Deref(in.ProviderName)),
		Tags: tags, CreatedAt: s.clock.Now()}
	var o *resource.Object[interconnect]
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		m := resource.Meta{ID: newID("dxcon"), Account: who.Account, Region: who.Region}
		device := ""
		if lagID != "" {
			l, err := lags.LoadAs(ctx, tx.Reader(), lagID, resource.Owner)
			if err != nil {
				return err
			}
			if err := s.canJoin(ctx, tx.Reader(), l, ic.Bandwidth, ic.Location, 1); err != nil {
				return err
			}
			device, m.Parent = l.Doc.Device, lagRef(lagID)
		}
		if err := s.placeOn(ctx, tx, req, device, resource.Ref{Kind: interconnects.Name, ID: m.ID}, &ic.physical); err != nil {
			return err
		}
		var err error
		if o, err = interconnects.Create(ctx, tx, m, ic, nil); err != nil {
			return err
		}
		if err := s.facility.Schedule(ctx, tx, resourceOf(interconnects.Name, o.Meta), s.interconnectKind().step(stepApprove)); err != nil {
			return err
		}
		if lagID != "" {
			return s.lagChanged(ctx, tx, lagID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return apiInterconnect(o), nil
}

var interconnectPages = page.Options{Max: MaxPageSize}

func (s *Service) DescribeInterconnects(ctx context.Context, in *dxapi.DescribeInterconnectsRequest) (*dxapi.Interconnects, error) {
	out := &dxapi.Interconnects{Interconnects: []dxapi.Interconnect{}}
	if in.InterconnectId != nil {
		if err := checkInterconnectID(*in.InterconnectId); err != nil {
			return nil, err
		}
		var o *resource.Object[interconnect]
		err := s.view(ctx, func(r store.Reader) (err error) {
			o, err = interconnects.LoadAs(ctx, r, *in.InterconnectId, resource.Owner)
			return err
		})
		if err != nil {
			return nil, err
		}
		out.Interconnects = append(out.Interconnects, *apiInterconnect(o))
		return out, nil
	}
	scope := pageScope(ctx, "DescribeInterconnects", "")
	req, err := page.Read(scope, interconnectPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, func(r store.Reader) error {
		who := caller.From(ctx)
		list, err := interconnects.List(ctx, r, store.ListQuery{Account: who.Account, Region: who.Region, After: req.After, Limit: req.Fetch()})
		if err != nil {
			return err
		}
		if err := req.Whole(len(list), "interconnects"); err != nil {
			return err
		}
		list, out.NextToken = page.Trim(scope, req, list, objectID[interconnect])
		for _, o := range list {
			out.Interconnects = append(out.Interconnects, *apiInterconnect(o))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func checkInterconnectID(id string) error {
	if !connectionIDPattern.MatchString(id) {
		return invalid("Interconnect ID %s has an invalid format.", id)
	}
	return nil
}

// DeleteInterconnect deletes an interconnect that carries no hosted
// connections but deleted or rejected ones.
func (s *Service) DeleteInterconnect(ctx context.Context, in *dxapi.DeleteInterconnectRequest) (*dxapi.DeleteInterconnectResponse, error) {
	id := smithy.Deref(in.InterconnectId)
	if err := checkInterconnectID(id); err != nil {
		return nil, err
	}
	var o *resource.Object[interconnect]
	err := s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		if o, err = interconnects.LoadAs(ctx, tx.Reader(), id, resource.Owner); err != nil {
			return err
		}
		if o.Doc.State == dxapi.InterconnectStateDeleted {
			return fault.New(fault.Conflict, "Interconnect %s has already been deleted.", id)
		}
		if err := s.checkNoHosted(ctx, tx.Reader(), resource.Ref{Kind: interconnects.Name, ID: id}, interconnects.Noun); err != nil {
			return err
		}
		if err := s.checkNoVifs(ctx, tx.Reader(), resource.Ref{Kind: interconnects.Name, ID: id}); err != nil {
			return err
		}
		return s.interconnectKind().deleteHolder(ctx, s, tx, o, string(dxapi.InterconnectStateDeleted))
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.DeleteInterconnectResponse{InterconnectState: smithy.Ptr(o.Doc.State)}, nil
}
