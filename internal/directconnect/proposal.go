package directconnect

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// An association proposal is the owner of a VGW or TGW asking the owner of
// another account's Direct Connect gateway to associate them (or, for a
// pair already associated, to change the allowed prefixes). It belongs to
// the proposer and is seen by the gateway's owner; like the gateway it is
// global:
//
//	requested -> accepted  the gateway owner accepts it: the association is
//	                       created (or updated), the gateway owner's
//	requested -> deleted   the proposer withdraws it, or the gateway owner
//	                       rejects it (both by deleting it)
//	accepted  -> deleted   either deletes it; the association stays
//	deleted   -> forgotten listed 15 minutes more, then forgotten
const (
	proposalRequested = dxapi.DirectConnectGatewayAssociationProposalStateRequested
	proposalAccepted  = dxapi.DirectConnectGatewayAssociationProposalStateAccepted
	proposalDeleted   = dxapi.DirectConnectGatewayAssociationProposalStateDeleted
)

const stepProposalForget = "dx-association-proposal.forget"

type proposal struct {
	Gateway      string                                             `json:"gateway"`
	GatewayOwner string                                             `json:"gatewayOwner"`
	Associated   associatedGateway                                  `json:"associated"`
	State        dxapi.DirectConnectGatewayAssociationProposalState `json:"state"`
	Existing     []string                                           `json:"existing"`
	Requested    []string                                           `json:"requested"`
	CreatedAt    time.Time                                          `json:"createdAt"`
}

var proposals = &resource.Kind[proposal]{
	Name:    "dx.gateway-association-proposal",
	Noun:    "Direct Connect Gateway Association Proposal",
	State:   func(p *proposal) string { return string(p.State) },
	Sharing: resource.Sharing[proposal]{With: func(p *proposal) []string { return []string{p.GatewayOwner} }},
	NotFound: func(id string) error {
		return fault.New(fault.NotFound, "Direct Connect Gateway Association Proposal %s is not found.", id)
	},
}

func checkProposalID(id string) error {
	if !gatewayIDPattern.MatchString(id) {
		return invalid("Proposal ID %s has an invalid format.", id)
	}
	return nil
}

func apiProposal(o *resource.Object[proposal]) *dxapi.DirectConnectGatewayAssociationProposal {
	p := o.Doc
	return &dxapi.DirectConnectGatewayAssociationProposal{
		ProposalId:                       smithy.Ptr(o.ID),
		ProposalState:                    smithy.Ptr(p.State),
		DirectConnectGatewayId:           smithy.Ptr(p.Gateway),
		DirectConnectGatewayOwnerAccount: smithy.Ptr(p.GatewayOwner),
		AssociatedGateway:                p.Associated.api(),
		ExistingAllowedPrefixesToDirectConnectGateway:  apiPrefixes(p.Existing),
		RequestedAllowedPrefixesToDirectConnectGateway: apiPrefixes(p.Requested),
	}
}

