package directconnect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/vpc"
)

// A Direct Connect gateway association joins a Direct Connect gateway (its
// parent) to a virtual private gateway or a transit gateway. Like the
// gateway it is global; it belongs to the gateway's owner and is seen by
// the associated gateway's owner too (a cross-account association, made by
// accepting a proposal):
//
//	associating    -> associated      AWS associates them (automation)
//	associated     -> updating        the gateway owner changes the allowed
//	                                  prefixes, or accepts a proposal for the pair
//	updating       -> associated      AWS applies them (automation)
//	associating,
//	associated,
//	updating       -> disassociating  either owner deletes it
//	disassociating -> disassociated   AWS disassociates them (automation): the
//	                                  VGW, the pair and the quota unit are free
//	disassociated  -> forgotten       listed 15 minutes more, then forgotten
const (
	assocAssociating    = dxapi.DirectConnectGatewayAssociationStateAssociating
	assocAssociated     = dxapi.DirectConnectGatewayAssociationStateAssociated
	assocUpdating       = dxapi.DirectConnectGatewayAssociationStateUpdating
	assocDisassociating = dxapi.DirectConnectGatewayAssociationStateDisassociating
	assocDisassociated  = dxapi.DirectConnectGatewayAssociationStateDisassociated
)

const (
	stepAssociationAssociate    = "dx-association.associate"
	stepAssociationUpdate       = "dx-association.update"
	stepAssociationDisassociate = "dx-association.disassociate"
	stepAssociationForget       = "dx-association.forget"
)

// maxTransitPrefixes is AWS's limit of allowed prefixes on a transit
// gateway association (IPv4 and IPv6 together).
const maxTransitPrefixes = 200

// associatedGateway is the VGW or TGW side of an association or proposal.
type associatedGateway struct {
	ID     string            `json:"id"`
	Type   dxapi.GatewayType `json:"type"`
	Owner  string            `json:"owner"`
	Region string            `json:"region"`
}

func (g associatedGateway) api() *dxapi.AssociatedGateway {
	return &dxapi.AssociatedGateway{Id: smithy.Ptr(g.ID), Type: smithy.Ptr(g.Type), OwnerAccount: smithy.Ptr(g.Owner), Region: smithy.Ptr(g.Region)}
}

func (g associatedGateway) isVGW() bool { return g.Type == dxapi.GatewayTypeVirtualPrivateGateway }

// missing is what AWS answers for a VGW or TGW that is not where the
// caller looks: "The VirtualGateway vgw-... does not exist."
func (g associatedGateway) missing() error {
	noun := "TransitGateway"
	if g.isVGW() {
		noun = "VirtualGateway"
	}
	return fault.New(fault.NotFound, "The %s %s does not exist.", noun, g.ID)
}

type association struct {
	Gateway    string                                     `json:"gateway"`
	Associated associatedGateway                          `json:"associated"`
	State      dxapi.DirectConnectGatewayAssociationState `json:"state"`
	Prefixes   []string                                   `json:"prefixes"`
	CreatedAt  time.Time                                  `json:"createdAt"`
}

var associations = &resource.Kind[association]{
	Name:    "dx.gateway-association",
	Noun:    "Direct Connect Gateway Association",
	State:   func(a *association) string { return string(a.State) },
	Sharing: resource.Sharing[association]{With: func(a *association) []string { return []string{a.Associated.Owner} }},
	NotFound: func(id string) error {
		return fault.New(fault.NotFound, "Direct Connect Gateway Association %s does not exist.", id)
	},
}

func checkAssociationID(id string) error {
	if !gatewayIDPattern.MatchString(id) {
		return invalid("Association ID %s has an invalid format.", id)
	}
	return nil
}

func gatewayRef(id string) resource.Ref { return resource.Ref{Kind: gateway.Kind.Name, ID: id} }

func apiPrefixes(list []string) []dxapi.RouteFilterPrefix {
	out := make([]dxapi.RouteFilterPrefix, 0, len(list))
	for _, p := range list {
		out = append(out, dxapi.RouteFilterPrefix{Cidr: smithy.Ptr(p)})
	}
	return out
}

