package directconnect

import (
	"cmp"
	"context"
	"regexp"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// Direct Connect gateways: the kind and its states are internal/gateway's,
// shared with Interconnect; these are the Direct Connect operations on
// them. A gateway is global: its owner sees it from every region.
const (
	stepGatewayCreate = "dx-gateway.create"
	stepGatewayDelete = "dx-gateway.delete"
)

var gatewayIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func checkGatewayID(id string) error {
	if !gatewayIDPattern.MatchString(id) {
		return invalid("Direct Connect Gateway ID %s has an invalid format.", id)
	}
	return nil
}

func apiGateway(o *resource.Object[gateway.Gateway]) *dxapi.DirectConnectGateway {
	g := o.Doc
	return &dxapi.DirectConnectGateway{
		DirectConnectGatewayId:    smithy.Ptr(o.ID),
		DirectConnectGatewayName:  smithy.Ptr(g.Name),
		DirectConnectGatewayState: smithy.Ptr(dxapi.DirectConnectGatewayState(g.State)),
		AmazonSideAsn:             smithy.Ptr(g.AmazonSideASN),
		OwnerAccount:              smithy.Ptr(o.Account),
		Tags:                      apiTags(g.Tags),
	}
}

func (s *Service) CreateDirectConnectGateway(ctx context.Context, in *dxapi.CreateDirectConnectGatewayRequest) (*dxapi.CreateDirectConnectGatewayResult, error) {
	who := caller.From(ctx)
	name := smithy.Deref(in.DirectConnectGatewayName)
	if strings.TrimSpace(name) == "" {
		return nil, invalid("Direct Connect gateway name must not be empty.")
	}
	asn := int64(gateway.DefaultASN)
	if in.AmazonSideAsn != nil {
		asn = *in.AmazonSideAsn
	}
	if err := gateway.CheckASN(asn); err != nil {
		return nil, err
	}
	tags, err := newTags(in.Tags)
	if err != nil {
		return nil, err
	}
	g := &gateway.Gateway{Name: name, State: gateway.StatePending, AmazonSideASN: asn, Tags: tags, CreatedAt: s.clock.Now()}
	var o *resource.Object[gateway.Gateway]
	err = s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		m := resource.Meta{ID: newUUID(), Account: who.Account}
		if err := s.takeQuota(ctx, tx, quotaGatewaysPerAccount, "", resource.Ref{Kind: gateway.Kind.Name, ID: m.ID}); err != nil {
			return err
		}
		if o, err = gateway.Kind.Create(ctx, tx, m, g, nil); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, gatewayResource(o), stepGatewayCreate)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.CreateDirectConnectGatewayResult{DirectConnectGateway: apiGateway(o)}, nil
}

func gatewayResource(o *resource.Object[gateway.Gateway]) facility.Resource {
	return facility.Resource{Kind: gateway.Kind.Name, ID: o.ID, Account: o.Account}
}

var gatewayPages = page.Options{Max: MaxPageSize}