// CreateDirectConnectGatewayAssociationProposal is the owner of a VGW or
// TGW proposing it to another account's Direct Connect gateway.
func (s *Service) CreateDirectConnectGatewayAssociationProposal(ctx context.Context, in *dxapi.CreateDirectConnectGatewayAssociationProposalRequest) (*dxapi.CreateDirectConnectGatewayAssociationProposalResult, error) {
	who := caller.From(ctx)
	dxgw, owner, gwID := smithy.Deref(in.DirectConnectGatewayId), smithy.Deref(in.DirectConnectGatewayOwnerAccount), smithy.Deref(in.GatewayId)
	if err := checkGatewayID(dxgw); err != nil {
		return nil, err
	}
	if !isAccount(owner) {
		return nil, invalid("directConnectGatewayOwnerAccount %q is not an AWS account ID.", owner)
	}
	if owner == who.Account {
		return nil, invalid("Direct Connect Gateway %s is your own: associate it with CreateDirectConnectGatewayAssociation.", dxgw)
	}
	add, remove, err := readChange(in.AddAllowedPrefixesToDirectConnectGateway, in.RemoveAllowedPrefixesToDirectConnectGateway)
	if err != nil {
		return nil, err
	}
	var out *dxapi.DirectConnectGatewayAssociationProposal
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		// The proposer sees no gateway of another account: it is named by
		// id and owner, and unknown unless both match.
		g, err := gateway.Kind.Get(ctx, tx.Reader(), dxgw)
		if err != nil || g.Account != owner {
			return cmp.Or(ignoreGone(err), gateway.Kind.Missing(dxgw))
		}
		if g.Doc.State == gateway.StateDeleting {
			return fault.New(fault.Conflict, "Direct Connect Gateway %s is being deleted.", dxgw)
		}
		ag, cidrs, err := s.findAssociatedGateway(ctx, tx, gwID)
		if err != nil {
			return err
		}
		p := &proposal{Gateway: dxgw, GatewayOwner: owner, Associated: ag, State: proposalRequested, CreatedAt: tx.Now()}
		current, err := visibleAssociations(ctx, tx.Reader(), "", func(o *resource.Object[association]) bool {
			return o.Doc.Associated.ID == gwID && liveAssociation(o.Doc)
		})
		if err != nil {
			return err
		}
		pair := slices.IndexFunc(current, func(o *resource.Object[association]) bool { return o.Doc.Gateway == dxgw })
		switch {
		case ag.isVGW() && len(current) > 0 && pair < 0:
			return fault.New(fault.Conflict, "Virtual private gateway %s is already associated with Direct Connect Gateway %s.", gwID, current[0].Doc.Gateway)
		case pair >= 0:
			// A proposal to change an association's prefixes.
			p.Existing = current[pair].Doc.Prefixes
			p.Requested = changePrefixes(p.Existing, add, remove)
		case len(add) == 0 && ag.isVGW():
			p.Requested = cidrs // a VGW's VPC CIDRs by default
		default:
			p.Requested = add
		}
		if err := checkAllowed(ag, p.Requested); err != nil {
			return err
		}
		o, err := proposals.Create(ctx, tx, resource.Meta{ID: newUUID(), Account: who.Account}, p, nil)
		if err != nil {
			return err
		}
		out = apiProposal(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.CreateDirectConnectGatewayAssociationProposalResult{DirectConnectGatewayAssociationProposal: out}, nil
}

// DescribeDirectConnectGatewayAssociationProposals lists the proposals the
// caller made or received, filtered by proposal, Direct Connect gateway or
// associated gateway; deleted ones are listed for 15 minutes.
func (s *Service) DescribeDirectConnectGatewayAssociationProposals(ctx context.Context, in *dxapi.DescribeDirectConnectGatewayAssociationProposalsRequest) (*dxapi.DescribeDirectConnectGatewayAssociationProposalsResult, error) {
	if in.ProposalId != nil {
		if err := checkProposalID(*in.ProposalId); err != nil {
			return nil, err
		}
	}
	id, dxgw, gw := smithy.Deref(in.ProposalId), smithy.Deref(in.DirectConnectGatewayId), smithy.Deref(in.AssociatedGatewayId)
	list, next, err := pagedView(ctx, s, "DescribeDirectConnectGatewayAssociationProposals", fmt.Sprintf("%q %q %q", id, dxgw, gw), in.MaxResults, in.NextToken,
		func(r store.Reader) ([]*resource.Object[proposal], error) {
			list, err := proposals.List(ctx, r, store.ListQuery{VisibleTo: caller.From(ctx).Account})
			return slices.DeleteFunc(list, func(o *resource.Object[proposal]) bool {
				return (id != "" && o.ID != id) || (dxgw != "" && o.Doc.Gateway != dxgw) || (gw != "" && o.Doc.Associated.ID != gw)
			}), err
		}, objectID[proposal], apiProposal)
	if err != nil {
		return nil, err
	}
	return &dxapi.DescribeDirectConnectGatewayAssociationProposalsResult{DirectConnectGatewayAssociationProposals: list, NextToken: next}, nil
}

// AcceptDirectConnectGatewayAssociationProposal is the gateway's owner
// accepting a requested proposal, in the region of the proposed gateway:
// the association is created (the gateway owner's), or the existing one
// takes the prefixes.
func (s *Service) AcceptDirectConnectGatewayAssociationProposal(ctx context.Context, in *dxapi.AcceptDirectConnectGatewayAssociationProposalRequest) (*dxapi.AcceptDirectConnectGatewayAssociationProposalResult, error) {
	who := caller.From(ctx)
	id, dxgw, proposer := smithy.Deref(in.ProposalId), smithy.Deref(in.DirectConnectGatewayId), smithy.Deref(in.AssociatedGatewayOwnerAccount)
	if err := checkProposalID(id); err != nil {
		return nil, err
	}
	if err := checkGatewayID(dxgw); err != nil {
		return nil, err
	}
	override, err := readPrefixes("overrideAllowedPrefixesToDirectConnectGateway", in.OverrideAllowedPrefixesToDirectConnectGateway)
	if err != nil {
		return nil, err
	}
	var out *dxapi.DirectConnectGatewayAssociation
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		p, err := proposals.Load(ctx, tx.Reader(), id)
		if err != nil {
			return err
		}
		switch doc := p.Doc; {
		case doc.State == proposalDeleted:
			return proposals.Missing(id)
		case doc.GatewayOwner != who.Account:
			return invalid("Only the owner of Direct Connect Gateway %s can accept proposal %s.", doc.Gateway, id)
		case doc.Gateway != dxgw:
			return invalid("Proposal %s is for Direct Connect Gateway %s, not %s.", id, doc.Gateway, dxgw)
		case p.Account != proposer:
			return invalid("associatedGatewayOwnerAccount %s does not own %s: account %s proposed it.", proposer, doc.Associated.ID, p.Account)
		case doc.State == proposalAccepted:
			return fault.New(fault.Conflict, "Direct Connect Gateway Association Proposal %s has been accepted!", id)
		case doc.Associated.Region != who.Region:
			return doc.Associated.missing()
		}
		g, err := ownGateway(ctx, tx.Reader(), dxgw)
		if err != nil {
			return err
		}
		allowed := p.Doc.Requested
		if len(override) > 0 {
			allowed = override
		}
		if err := checkAllowed(p.Doc.Associated, allowed); err != nil {
			return err
		}
		current, err := visibleAssociations(ctx, tx.Reader(), dxgw, func(o *resource.Object[association]) bool {
			return o.Doc.Associated.ID == p.Doc.Associated.ID && liveAssociation(o.Doc)
		})
		if err != nil {
			return err
		}
		var a *resource.Object[association]
		if len(current) > 0 {
			a, err = current[0], s.reassociate(ctx, tx, current[0], allowed)
		} else {
			a, err = s.associate(ctx, tx, g, p.Doc.Associated, allowed)
		}
		if err != nil {
			return err
		}
		p.Doc.State = proposalAccepted
		out = apiAssociation(a)
		return proposals.Save(ctx, tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.AcceptDirectConnectGatewayAssociationProposalResult{DirectConnectGatewayAssociation: out}, nil
}

// DeleteDirectConnectGatewayAssociationProposal withdraws (the proposer)
// or rejects (the gateway owner) a proposal. Deleting an accepted one
// leaves its association alone, so that Terraform can destroy the
// proposal resource after acceptance.
func (s *Service) DeleteDirectConnectGatewayAssociationProposal(ctx context.Context, in *dxapi.DeleteDirectConnectGatewayAssociationProposalRequest) (*dxapi.DeleteDirectConnectGatewayAssociationProposalResult, error) {
	id := smithy.Deref(in.ProposalId)
	if err := checkProposalID(id); err != nil {
		return nil, err
	}
	var out *dxapi.DirectConnectGatewayAssociationProposal
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		p, err := proposals.Load(ctx, tx.Reader(), id)
		if err == nil && p.Doc.State == proposalDeleted {
			err = proposals.Missing(id)
		}
		if err != nil {
			return err
		}
		p.Doc.State = proposalDeleted
		if err := proposals.Save(ctx, tx, p); err != nil {
			return err
		}
		out = apiProposal(p)
		return s.facility.Schedule(ctx, tx, resourceOf(proposals.Name, p.Meta), stepProposalForget)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.DeleteDirectConnectGatewayAssociationProposalResult{DirectConnectGatewayAssociationProposal: out}, nil
}

// isAccount reports whether s looks like an AWS account id.
func isAccount(s string) bool {
	return len(s) == 12 && strings.Trim(s, "0123456789") == ""
}