func apiAssociation(o *resource.Object[association]) *dxapi.DirectConnectGatewayAssociation {
	a := o.Doc
	out := &dxapi.DirectConnectGatewayAssociation{
		AssociationId:                         smithy.Ptr(o.ID),
		AssociationState:                      smithy.Ptr(a.State),
		DirectConnectGatewayId:                smithy.Ptr(a.Gateway),
		DirectConnectGatewayOwnerAccount:      smithy.Ptr(o.Account),
		AssociatedGateway:                     a.Associated.api(),
		AllowedPrefixesToDirectConnectGateway: apiPrefixes(a.Prefixes),
	}
	// VGW associations still carry the legacy fields, as AWS's do.
	if a.Associated.isVGW() {
		out.VirtualGatewayId = smithy.Ptr(a.Associated.ID)
		out.VirtualGatewayOwnerAccount = smithy.Ptr(a.Associated.Owner)
		out.VirtualGatewayRegion = smithy.Ptr(a.Associated.Region)
	}
	return out
}

// readPrefixes reads a request's prefixes: CIDR blocks without host bits,
// IPv4 or IPv6, each kept once and as given.
func readPrefixes(member string, in []dxapi.RouteFilterPrefix) ([]string, error) {
	var out []string
	for _, p := range in {
		c := smithy.Deref(p.Cidr)
		pf, err := netip.ParsePrefix(c)
		if err != nil || pf != pf.Masked() {
			return nil, invalid("%s: %q is not a CIDR block such as 10.0.0.0/16.", member, c)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// readChange reads the prefixes a request adds and removes.
func readChange(add, remove []dxapi.RouteFilterPrefix) ([]string, []string, error) {
	a, err := readPrefixes("addAllowedPrefixesToDirectConnectGateway", add)
	if err != nil {
		return nil, nil, err
	}
	r, err := readPrefixes("removeAllowedPrefixesToDirectConnectGateway", remove)
	return a, r, err
}

// changePrefixes adds and removes prefixes; adding one already there, or
// removing one that is not, changes nothing.
func changePrefixes(current, add, remove []string) []string {
	out := slices.Clone(current)
	for _, p := range add {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return slices.DeleteFunc(out, func(p string) bool { return slices.Contains(remove, p) })
}

// checkAllowed checks the prefixes an association is to have.
func checkAllowed(g associatedGateway, prefixes []string) error {
	switch {
	case len(prefixes) == 0 && g.isVGW():
		return invalid("An association with virtual private gateway %s needs at least one allowed prefix.", g.ID)
	case len(prefixes) == 0:
		return invalid("addAllowedPrefixesToDirectConnectGateway is required for an association with a transit gateway (%s).", g.ID)
	case !g.isVGW() && len(prefixes) > maxTransitPrefixes:
		return invalid("A transit gateway association allows at most %d prefixes, not %d.", maxTransitPrefixes, len(prefixes))
	}
	return nil
}

// findAssociatedGateway finds a VGW or TGW of the caller's (registering a
// well-formed unknown one, unless strict), with a VGW's VPC CIDRs.
func (s *Service) findAssociatedGateway(ctx context.Context, tx *resource.Tx, id string) (associatedGateway, []string, error) {
	o, err := s.gateways.Find(ctx, tx, id)
	if err != nil {
		return associatedGateway{}, nil, err
	}
	g := associatedGateway{ID: id, Type: dxapi.GatewayTypeTransitGateway, Owner: o.Account, Region: o.Region}
	if vpc.IsVGW(id) {
		g.Type = dxapi.GatewayTypeVirtualPrivateGateway
	}
	return g, o.Doc.CIDRs, nil
}

// ownGateway loads a Direct Connect gateway of the caller's that can take
// associations.
func ownGateway(ctx context.Context, r store.Reader, id string) (*resource.Object[gateway.Gateway], error) {
	g, err := gateway.Kind.LoadAs(ctx, r, id, resource.Owner)
	if err != nil {
		return nil, err
	}
	if g.Doc.State == gateway.StateDeleting {
		return nil, fault.New(fault.Conflict, "Direct Connect Gateway %s is being deleted.", id)
	}
	return g, nil
}

// vgwScope holds, per VGW, the one Direct Connect gateway it is associated
// with; pairScope holds each (gateway, VGW or TGW) pair once.
const (
	vgwScope  = "dx-gateway-of-vgw"
	pairScope = "dx-gateway-association:"
)

// associate creates an association of gateway g (for its owner) with ag,
// claiming the pair, the VGW and a unit of the gateway's quota.
func (s *Service) associate(ctx context.Context, tx *resource.Tx, g *resource.Object[gateway.Gateway], ag associatedGateway, prefixes []string) (*resource.Object[association], error) {
	m := resource.Meta{ID: newUUID(), Account: g.Account, Parent: gatewayRef(g.ID)}
	claim := func(scope, msg string) error {
		err := tx.Claim(ctx, store.Claim{Scope: scope, Key: ag.ID, OwnerKind: associations.Name, OwnerID: m.ID})
		if errors.Is(err, store.ErrConflict) {
			return fault.New(fault.Conflict, "%s", msg)
		}
		return err
	}
	if err := claim(pairScope+g.ID, fmt.Sprintf("%s is already associated with Direct Connect Gateway %s.", ag.ID, g.ID)); err != nil {
		return nil, err
	}
	quota := quotaTgwsPerGateway
	if ag.isVGW() {
		quota = quotaVgwsPerGateway
		msg := fmt.Sprintf("Virtual private gateway %s is already associated with a Direct Connect gateway; a virtual private gateway belongs to one.", ag.ID)
		if err := claim(vgwScope, msg); err != nil {
			return nil, err
		}
	}
	if err := s.takeScopedQuota(ctx, tx, quota, g.ID, resource.Ref{Kind: associations.Name, ID: m.ID}); err != nil {
		return nil, err
	}
	a := &association{Gateway: g.ID, Associated: ag, State: assocAssociating, Prefixes: prefixes, CreatedAt: tx.Now()}
	o, err := associations.Create(ctx, tx, m, a, nil)
	if err != nil {
		return nil, err
	}
	return o, s.facility.Schedule(ctx, tx, resourceOf(associations.Name, o.Meta), stepAssociationAssociate)
}

// reassociate gives a live association new prefixes: updating, then
// associated again.
func (s *Service) reassociate(ctx context.Context, tx *resource.Tx, o *resource.Object[association], prefixes []string) error {
	if o.Doc.State != assocAssociated {
		return fault.New(fault.Conflict, "Direct Connect Gateway Association %s is %s; it can be updated once it is associated.", o.ID, o.Doc.State)
	}
	if err := checkAllowed(o.Doc.Associated, prefixes); err != nil {
		return err
	}
	o.Doc.Prefixes, o.Doc.State = prefixes, assocUpdating
	if err := associations.Save(ctx, tx, o); err != nil {
		return err
	}
	return s.facility.Schedule(ctx, tx, resourceOf(associations.Name, o.Meta), stepAssociationUpdate)
}

// oneGatewayID reads the associated gateway id a request names in either
// of two members (the current one and its legacy form).
func oneGatewayID(current, legacy string) (string, error) {
	if current != "" && legacy != "" && current != legacy {
		return "", invalid("gatewayId (or associatedGatewayId) %s and virtualGatewayId %s name different gateways.", current, legacy)
	}
	return cmp.Or(current, legacy), nil
}

func (s *Service) CreateDirectConnectGatewayAssociation(ctx context.Context, in *dxapi.CreateDirectConnectGatewayAssociationRequest) (*dxapi.CreateDirectConnectGatewayAssociationResult, error) {
	dxgw := smithy.Deref(in.DirectConnectGatewayId)
	if err := checkGatewayID(dxgw); err != nil {
		return nil, err
	}
	gwID, err := oneGatewayID(smithy.Deref(in.GatewayId), smithy.Deref(in.VirtualGatewayId))
	if err != nil {
		return nil, err
	}
	if gwID == "" {
		return nil, invalid("Give the gatewayId of the virtual private gateway or transit gateway to associate.")
	}
	prefixes, err := readPrefixes("addAllowedPrefixesToDirectConnectGateway", in.AddAllowedPrefixesToDirectConnectGateway)
	if err != nil {
		return nil, err
	}
	var out *dxapi.DirectConnectGatewayAssociation
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		g, err := ownGateway(ctx, tx.Reader(), dxgw)
		if err != nil {
			return err
		}
		ag, cidrs, err := s.findAssociatedGateway(ctx, tx, gwID)
		if err != nil {
			return err
		}
		allowed := prefixes
		if len(allowed) == 0 && ag.isVGW() {
			allowed = cidrs // a VGW's VPC CIDRs by default
		}
		if err := checkAllowed(ag, allowed); err != nil {
			return err
		}
		o, err := s.associate(ctx, tx, g, ag, allowed)
		if err != nil {
			return err
		}
		out = apiAssociation(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.CreateDirectConnectGatewayAssociationResult{DirectConnectGatewayAssociation: out}, nil
}

// liveAssociation reports whether an association still joins its pair.
func liveAssociation(a *association) bool { return a.State != assocDisassociated }

// visibleAssociations lists the associations the caller sees, of one
// Direct Connect gateway or all, that keep.
func visibleAssociations(ctx context.Context, r store.Reader, dxgw string, keep func(*resource.Object[association]) bool) ([]*resource.Object[association], error) {
	q := store.ListQuery{VisibleTo: caller.From(ctx).Account}
	if dxgw != "" {
		q.Parent = gatewayRef(dxgw).String()
	}
	list, err := associations.List(ctx, r, q)
	return slices.DeleteFunc(list, func(o *resource.Object[association]) bool { return !keep(o) }), err
}

// DescribeDirectConnectGatewayAssociations lists the associations the
// caller sees of a Direct Connect gateway, of a VGW or TGW, or the one
// named (one of them is required, as the model says); an id nobody shows
// the caller is an empty list. Disassociated ones are listed for 15
// minutes.
func (s *Service) DescribeDirectConnectGatewayAssociations(ctx context.Context, in *dxapi.DescribeDirectConnectGatewayAssociationsRequest) (*dxapi.DescribeDirectConnectGatewayAssociationsResult, error) {
	if in.AssociationId != nil {
		if err := checkAssociationID(*in.AssociationId); err != nil {
			return nil, err
		}
	}
	id, dxgw := smithy.Deref(in.AssociationId), smithy.Deref(in.DirectConnectGatewayId)
	if dxgw != "" {
		if err := checkGatewayID(dxgw); err != nil {
			return nil, err
		}
	}
	gw, err := oneGatewayID(smithy.Deref(in.AssociatedGatewayId), smithy.Deref(in.VirtualGatewayId))
	if err != nil {
		return nil, err
	}
	if id == "" && dxgw == "" && gw == "" {
		return nil, invalid("Specify a Direct Connect gateway, a virtual private gateway or transit gateway, or an association ID.")
	}
	list, next, err := pagedView(ctx, s, "DescribeDirectConnectGatewayAssociations", fmt.Sprintf("%q %q %q", id, dxgw, gw), in.MaxResults, in.NextToken,
		func(r store.Reader) ([]*resource.Object[association], error) {
			return visibleAssociations(ctx, r, dxgw, func(o *resource.Object[association]) bool {
				return (id == "" || o.ID == id) && (gw == "" || o.Doc.Associated.ID == gw)
			})
		}, objectID[association], apiAssociation)
	if err != nil {
		return nil, err
	}
	return &dxapi.DescribeDirectConnectGatewayAssociationsResult{DirectConnectGatewayAssociations: list, NextToken: next}, nil
}

// pagedView reads, in one view, what list finds (sorted by key), and
// renders the caller's page of it.
func pagedView[T, A any](ctx context.Context, s *Service, name, filter string, maxResults *int32, token *string,
	list func(store.Reader) ([]T, error), key func(T) string, render func(T) *A) ([]A, *string, error) {
	scope := pageScope(ctx, name, filter)
	req, err := page.Read(scope, page.Options{Max: MaxPageSize}, maxResults, token)
	if err != nil {
		return nil, nil, err
	}
	out := []A{}
	var next *string
	err = s.view(ctx, func(r store.Reader) error {
		items, err := list(r)
		if err != nil {
			return err
		}
		items, next = page.Slice(scope, req, items, key)
		for _, it := range items {
			out = append(out, *render(it))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, next, nil
}

// UpdateDirectConnectGatewayAssociation adds and removes allowed prefixes:
// the gateway's owner may (the other side proposes instead).
func (s *Service) UpdateDirectConnectGatewayAssociation(ctx context.Context, in *dxapi.UpdateDirectConnectGatewayAssociationRequest) (*dxapi.UpdateDirectConnectGatewayAssociationResult, error) {
	id := smithy.Deref(in.AssociationId)
	if err := checkAssociationID(id); err != nil {
		return nil, err
	}
	add, remove, err := readChange(in.AddAllowedPrefixesToDirectConnectGateway, in.RemoveAllowedPrefixesToDirectConnectGateway)
	if err != nil {
		return nil, err
	}
	var out *dxapi.DirectConnectGatewayAssociation
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := findAssociation(ctx, tx.Reader(), id, "", "")
		if err != nil {
			return err
		}
		if o.RoleOf(caller.From(ctx)) != resource.Owner {
			return invalid("Only the owner of Direct Connect Gateway %s updates its associations: propose the change with CreateDirectConnectGatewayAssociationProposal.", o.Doc.Gateway)
		}
		if err := s.reassociate(ctx, tx, o, changePrefixes(o.Doc.Prefixes, add, remove)); err != nil {
			return err
		}
		out = apiAssociation(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.UpdateDirectConnectGatewayAssociationResult{DirectConnectGatewayAssociation: out}, nil
}

// DeleteDirectConnectGatewayAssociation disassociates, by association id,
// or by Direct Connect gateway and VGW: either side's owner may.
func (s *Service) DeleteDirectConnectGatewayAssociation(ctx context.Context, in *dxapi.DeleteDirectConnectGatewayAssociationRequest) (*dxapi.DeleteDirectConnectGatewayAssociationResult, error) {
	id, dxgw, vgw := smithy.Deref(in.AssociationId), smithy.Deref(in.DirectConnectGatewayId), smithy.Deref(in.VirtualGatewayId)
	switch {
	case id != "" || (dxgw == "" && vgw == ""):
		if err := checkAssociationID(id); err != nil {
			return nil, err
		}
	case dxgw == "" || vgw == "":
		return nil, invalid("Give an associationId, or both a directConnectGatewayId and a virtualGatewayId.")
	default:
		if err := checkGatewayID(dxgw); err != nil {
			return nil, err
		}
	}
	var out *dxapi.DirectConnectGatewayAssociation
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := findAssociation(ctx, tx.Reader(), id, dxgw, vgw)
		if err != nil {
			return err
		}
		if o.Doc.State == assocDisassociating {
			return fault.New(fault.Conflict, "Direct Connect Gateway Association %s is already disassociating.", o.ID)
		}
		o.Doc.State = assocDisassociating
		if err := tx.UnscheduleFor(ctx, associations.Name, o.ID); err != nil {
			return err
		}
		if err := associations.Save(ctx, tx, o); err != nil {
			return err
		}
		out = apiAssociation(o)
		return s.facility.Schedule(ctx, tx, resourceOf(associations.Name, o.Meta), stepAssociationDisassociate)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.DeleteDirectConnectGatewayAssociationResult{DirectConnectGatewayAssociation: out}, nil
}

// findAssociation loads a live association the caller sees, by id or by
// its pair.
func findAssociation(ctx context.Context, r store.Reader, id, dxgw, gw string) (*resource.Object[association], error) {
	if id != "" {
		o, err := associations.Load(ctx, r, id)
		if err == nil && !liveAssociation(o.Doc) {
			err = associations.Missing(id)
		}
		return o, err
	}
	list, err := visibleAssociations(ctx, r, dxgw, func(o *resource.Object[association]) bool {
		return o.Doc.Associated.ID == gw && liveAssociation(o.Doc)
	})
	if err != nil || len(list) == 0 {
		return nil, cmp.Or[error](err, fault.New(fault.NotFound, "Direct Connect Gateway Association between %s and %s does not exist.", dxgw, gw))
	}
	return list[0], nil
}

// gatewayAllowedPrefixes is what AWS advertises to a VIF on a Direct
// Connect gateway: the allowed prefixes of the gateway's associations that
// are in effect (associated, or updating), each once, sorted.
func gatewayAllowedPrefixes(ctx context.Context, r store.Reader, dxgw string) ([]string, error) {
	list, err := associations.List(ctx, r, store.ListQuery{Parent: gatewayRef(dxgw).String()})
	var out []string
	for _, o := range list {
		if o.Doc.State == assocAssociated || o.Doc.State == assocUpdating {
			out = append(out, o.Doc.Prefixes...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), err
}

// checkNoAssociations refuses to delete a Direct Connect gateway that is
// still associated (or being disassociated).
func checkNoAssociations(ctx context.Context, r store.Reader, dxgw string) error {
	list, err := associations.List(ctx, r, store.ListQuery{Parent: gatewayRef(dxgw).String()})
	if err != nil {
		return err
	}
	for _, o := range list {
		if liveAssociation(o.Doc) {
			return fault.New(fault.Conflict, "Direct Connect Gateway %s has association %s with %s (%s); delete the association first.",
				dxgw, o.ID, o.Doc.Associated.ID, o.Doc.State)
		}
	}
	return nil
}

// associationSteps are what AWS does to associations, and to proposals,
// on its own.
func (s *Service) associationSteps() []facility.Step {
	move := func(from, to dxapi.DirectConnectGatewayAssociationState) func(context.Context, *resource.Tx, store.Transition) error {
		return func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
			o, err := associations.Get(ctx, tx.Reader(), t.ResourceID)
			if err != nil || o.Doc.State != from {
				return ignoreGone(err)
			}
			o.Doc.State = to
			if err := associations.Save(ctx, tx, o); err != nil || to != assocDisassociated {
				return err
			}
			// The VGW, the pair and the quota unit are free again.
			if err := tx.Release(ctx, associations.Name, o.ID); err != nil {
				return err
			}
			return s.facility.Schedule(ctx, tx, resourceOf(associations.Name, o.Meta), stepAssociationForget)
		}
	}
	return []facility.Step{
		{Name: stepAssociationAssociate, Actor: facility.Automation, Note: "AWS associates the gateways (associating -> associated)",
			Apply: move(assocAssociating, assocAssociated)},
		{Name: stepAssociationUpdate, Actor: facility.Automation, Note: "AWS applies the association's allowed prefixes (updating -> associated)",
			Apply: move(assocUpdating, assocAssociated)},
		{Name: stepAssociationDisassociate, Actor: facility.Automation, Note: "AWS disassociates the gateways (disassociating -> disassociated, listed 15 more minutes)",
			Apply: move(assocDisassociating, assocDisassociated)},
		forgetStep(associations, stepAssociationForget, "AWS stops listing the disassociated association"),
		forgetStep(proposals, stepProposalForget, "AWS stops listing the deleted association proposal"),
	}
}

// forgetStep is the housekeeping that drops a resource listed for
// DeletedRetention in its final state.
func forgetStep[T any](k *resource.Kind[T], name, note string) facility.Step {
	return facility.Step{Name: name, Actor: facility.Housekeeping, Delay: DeletedRetention, Note: note,
		Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
			o, err := k.Get(ctx, tx.Reader(), t.ResourceID)
			if err != nil {
				return ignoreGone(err)
			}
			return k.Delete(ctx, tx, o)
		}}
}

// TransitGatewayAssociations lists the live associations with transit
// gateways in the caller's region that the caller owns either side of (the
// TGW, or the Direct Connect gateway: EC2 lists an attachment to the TGW's
// owner and to the attached resource's owner alike, and Terraform reads a
// cross-account association's attachment as the Direct Connect gateway's
// owner): what EC2 shows as the gateways' direct-connect-gateway
// attachments.
func (s *Service) TransitGatewayAssociations(ctx context.Context, r store.Reader) ([]vpc.DXAssociation, error) {
	who := caller.From(ctx)
	// Visible to: the gateway's owner and the associated gateway's (the
	// kind's sharing rule), whom EC2 shows the attachment to.
	list, err := associations.List(ctx, r, store.ListQuery{VisibleTo: who.Account})
	if err != nil {
		return nil, err
	}
	var out []vpc.DXAssociation
	for _, o := range list {
		a := o.Doc
		if a.Associated.isVGW() || a.Associated.Region != who.Region || a.State == assocDisassociated {
			continue
		}
		out = append(out, vpc.DXAssociation{
			ID: o.ID, DXGateway: a.Gateway, DXGatewayOwner: o.Account, TGW: a.Associated.ID, TGWOwner: a.Associated.Owner,
			State: string(a.State), Created: a.CreatedAt,
		})
	}
	return out, nil
}
