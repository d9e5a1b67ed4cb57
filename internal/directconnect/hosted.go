package directconnect

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// A hosted connection is allocated by a partner on its interconnect or LAG
// (its parent) for a customer, who owns it; the partner sees it through the
// parent. Its states follow the customer and then the parent:
//
//	ordering  -> pending   the customer confirms it (ConfirmConnection)
//	          -> rejected  the customer deletes it instead
//	pending   -> available AWS provisions it on the parent (an automation
//	          -> down      step), down if the parent is not available
//	available <-> down     the parent goes down and comes back
//	any       -> deleted   the customer or the partner deletes it
const stepHostedProvision = "hosted-connection.provision"

// Hosted connection bandwidths, as the API writes them, in Mbps.
var hostedBandwidths = map[string]int{
	"50Mbps": 50, "100Mbps": 100, "200Mbps": 200, "300Mbps": 300, "400Mbps": 400, "500Mbps": 500,
	"1Gbps": 1000, "2Gbps": 2000, "5Gbps": 5000, "10Gbps": 10000, "25Gbps": 25000,
}

// mbps reads a bandwidth as AWS writes them ("50Mbps", "10Gbps").
func mbps(bw string) int {
	if n, ok := hostedBandwidths[bw]; ok {
		return n
	}
	if v, ok := strings.CutSuffix(bw, "Gbps"); ok {
		n, _ := strconv.Atoi(v)
		return n * 1000
	}
	return 0
}

// parent is an interconnect or LAG a hosted connection rides.
type parent struct {
	ref          resource.Ref
	noun         string
	owner        string
	location     string
	device       string
	state        string
	capacity     int // Mbps
	providerName string
}

func vlanScope(parentID string) string { return "vlan:" + parentID }

// loadParent reads an interconnect or LAG of the caller's by id.
func (s *Service) loadParent(ctx context.Context, r store.Reader, id string) (parent, error) {
	if strings.HasPrefix(id, "dxlag-") {
		if err := checkLagID(id); err != nil {
			return parent{}, err
		}
		l, err := lags.LoadAs(ctx, r, id, resource.Owner)
		if err != nil {
			return parent{}, err
		}
		members, _, err := s.members(ctx, r, id)
		if err != nil {
			return parent{}, err
		}
		return parent{lagRef(id), lags.Noun, l.Account, l.Doc.Location, l.Doc.Device, string(l.Doc.State), len(members) * mbps(l.Doc.Bandwidth), l.Doc.ProviderName}, nil
	}
	if err := checkInterconnectID(id); err != nil {
		return parent{}, err
	}
	i, err := interconnects.LoadAs(ctx, r, id, resource.Owner)
	if err != nil {
		return parent{}, err
	}
	return parent{resource.Ref{Kind: interconnects.Name, ID: id}, interconnects.Noun, i.Account, i.Doc.Location, i.Doc.Device, string(i.Doc.State), mbps(i.Doc.Bandwidth), i.Doc.ProviderName}, nil
}

// hostedOn lists the hosted connections on a parent, deleted ones too.
// A LAG's members share its parent ref: limit counts hosted connections
// only, reading on past the members until it has them.
func hostedOn(ctx context.Context, r store.Reader, p resource.Ref, after string, limit int) ([]*resource.Object[connection], error) {
	var out []*resource.Object[connection]
	for {
		list, err := connections.List(ctx, r, store.ListQuery{Parent: p.String(), After: after, Limit: limit})
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if o.Doc.Hosted {
				out = append(out, o)
			}
			if limit > 0 && len(out) == limit {
				return out, nil
			}
		}
		if limit == 0 || len(list) < limit {
			return out, nil
		}
		after = list[len(list)-1].ID
	}
}

// checkNoHosted refuses to delete a parent that carries hosted connections
// that are not deleted or rejected.
func (s *Service) checkNoHosted(ctx context.Context, r store.Reader, ref resource.Ref, noun string) error {
	list, err := hostedOn(ctx, r, ref, "", 0)
	if err != nil {
		return err
	}
	for _, o := range list {
		if live(string(o.Doc.State)) {
			return fault.New(fault.Conflict, "%s %s carries hosted connection %s (%s); delete its hosted connections first.",
				noun, ref.ID, o.ID, o.Doc.State)
		}
	}
	return nil
}