// DescribeDirectConnectGateways lists the caller's gateways, or the one
// named; an id the caller has no gateway of is an empty list, not an error,
// as AWS answers.
func (s *Service) DescribeDirectConnectGateways(ctx context.Context, in *dxapi.DescribeDirectConnectGatewaysRequest) (*dxapi.DescribeDirectConnectGatewaysResult, error) {
	who := caller.From(ctx)
	out := &dxapi.DescribeDirectConnectGatewaysResult{DirectConnectGateways: []dxapi.DirectConnectGateway{}}
	id := smithy.Deref(in.DirectConnectGatewayId)
	if id != "" {
		if err := checkGatewayID(id); err != nil {
			return nil, err
		}
	}
	scope := pageScope(ctx, "DescribeDirectConnectGateways", id)
	req, err := page.Read(scope, gatewayPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, func(r store.Reader) error {
		var list []*resource.Object[gateway.Gateway]
		if id != "" {
			o, err := gateway.Kind.LoadAs(ctx, r, id, resource.Owner)
			if err != nil {
				return ignoreMissing(err)
			}
			list = append(list, o)
		} else {
			var err error
			list, err = gateway.Kind.List(ctx, r, store.ListQuery{Account: who.Account, After: req.After, Limit: req.Fetch()})
			if err != nil {
				return err
			}
			if err := req.Whole(len(list), "Direct Connect gateways"); err != nil {
				return err
			}
			list, out.NextToken = page.Trim(scope, req, list, objectID[gateway.Gateway])
		}
		for _, o := range list {
			out.DirectConnectGateways = append(out.DirectConnectGateways, *apiGateway(o))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ignoreMissing turns a not-found fault into an empty answer.
func ignoreMissing(err error) error {
	if f, ok := err.(*fault.Error); ok && f.Kind == fault.NotFound {
		return nil
	}
	return err
}

func (s *Service) UpdateDirectConnectGateway(ctx context.Context, in *dxapi.UpdateDirectConnectGatewayRequest) (*dxapi.UpdateDirectConnectGatewayResponse, error) {
	id, name := smithy.Deref(in.DirectConnectGatewayId), smithy.Deref(in.NewDirectConnectGatewayName)
	if err := checkGatewayID(id); err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" {
		return nil, invalid("Direct Connect gateway name must not be empty.")
	}
	o, err := s.changeGateway(ctx, id, func(tx *resource.Tx, o *resource.Object[gateway.Gateway]) error {
		if o.Doc.State != gateway.StateAvailable && o.Doc.State != gateway.StatePending {
			return fault.New(fault.Conflict, "Direct Connect Gateway %s is %s.", id, o.Doc.State)
		}
		o.Doc.Name = name
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.UpdateDirectConnectGatewayResponse{DirectConnectGateway: apiGateway(o)}, nil
}

// DeleteDirectConnectGateway deletes a gateway with no virtual interfaces
// attached and no associations.
func (s *Service) DeleteDirectConnectGateway(ctx context.Context, in *dxapi.DeleteDirectConnectGatewayRequest) (*dxapi.DeleteDirectConnectGatewayResult, error) {
	id := smithy.Deref(in.DirectConnectGatewayId)
	if err := checkGatewayID(id); err != nil {
		return nil, err
	}
	o, err := s.changeGateway(ctx, id, func(tx *resource.Tx, o *resource.Object[gateway.Gateway]) error {
		if o.Doc.State == gateway.StateDeleting {
			return fault.New(fault.Conflict, "Direct Connect Gateway %s is already being deleted.", id)
		}
		if err := s.checkGatewayUnused(ctx, tx.Reader(), id); err != nil {
			return err
		}
		o.Doc.State = gateway.StateDeleting
		if err := tx.UnscheduleFor(ctx, gateway.Kind.Name, id); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, gatewayResource(o), stepGatewayDelete)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.DeleteDirectConnectGatewayResult{DirectConnectGateway: apiGateway(o)}, nil
}

// checkGatewayUnused refuses to delete a gateway that virtual interfaces or
// associations still use.
func (s *Service) checkGatewayUnused(ctx context.Context, r store.Reader, id string) error {
	list, err := vifs.List(ctx, r, store.ListQuery{Account: caller.From(ctx).Account})
	if err != nil {
		return err
	}
	for _, o := range list {
		if o.Doc.DXGateway == id && live(string(o.Doc.State)) {
			return fault.New(fault.Conflict, "Direct Connect Gateway %s has virtual interface %s attached; delete it first.", id, o.ID)
		}
	}
	if ic, err := gateway.InUse(ctx, r, id); err != nil || ic != "" {
		return cmp.Or(err, error(fault.New(fault.Conflict, "Direct Connect Gateway %s has AWS Interconnect connection %s attached; delete it first.", id, ic)))
	}
	return checkNoAssociations(ctx, r, id)
}

func (s *Service) changeGateway(ctx context.Context, id string, change func(*resource.Tx, *resource.Object[gateway.Gateway]) error) (*resource.Object[gateway.Gateway], error) {
	var o *resource.Object[gateway.Gateway]
	err := s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		if o, err = gateway.Kind.LoadAs(ctx, tx.Reader(), id, resource.Owner); err != nil {
			return err
		}
		if err := change(tx, o); err != nil {
			return err
		}
		return gateway.Kind.Save(ctx, tx, o)
	})
	return o, err
}

// gatewaySteps are what AWS does to gateways on its own.
func (s *Service) gatewaySteps() []facility.Step {
	move := func(from, to string) func(context.Context, *resource.Tx, store.Transition) error {
		return func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
			o, err := gateway.Kind.Get(ctx, tx.Reader(), t.ResourceID)
			if err != nil {
				return ignoreGone(err)
			}
			if o.Doc.State != from {
				return nil
			}
			if to == gateway.StateDeleted {
				// Deleted gateways are not returned: the record goes, with
				// its quota unit.
				return gateway.Kind.Delete(ctx, tx, o)
			}
			o.Doc.State = to
			return gateway.Kind.Save(ctx, tx, o)
		}
	}
	return []facility.Step{
		{Name: stepGatewayCreate, Actor: facility.Automation, Note: "AWS creates the Direct Connect gateway (pending -> available)",
			Apply: move(gateway.StatePending, gateway.StateAvailable)},
		{Name: stepGatewayDelete, Actor: facility.Automation, Note: "AWS removes the deleted Direct Connect gateway (deleting -> deleted, no longer returned)",
			Apply: move(gateway.StateDeleting, gateway.StateDeleted)},
	}
}