// checkCapacity refuses a hosted connection that would take a parent past
// its bandwidth: the hosted connections on it that are not deleted or
// rejected add up to at most the parent's capacity.
func checkCapacity(ctx context.Context, r store.Reader, p parent, bandwidth, except string) error {
	list, err := hostedOn(ctx, r, p.ref, "", 0)
	if err != nil {
		return err
	}
	used := 0
	for _, o := range list {
		if live(string(o.Doc.State)) && o.ID != except {
			used += mbps(o.Doc.Bandwidth)
		}
	}
	if used+mbps(bandwidth) > p.capacity {
		return invalid("%s %s has %d Mbps of its %d Mbps left; a %s hosted connection does not fit.",
			p.noun, p.ref.ID, max(0, p.capacity-used), p.capacity, bandwidth)
	}
	return nil
}

// claimVlan reserves a VLAN on a parent for a hosted connection, inside the
// transaction: two allocations of one VLAN can never both succeed.
func claimVlan(ctx context.Context, tx *resource.Tx, parentID string, vlan int, owner resource.Ref) error {
	err := tx.Claim(ctx, store.Claim{Scope: vlanScope(parentID), Key: strconv.Itoa(vlan), OwnerKind: owner.Kind, OwnerID: owner.ID})
	if errors.Is(err, store.ErrConflict) {
		return invalid("Vlan %d is already in use on %s.", vlan, parentID)
	}
	return err
}

func (s *Service) AllocateHostedConnection(ctx context.Context, in *dxapi.AllocateHostedConnectionRequest) (*dxapi.Connection, error) {
	return s.allocateHosted(ctx, smithy.Deref(in.ConnectionId), smithy.Deref(in.OwnerAccount), smithy.Deref(in.Bandwidth),
		smithy.Deref(in.ConnectionName), int(smithy.Deref(in.Vlan)), in.Tags, true)
}

// AllocateConnectionOnInterconnect is the deprecated form: interconnects
// only, and no 25Gbps.
func (s *Service) AllocateConnectionOnInterconnect(ctx context.Context, in *dxapi.AllocateConnectionOnInterconnectRequest) (*dxapi.Connection, error) {
	id := smithy.Deref(in.InterconnectId)
	if err := checkInterconnectID(id); err != nil {
		return nil, err
	}
	if bw := smithy.Deref(in.Bandwidth); bw == "25Gbps" {
		return nil, invalid("Bandwidth %s is not available for AllocateConnectionOnInterconnect; use AllocateHostedConnection.", bw)
	}
	return s.allocateHosted(ctx, id, smithy.Deref(in.OwnerAccount), smithy.Deref(in.Bandwidth),
		smithy.Deref(in.ConnectionName), int(smithy.Deref(in.Vlan)), nil, false)
}

func (s *Service) allocateHosted(ctx context.Context, parentID, owner, bandwidth, name string, vlan int, inTags []dxapi.Tag, lagOK bool) (*dxapi.Connection, error) {
	who := caller.From(ctx)
	if strings.TrimSpace(name) == "" {
		return nil, invalid("Connection name must not be empty.")
	}
	if _, ok := hostedBandwidths[bandwidth]; !ok {
		return nil, invalid("Bandwidth %s is not available for hosted connections. Valid values: 50Mbps, 100Mbps, 200Mbps, 300Mbps, 400Mbps, 500Mbps, 1Gbps, 2Gbps, 5Gbps, 10Gbps, 25Gbps.", bandwidth)
	}
	if vlan < 1 || vlan > 4094 {
		return nil, invalid("Vlan %d is not valid: a VLAN is between 1 and 4094.", vlan)
	}
	if err := s.checkPartner(who.Account, bandwidth); err != nil {
		return nil, err
	}
	tags, err := newTags(inTags)
	if err != nil && inTags != nil {
		return nil, err
	}
	if !lagOK && strings.HasPrefix(parentID, "dxlag-") {
		return nil, invalid("Interconnect ID %s has an invalid format.", parentID)
	}
	var o *resource.Object[connection]
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		p, err := s.loadParent(ctx, tx.Reader(), parentID)
		if err != nil {
			return err
		}
		if !live(p.state) {
			return fault.New(fault.Conflict, "%s is %s.", parentID, p.state)
		}
		if err := checkCapacity(ctx, tx.Reader(), p, bandwidth, ""); err != nil {
			return err
		}
		m := resource.Meta{ID: newID("dxcon"), Account: owner, Region: who.Region, Parent: p.ref}
		if err := claimVlan(ctx, tx, parentID, vlan, resource.Ref{Kind: connections.Name, ID: m.ID}); err != nil {
			return err
		}
		c := &connection{
			Name: name, State: stateOrdering, Hosted: true, Vlan: vlan, PartnerName: s.partnerName(who.Account, p.providerName),
			physical: physical{Location: p.location, Bandwidth: bandwidth, Device: p.device},
			Tags:     tags, CreatedAt: s.clock.Now(),
		}
		o, err = connections.Create(ctx, tx, m, c, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return apiConnectionFor(ctx, o), nil
}

// apiConnectionFor renders a connection for the caller: tags are the
// owner's alone, as AWS documents for hosted connections.
func apiConnectionFor(ctx context.Context, o *resource.Object[connection]) *dxapi.Connection {
	out := apiConnection(o)
	if o.RoleOf(caller.From(ctx)) != resource.Owner {
		out.Tags = []dxapi.Tag{}
	}
	return out
}

var hostedPages = page.Options{Max: MaxPageSize}

func (s *Service) DescribeHostedConnections(ctx context.Context, in *dxapi.DescribeHostedConnectionsRequest) (*dxapi.Connections, error) {
	id := smithy.Deref(in.ConnectionId)
	scope := pageScope(ctx, "DescribeHostedConnections", id)
	req, err := page.Read(scope, hostedPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return s.listHosted(ctx, id, scope, &req)
}

func (s *Service) DescribeConnectionsOnInterconnect(ctx context.Context, in *dxapi.DescribeConnectionsOnInterconnectRequest) (*dxapi.Connections, error) {
	id := smithy.Deref(in.InterconnectId)
	if err := checkInterconnectID(id); err != nil {
		return nil, err
	}
	// No maxResults: every hosted connection, as few as the parent's
	// capacity allows.
	return s.listHosted(ctx, id, page.Scope{}, nil)
}

// listHosted lists the hosted connections on a parent of the caller's, a
// page req asks for, or all of them when req is nil.
func (s *Service) listHosted(ctx context.Context, parentID string, scope page.Scope, req *page.Request) (*dxapi.Connections, error) {
	out := &dxapi.Connections{Connections: []dxapi.Connection{}}
	err := s.view(ctx, func(r store.Reader) error {
		p, err := s.loadParent(ctx, r, parentID)
		if err != nil {
			return err
		}
		after, limit := "", 0
		if req != nil {
			after, limit = req.After, req.Fetch()
		}
		list, err := hostedOn(ctx, r, p.ref, after, limit)
		if err != nil {
			return err
		}
		if req != nil {
			if err := req.Whole(len(list), "hosted connections"); err != nil {
				return err
			}
			list, out.NextToken = page.Trim(scope, *req, list, objectID[connection])
		}
		for _, o := range list {
			out.Connections = append(out.Connections, *apiConnectionFor(ctx, o))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AssociateHostedConnection moves a hosted connection to another
// interconnect or LAG of the same partner, keeping its VLAN, which must be
// free there.
func (s *Service) AssociateHostedConnection(ctx context.Context, in *dxapi.AssociateHostedConnectionRequest) (*dxapi.Connection, error) {
	id, parentID := smithy.Deref(in.ConnectionId), smithy.Deref(in.ParentConnectionId)
	if err := checkConnectionID(id); err != nil {
		return nil, err
	}
	var o *resource.Object[connection]
	err := s.facility.Update(ctx, func(tx *resource.Tx) (err error) {
		p, err := s.loadParent(ctx, tx.Reader(), parentID)
		if err != nil {
			return err
		}
		if o, err = connections.LoadAs(ctx, tx.Reader(), id, resource.Viewer); err != nil {
			return err
		}
		from := o.Parent
		if !o.Doc.Hosted || o.RoleOf(caller.From(ctx)) != resource.Viewer {
			return invalid("Connection %s is not a hosted connection on one of your interconnects or LAGs.", id)
		}
		if !live(string(o.Doc.State)) {
			return fault.New(fault.Conflict, "Connection %s is %s.", id, o.Doc.State)
		}
		if from == p.ref {
			return nil
		}
		if p.location != o.Doc.Location {
			return invalid("%s is at %s; connection %s is at %s.", parentID, p.location, id, o.Doc.Location)
		}
		if err := checkCapacity(ctx, tx.Reader(), p, o.Doc.Bandwidth, id); err != nil {
			return err
		}
		if err := tx.Release(ctx, connections.Name, id); err != nil {
			return err
		}
		if err := claimVlan(ctx, tx, parentID, o.Doc.Vlan, resource.Ref{Kind: connections.Name, ID: id}); err != nil {
			return err
		}
		o.Parent, o.Doc.Device = p.ref, p.device
		if st := string(o.Doc.State); st == "available" || st == "down" {
			o.Doc.State = followParent(p.state)
		}
		return connections.Save(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return apiConnectionFor(ctx, o), nil
}

// ConfirmConnection is the customer accepting a hosted connection.
func (s *Service) ConfirmConnection(ctx context.Context, in *dxapi.ConfirmConnectionRequest) (*dxapi.ConfirmConnectionResponse, error) {
	id := smithy.Deref(in.ConnectionId)
	if err := checkConnectionID(id); err != nil {
		return nil, err
	}
	c, err := s.changeConnection(ctx, id, resource.Owner, func(tx *resource.Tx, o *resource.Object[connection]) error {
		if !o.Doc.Hosted || o.Doc.State != stateOrdering {
			return fault.New(fault.Conflict, "Connection %s is %s; only a hosted connection that is ordering can be confirmed.", id, o.Doc.State)
		}
		o.Doc.State = statePending
		return s.facility.Schedule(ctx, tx, resourceOf(connections.Name, o.Meta), stepHostedProvision)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.ConfirmConnectionResponse{ConnectionState: c.ConnectionState}, nil
}

// deleteHosted deletes a hosted connection: rejected when its customer
// declines it while ordering, deleted otherwise.
func (s *Service) deleteHosted(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) error {
	state := stateDeleted
	if o.Doc.State == stateOrdering && o.RoleOf(caller.From(ctx)) == resource.Owner {
		state = stateRejected
	}
	return s.connectionKind().deleteHolder(ctx, s, tx, o, string(state))
}

// followParent is the state a provisioned hosted connection takes from its
// parent's.
func followParent(parentState string) dxapi.ConnectionState {
	if parentState == "available" {
		return stateAvailable
	}
	return stateDown
}

// parentChanged carries a parent's new state to the provisioned hosted
// connections on it, in the same transaction.
func (s *Service) parentChanged(ctx context.Context, tx *resource.Tx, p resource.Ref, state string) error {
	list, err := hostedOn(ctx, tx.Reader(), p, "", 0)
	if err != nil {
		return err
	}
	for _, o := range list {
		if st := o.Doc.State; st != stateAvailable && st != stateDown {
			continue
		}
		if next := followParent(state); next != o.Doc.State {
			o.Doc.State = next
			if err := connections.Save(ctx, tx, o); err != nil {
				return err
			}
			if err := s.vifsFollow(ctx, tx, resource.Ref{Kind: connections.Name, ID: o.ID}, string(next)); err != nil {
				return err
			}
		}
	}
	return nil
}

// hostedSteps are what the facility does to hosted connections.
func (s *Service) hostedSteps() []facility.Step {
	return []facility.Step{{
		Name:  stepHostedProvision,
		Actor: facility.Automation,
		Note:  "AWS provisions the confirmed hosted connection on its parent (pending -> available, or down if the parent is not available)",
		Apply: s.connectionKind().move(s, func(ctx context.Context, tx *resource.Tx, o *resource.Object[connection]) (bool, error) {
			if o.Doc.State != statePending {
				return false, nil
			}
			state, err := s.parentState(ctx, tx.Reader(), o.Parent)
			o.Doc.State = followParent(state)
			return true, err
		}),
	}}
}

// parentState reads the state of a hosted connection's parent.
func (s *Service) parentState(ctx context.Context, r store.Reader, p resource.Ref) (string, error) {
	switch p.Kind {
	case lags.Name:
		l, err := lags.Get(ctx, r, p.ID)
		if err != nil {
			return "", err
		}
		return string(l.Doc.State), nil
	case interconnects.Name:
		i, err := interconnects.Get(ctx, r, p.ID)
		if err != nil {
			return "", err
		}
		return string(i.Doc.State), nil
	}
	return "", fmt.Errorf("hosted connection parent %s", p)
}

func ignoreGone(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
