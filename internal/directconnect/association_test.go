package directconnect_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

func assocPrefixes(cidrs ...string) []types.RouteFilterPrefix {
	out := []types.RouteFilterPrefix{}
	for _, c := range cidrs {
		out = append(out, types.RouteFilterPrefix{Cidr: aws.String(c)})
	}
	return out
}

func assocCIDRs(ps []types.RouteFilterPrefix) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, aws.ToString(p.Cidr))
	}
	slices.Sort(out)
	return out
}

func assocCreate(c *directconnect.Client, gw *types.DirectConnectGateway, id string, cidrs ...string) (*types.DirectConnectGatewayAssociation, error) {
	in := &directconnect.CreateDirectConnectGatewayAssociationInput{DirectConnectGatewayId: gw.DirectConnectGatewayId, GatewayId: aws.String(id)}
	if len(cidrs) > 0 {
		in.AddAllowedPrefixesToDirectConnectGateway = assocPrefixes(cidrs...)
	}
	out, err := c.CreateDirectConnectGatewayAssociation(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.DirectConnectGatewayAssociation, nil
}

func assocMust(t *testing.T, c *directconnect.Client, gw *types.DirectConnectGateway, id string, cidrs ...string) *types.DirectConnectGatewayAssociation {
	t.Helper()
	a, err := assocCreate(c, gw, id, cidrs...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func assocList(t *testing.T, c *directconnect.Client, in *directconnect.DescribeDirectConnectGatewayAssociationsInput) []types.DirectConnectGatewayAssociation {
	t.Helper()
	out, err := c.DescribeDirectConnectGatewayAssociations(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.DirectConnectGatewayAssociations
}

// association describes one association by id, as Terraform reads it.
func assocOne(t *testing.T, c *directconnect.Client, id *string) types.DirectConnectGatewayAssociation {
	t.Helper()
	got := assocList(t, c, &directconnect.DescribeDirectConnectGatewayAssociationsInput{AssociationId: id})
	if len(got) != 1 {
		t.Fatalf("association %s: %d found", aws.ToString(id), len(got))
	}
	return got[0]
}

// A VGW association: the VPC's CIDRs by default, associating then
// associated; prefixes updated through updating; the gateway cannot go
// while it is associated; delete: disassociating, then disassociated
// (gone for Terraform), then forgotten; the VGW is free again.
func TestAssociationLifecycle(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	gw := createGateway(t, c, "core", nil)
	a := assocMust(t, c, gw, "vgw-0123abcd")
	if a.AssociationState != types.DirectConnectGatewayAssociationStateAssociating || !gatewayIDRE.MatchString(aws.ToString(a.AssociationId)) ||
		aws.ToString(a.DirectConnectGatewayOwnerAccount) != account || aws.ToString(a.DirectConnectGatewayId) != aws.ToString(gw.DirectConnectGatewayId) {
		t.Fatalf("created: %+v", a)
	}
	if g := a.AssociatedGateway; g == nil || aws.ToString(g.Id) != "vgw-0123abcd" || g.Type != types.GatewayTypeVirtualPrivateGateway ||
		aws.ToString(g.OwnerAccount) != account || aws.ToString(g.Region) != region {
		t.Errorf("associated gateway: %+v", a.AssociatedGateway)
	}
	if aws.ToString(a.VirtualGatewayId) != "vgw-0123abcd" || aws.ToString(a.VirtualGatewayOwnerAccount) != account || aws.ToString(a.VirtualGatewayRegion) != region {
		t.Errorf("legacy VGW fields: %+v", a)
	}
	if got := assocCIDRs(a.AllowedPrefixesToDirectConnectGateway); !slices.Equal(got, []string{"10.0.0.0/16"}) {
		t.Errorf("default allowed prefixes %v, want the VPC's CIDR", got)
	}
	if got := assocOne(t, c, a.AssociationId); got.AssociationState != types.DirectConnectGatewayAssociationStateAssociated {
		t.Errorf("after AWS's step: %s", got.AssociationState)
	}

	// Found by gateway, by associated gateway (either member), by both; from
	// any region (associations are global); not by another account.
	for _, in := range []*directconnect.DescribeDirectConnectGatewayAssociationsInput{
		{DirectConnectGatewayId: gw.DirectConnectGatewayId},
		{AssociatedGatewayId: aws.String("vgw-0123abcd")},
		{VirtualGatewayId: aws.String("vgw-0123abcd")},
		{DirectConnectGatewayId: gw.DirectConnectGatewayId, AssociatedGatewayId: aws.String("vgw-0123abcd")},
	} {
		if got := assocList(t, dx.DirectConnect(account, "eu-west-1"), in); len(got) != 1 || aws.ToString(got[0].AssociationId) != aws.ToString(a.AssociationId) {
			t.Errorf("%+v: %+v", in, got)
		}
	}
	if got := assocList(t, dx.DirectConnect(account2, region), &directconnect.DescribeDirectConnectGatewayAssociationsInput{AssociationId: a.AssociationId}); len(got) != 0 {
		t.Errorf("another account sees %+v", got)
	}
	if got := assocList(t, c, &directconnect.DescribeDirectConnectGatewayAssociationsInput{AssociationId: aws.String("00000000-0000-4000-8000-000000000000")}); len(got) != 0 {
		t.Errorf("an unknown association id: %+v", got)
	}
	_, err := c.DescribeDirectConnectGatewayAssociations(ctx, &directconnect.DescribeDirectConnectGatewayAssociationsInput{})
	apiError(t, err, "DirectConnectClientException", "Specify a Direct Connect gateway")
	_, err = c.DescribeDirectConnectGatewayAssociations(ctx, &directconnect.DescribeDirectConnectGatewayAssociationsInput{AssociationId: aws.String("")})
	apiError(t, err, "DirectConnectClientException", "Association ID  has an invalid format.")

	// Prefixes change through updating.
	up, err := c.UpdateDirectConnectGatewayAssociation(ctx, &directconnect.UpdateDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId,
		AddAllowedPrefixesToDirectConnectGateway: assocPrefixes("10.1.0.0/16", "2001:db8::/56"), RemoveAllowedPrefixesToDirectConnectGateway: assocPrefixes("10.0.0.0/16")})
	if err != nil || up.DirectConnectGatewayAssociation.AssociationState != types.DirectConnectGatewayAssociationStateUpdating {
		t.Fatalf("update: %+v %v", up, err)
	}
	if got := assocOne(t, c, a.AssociationId); got.AssociationState != types.DirectConnectGatewayAssociationStateAssociated ||
		!slices.Equal(assocCIDRs(got.AllowedPrefixesToDirectConnectGateway), []string{"10.1.0.0/16", "2001:db8::/56"}) {
		t.Errorf("after the update: %s %v", got.AssociationState, assocCIDRs(got.AllowedPrefixesToDirectConnectGateway))
	}
	_, err = c.UpdateDirectConnectGatewayAssociation(ctx, &directconnect.UpdateDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId,
		AddAllowedPrefixesToDirectConnectGateway: assocPrefixes("10.1.0.1/16")})
	apiError(t, err, "DirectConnectClientException", "not a CIDR block")
	_, err = c.UpdateDirectConnectGatewayAssociation(ctx, &directconnect.UpdateDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId,
		RemoveAllowedPrefixesToDirectConnectGateway: assocPrefixes("10.1.0.0/16", "2001:db8::/56")})
	apiError(t, err, "DirectConnectClientException", "at least one allowed prefix")

	// The gateway cannot go while associated; the VGW cannot join another.
	_, err = c.DeleteDirectConnectGateway(ctx, &directconnect.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: gw.DirectConnectGatewayId})
	apiError(t, err, "DirectConnectClientException", "association "+aws.ToString(a.AssociationId))
	gw2 := createGateway(t, c, "edge", nil)
	_, err = assocCreate(c, gw2, "vgw-0123abcd")
	apiError(t, err, "DirectConnectClientException", "vgw-0123abcd is already associated with a Direct Connect gateway")
	_, err = assocCreate(c, gw, "vgw-0123abcd")
	apiError(t, err, "DirectConnectClientException", "already associated with Direct Connect Gateway "+aws.ToString(gw.DirectConnectGatewayId))

	// Delete: disassociating, then disassociated (listed), then forgotten.
	del, err := c.DeleteDirectConnectGatewayAssociation(ctx, &directconnect.DeleteDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId})
	if err != nil || del.DirectConnectGatewayAssociation.AssociationState != types.DirectConnectGatewayAssociationStateDisassociating {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if got := assocOne(t, c, a.AssociationId); got.AssociationState != types.DirectConnectGatewayAssociationStateDisassociated {
		t.Errorf("after delete: %s", got.AssociationState)
	}
	_, err = c.DeleteDirectConnectGatewayAssociation(ctx, &directconnect.DeleteDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	_, err = c.UpdateDirectConnectGatewayAssociation(ctx, &directconnect.UpdateDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	dx.Advance(16 * time.Minute)
	if got := assocList(t, c, &directconnect.DescribeDirectConnectGatewayAssociationsInput{AssociationId: a.AssociationId}); len(got) != 0 {
		t.Errorf("still listed after 16 minutes: %+v", got)
	}

	// The VGW is free: it joins the other gateway; by pair it can be deleted.
	assocMust(t, c, gw2, "vgw-0123abcd")
	_, err = c.DeleteDirectConnectGatewayAssociation(ctx, &directconnect.DeleteDirectConnectGatewayAssociationInput{DirectConnectGatewayId: gw.DirectConnectGatewayId, VirtualGatewayId: aws.String("vgw-0123abcd")})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	if _, err := c.DeleteDirectConnectGatewayAssociation(ctx, &directconnect.DeleteDirectConnectGatewayAssociationInput{DirectConnectGatewayId: gw2.DirectConnectGatewayId, VirtualGatewayId: aws.String("vgw-0123abcd")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteDirectConnectGateway(ctx, &directconnect.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: gw.DirectConnectGatewayId}); err != nil {
		t.Errorf("deleting the gateway once disassociated: %v", err)
	}
	_, err = c.DeleteDirectConnectGatewayAssociation(ctx, &directconnect.DeleteDirectConnectGatewayAssociationInput{AssociationId: aws.String("00000000-0000-4000-8000-000000000000")})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	// Another account's VGW cannot be associated directly: it proposes.
	_, err = assocCreate(dx.DirectConnect(account2, region), gw2, "vgw-0123abcd")
	apiError(t, err, "DirectConnectClientException", "does not exist")
}

// A TGW association needs allowed prefixes; it carries no legacy VGW
// fields; a TGW may join several gateways.
func TestTransitGatewayAssociation(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	gw, gw2 := createGateway(t, c, "a", nil), createGateway(t, c, "b", nil)
	_, err := assocCreate(c, gw, "tgw-0123456789abcdef0")
	apiError(t, err, "DirectConnectClientException", "addAllowedPrefixesToDirectConnectGateway is required")
	a := assocMust(t, c, gw, "tgw-0123456789abcdef0", "10.0.0.0/8", "172.16.0.0/12")
	if a.AssociatedGateway.Type != types.GatewayTypeTransitGateway || a.VirtualGatewayId != nil ||
		!slices.Equal(assocCIDRs(a.AllowedPrefixesToDirectConnectGateway), []string{"10.0.0.0/8", "172.16.0.0/12"}) {
		t.Fatalf("created: %+v", a)
	}
	if got := assocOne(t, c, a.AssociationId); got.AssociationState != types.DirectConnectGatewayAssociationStateAssociated {
		t.Errorf("state %s", got.AssociationState)
	}
	assocMust(t, c, gw2, "tgw-0123456789abcdef0", "10.0.0.0/8")
	_, err = assocCreate(c, gw, "tgw-0123456789abcdef0", "10.0.0.0/8")
	apiError(t, err, "DirectConnectClientException", "already associated")
	_, err = assocCreate(c, gw, "igw-0123abcd")
	apiError(t, err, "DirectConnectClientException", "invalid format")
}

// At most 20 VGWs and 6 TGWs per gateway, raisable; pages of associations.
func TestAssociationQuotas(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	gw := createGateway(t, c, "many", nil)
	for i := range 20 {
		assocMust(t, c, gw, fmt.Sprintf("vgw-%08x", i))
	}
	_, err := assocCreate(c, gw, "vgw-000000ff")
	apiError(t, err, "DirectConnectClientException", "vgws-per-gateway")
	for i := range 6 {
		assocMust(t, c, gw, fmt.Sprintf("tgw-%08x", i), "10.0.0.0/8")
	}
	_, err = assocCreate(c, gw, "tgw-000000ff", "10.0.0.0/8")
	apiError(t, err, "DirectConnectClientException", "tgws-per-gateway")

	var seen []string
	in := &directconnect.DescribeDirectConnectGatewayAssociationsInput{DirectConnectGatewayId: gw.DirectConnectGatewayId, MaxResults: aws.Int32(7)}
	for pages := 1; ; pages++ {
		out, err := c.DescribeDirectConnectGatewayAssociations(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.DirectConnectGatewayAssociations {
			seen = append(seen, aws.ToString(a.AssociationId))
		}
		if in.NextToken = out.NextToken; in.NextToken == nil {
			if pages != 4 {
				t.Errorf("%d pages of 7, want 4", pages)
			}
			break
		}
	}
	if slices.Sort(seen); len(slices.Compact(seen)) != 26 {
		t.Errorf("paged %d distinct associations, want 26", len(seen))
	}

	raised := dxlabtest.New(t, dxlabtest.Options{Quotas: []string{"vgws-per-gateway=1", "tgws-per-gateway=7"}})
	c = raised.DirectConnect(account, region)
	gw = createGateway(t, c, "few", nil)
	assocMust(t, c, gw, "vgw-0000000a")
	_, err = assocCreate(c, gw, "vgw-0000000b")
	apiError(t, err, "DirectConnectClientException", "quota of 1")
	for i := range 7 {
		assocMust(t, c, gw, fmt.Sprintf("tgw-%08x", i), "10.0.0.0/8")
	}
}

func proposalCreate(c *directconnect.Client, gw *types.DirectConnectGateway, id string, cidrs ...string) (*types.DirectConnectGatewayAssociationProposal, error) {
	in := &directconnect.CreateDirectConnectGatewayAssociationProposalInput{DirectConnectGatewayId: gw.DirectConnectGatewayId,
		DirectConnectGatewayOwnerAccount: gw.OwnerAccount, GatewayId: aws.String(id)}
	if len(cidrs) > 0 {
		in.AddAllowedPrefixesToDirectConnectGateway = assocPrefixes(cidrs...)
	}
	out, err := c.CreateDirectConnectGatewayAssociationProposal(ctx, in)
	if err != nil {
		return nil, err
	}
	return out.DirectConnectGatewayAssociationProposal, nil
}

func proposalMust(t *testing.T, c *directconnect.Client, gw *types.DirectConnectGateway, id string, cidrs ...string) *types.DirectConnectGatewayAssociationProposal {
	t.Helper()
	p, err := proposalCreate(c, gw, id, cidrs...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func proposalList(t *testing.T, c *directconnect.Client, in *directconnect.DescribeDirectConnectGatewayAssociationProposalsInput) []types.DirectConnectGatewayAssociationProposal {
	t.Helper()
	out, err := c.DescribeDirectConnectGatewayAssociationProposals(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.DirectConnectGatewayAssociationProposals
}

// proposalState is a proposal's state as c sees it, or "" if it sees none.
func proposalState(t *testing.T, c *directconnect.Client, id *string) types.DirectConnectGatewayAssociationProposalState {
	t.Helper()
	got := proposalList(t, c, &directconnect.DescribeDirectConnectGatewayAssociationProposalsInput{ProposalId: id})
	if len(got) == 0 {
		return ""
	}
	return got[0].ProposalState
}

// A cross-account association: the VGW's owner proposes, both see the
// proposal, the gateway's owner accepts (once); the association is the
// gateway owner's and both see it; a proposal for the pair then changes
// its prefixes. Nobody else sees anything.
func TestAssociationProposalAccepted(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	owner, proposer, outsider := dx.DirectConnect(account, region), dx.DirectConnect(account2, region), dx.DirectConnect("999988887777", region)
	gw := createGateway(t, owner, "shared", nil)

	p := proposalMust(t, proposer, gw, "vgw-0badcafe")
	if p.ProposalState != types.DirectConnectGatewayAssociationProposalStateRequested || !gatewayIDRE.MatchString(aws.ToString(p.ProposalId)) ||
		aws.ToString(p.DirectConnectGatewayOwnerAccount) != account || aws.ToString(p.AssociatedGateway.OwnerAccount) != account2 ||
		len(p.ExistingAllowedPrefixesToDirectConnectGateway) != 0 || !slices.Equal(assocCIDRs(p.RequestedAllowedPrefixesToDirectConnectGateway), []string{"10.0.0.0/16"}) {
		t.Fatalf("proposed: %+v", p)
	}
	for name, c := range map[string]*directconnect.Client{"proposer": proposer, "gateway owner": owner} {
		if got := proposalList(t, c, &directconnect.DescribeDirectConnectGatewayAssociationProposalsInput{DirectConnectGatewayId: gw.DirectConnectGatewayId}); len(got) != 1 ||
			aws.ToString(got[0].ProposalId) != aws.ToString(p.ProposalId) {
			t.Errorf("the %s sees %+v", name, got)
		}
	}
	if got := proposalList(t, outsider, &directconnect.DescribeDirectConnectGatewayAssociationProposalsInput{}); len(got) != 0 {
		t.Errorf("a third account sees %+v", got)
	}

	accept := func(c *directconnect.Client, from string, override ...string) (*types.DirectConnectGatewayAssociation, error) {
		in := &directconnect.AcceptDirectConnectGatewayAssociationProposalInput{DirectConnectGatewayId: gw.DirectConnectGatewayId,
			ProposalId: p.ProposalId, AssociatedGatewayOwnerAccount: aws.String(from)}
		if len(override) > 0 {
			in.OverrideAllowedPrefixesToDirectConnectGateway = assocPrefixes(override...)
		}
		out, err := c.AcceptDirectConnectGatewayAssociationProposal(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.DirectConnectGatewayAssociation, nil
	}
	_, err := accept(proposer, account2)
	apiError(t, err, "DirectConnectClientException", "Only the owner of Direct Connect Gateway")
	_, err = accept(owner, "999988887777")
	apiError(t, err, "DirectConnectClientException", "associatedGatewayOwnerAccount")
	_, err = accept(outsider, account2)
	apiError(t, err, "DirectConnectClientException", "is not found")
	_, err = dx.DirectConnect(account, "eu-west-1").AcceptDirectConnectGatewayAssociationProposal(ctx, &directconnect.AcceptDirectConnectGatewayAssociationProposalInput{
		DirectConnectGatewayId: gw.DirectConnectGatewayId, ProposalId: p.ProposalId, AssociatedGatewayOwnerAccount: aws.String(account2)})
	apiError(t, err, "DirectConnectClientException", "The VirtualGateway vgw-0badcafe does not exist.")

	a, err := accept(owner, account2, "10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	if a.AssociationState != types.DirectConnectGatewayAssociationStateAssociating || aws.ToString(a.DirectConnectGatewayOwnerAccount) != account ||
		aws.ToString(a.AssociatedGateway.Id) != "vgw-0badcafe" || aws.ToString(a.AssociatedGateway.OwnerAccount) != account2 ||
		!slices.Equal(assocCIDRs(a.AllowedPrefixesToDirectConnectGateway), []string{"10.0.0.0/8"}) {
		t.Fatalf("accepted: %+v", a)
	}
	for name, c := range map[string]*directconnect.Client{"proposer": proposer, "gateway owner": owner} {
		if st := proposalState(t, c, p.ProposalId); st != types.DirectConnectGatewayAssociationProposalStateAccepted {
			t.Errorf("the %s sees the proposal %q", name, st)
		}
		if got := assocOne(t, c, a.AssociationId); got.AssociationState != types.DirectConnectGatewayAssociationStateAssociated {
			t.Errorf("the %s sees the association %s", name, got.AssociationState)
		}
	}
	if got := assocList(t, proposer, &directconnect.DescribeDirectConnectGatewayAssociationsInput{DirectConnectGatewayId: gw.DirectConnectGatewayId, AssociatedGatewayId: aws.String("vgw-0badcafe")}); len(got) != 1 {
		t.Errorf("Terraform's fallback lookup by pair: %+v", got)
	}
	if got := assocList(t, outsider, &directconnect.DescribeDirectConnectGatewayAssociationsInput{AssociationId: a.AssociationId}); len(got) != 0 {
		t.Errorf("a third account sees %+v", got)
	}
	_, err = accept(owner, account2)
	apiError(t, err, "DirectConnectClientException", "Direct Connect Gateway Association Proposal "+aws.ToString(p.ProposalId)+" has been accepted!")

	// A new proposal for the pair shows what is and what is asked.
	change := proposalMust(t, proposer, gw, "vgw-0badcafe", "192.168.0.0/24")
	if !slices.Equal(assocCIDRs(change.ExistingAllowedPrefixesToDirectConnectGateway), []string{"10.0.0.0/8"}) ||
		!slices.Equal(assocCIDRs(change.RequestedAllowedPrefixesToDirectConnectGateway), []string{"10.0.0.0/8", "192.168.0.0/24"}) {
		t.Fatalf("change proposal: %+v", change)
	}
	up, err := owner.AcceptDirectConnectGatewayAssociationProposal(ctx, &directconnect.AcceptDirectConnectGatewayAssociationProposalInput{
		DirectConnectGatewayId: gw.DirectConnectGatewayId, ProposalId: change.ProposalId, AssociatedGatewayOwnerAccount: aws.String(account2)})
	if err != nil || aws.ToString(up.DirectConnectGatewayAssociation.AssociationId) != aws.ToString(a.AssociationId) ||
		up.DirectConnectGatewayAssociation.AssociationState != types.DirectConnectGatewayAssociationStateUpdating {
		t.Fatalf("accepting the change: %+v %v", up, err)
	}
	if got := assocOne(t, proposer, a.AssociationId); !slices.Equal(assocCIDRs(got.AllowedPrefixesToDirectConnectGateway), []string{"10.0.0.0/8", "192.168.0.0/24"}) {
		t.Errorf("after the change: %v", assocCIDRs(got.AllowedPrefixesToDirectConnectGateway))
	}

	_, err = proposer.UpdateDirectConnectGatewayAssociation(ctx, &directconnect.UpdateDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId,
		AddAllowedPrefixesToDirectConnectGateway: assocPrefixes("172.16.0.0/12")})
	apiError(t, err, "DirectConnectClientException", "Only the owner of Direct Connect Gateway")

	// Terraform destroys the proposal after acceptance: it goes, the
	// association stays; the VGW's owner may disassociate.
	if _, err := proposer.DeleteDirectConnectGatewayAssociationProposal(ctx, &directconnect.DeleteDirectConnectGatewayAssociationProposalInput{ProposalId: p.ProposalId}); err != nil {
		t.Fatal(err)
	}
	if got := assocOne(t, owner, a.AssociationId); got.AssociationState != types.DirectConnectGatewayAssociationStateAssociated {
		t.Errorf("the association after its proposal went: %s", got.AssociationState)
	}
	_, err = owner.DeleteDirectConnectGateway(ctx, &directconnect.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: gw.DirectConnectGatewayId})
	apiError(t, err, "DirectConnectClientException", "delete the association first")
	if _, err := proposer.DeleteDirectConnectGatewayAssociation(ctx, &directconnect.DeleteDirectConnectGatewayAssociationInput{AssociationId: a.AssociationId}); err != nil {
		t.Fatal(err)
	}
	if got := assocOne(t, owner, a.AssociationId); got.AssociationState != types.DirectConnectGatewayAssociationStateDisassociated {
		t.Errorf("after the VGW owner deleted it: %s", got.AssociationState)
	}
}

// The gateway's owner rejects a proposal by deleting it; the proposer
// withdraws one the same way; either way it is deleted, then forgotten.
func TestAssociationProposalDeleted(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	owner, proposer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	gw := createGateway(t, owner, "shared", nil)
	deleteAs := func(c *directconnect.Client, id *string) (*types.DirectConnectGatewayAssociationProposal, error) {
		out, err := c.DeleteDirectConnectGatewayAssociationProposal(ctx, &directconnect.DeleteDirectConnectGatewayAssociationProposalInput{ProposalId: id})
		if err != nil {
			return nil, err
		}
		return out.DirectConnectGatewayAssociationProposal, nil
	}

	rejected := proposalMust(t, proposer, gw, "tgw-0badcafe", "10.0.0.0/8")
	withdrawn := proposalMust(t, proposer, gw, "vgw-0badcafe")
	for _, c := range []struct {
		by *directconnect.Client
		p  *types.DirectConnectGatewayAssociationProposal
	}{{owner, rejected}, {proposer, withdrawn}} {
		got, err := deleteAs(c.by, c.p.ProposalId)
		if err != nil || got.ProposalState != types.DirectConnectGatewayAssociationProposalStateDeleted {
			t.Fatalf("delete: %+v %v", got, err)
		}
		if st := proposalState(t, proposer, c.p.ProposalId); st != types.DirectConnectGatewayAssociationProposalStateDeleted {
			t.Errorf("the proposer sees %q", st)
		}
		if st := proposalState(t, owner, c.p.ProposalId); st != types.DirectConnectGatewayAssociationProposalStateDeleted {
			t.Errorf("the gateway owner sees %q", st)
		}
		_, err = deleteAs(c.by, c.p.ProposalId)
		apiError(t, err, "DirectConnectClientException", "is not found")
	}
	_, err := owner.AcceptDirectConnectGatewayAssociationProposal(ctx, &directconnect.AcceptDirectConnectGatewayAssociationProposalInput{
		DirectConnectGatewayId: gw.DirectConnectGatewayId, ProposalId: rejected.ProposalId, AssociatedGatewayOwnerAccount: aws.String(account2)})
	apiError(t, err, "DirectConnectClientException", "is not found")
	_, err = deleteAs(proposer, aws.String("00000000-0000-4000-8000-000000000000"))
	apiError(t, err, "DirectConnectClientException", "Direct Connect Gateway Association Proposal 00000000-0000-4000-8000-000000000000 is not found.")
	dx.Advance(16 * time.Minute)
	if got := proposalList(t, proposer, &directconnect.DescribeDirectConnectGatewayAssociationProposalsInput{}); len(got) != 0 {
		t.Errorf("still listed after 16 minutes: %+v", got)
	}

	// What a proposal must name.
	_, err = proposalCreate(owner, gw, "vgw-0badcafe")
	apiError(t, err, "DirectConnectClientException", "is your own")
	_, err = proposer.CreateDirectConnectGatewayAssociationProposal(ctx, &directconnect.CreateDirectConnectGatewayAssociationProposalInput{
		DirectConnectGatewayId: gw.DirectConnectGatewayId, DirectConnectGatewayOwnerAccount: aws.String("999988887777"), GatewayId: aws.String("vgw-0badcafe")})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	_, err = proposalCreate(proposer, gw, "tgw-0badcafe")
	apiError(t, err, "DirectConnectClientException", "is required")
	assocMust(t, proposer, createGateway(t, proposer, "own", nil), "vgw-0badcafe")
	_, err = proposalCreate(proposer, gw, "vgw-0badcafe")
	apiError(t, err, "DirectConnectClientException", "already associated")
}

// A private VIF on a gateway is an attachment: attaching while AWS
// provisions it, attached, detaching while it is deleted, detached.
func TestGatewayAttachments(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic})
	c := dx.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	gw := createGateway(t, c, "core", nil)
	out, err := c.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn),
		NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("to-gw"), Vlan: 200, Asn: 65000, DirectConnectGatewayId: gw.DirectConnectGatewayId}})
	if err != nil {
		t.Fatal(err)
	}
	attachments := func(in *directconnect.DescribeDirectConnectGatewayAttachmentsInput) []types.DirectConnectGatewayAttachment {
		t.Helper()
		out, err := c.DescribeDirectConnectGatewayAttachments(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return out.DirectConnectGatewayAttachments
	}
	expect := func(want types.DirectConnectGatewayAttachmentState) {
		t.Helper()
		for _, in := range []*directconnect.DescribeDirectConnectGatewayAttachmentsInput{
			{DirectConnectGatewayId: gw.DirectConnectGatewayId},
			{VirtualInterfaceId: out.VirtualInterfaceId},
			{DirectConnectGatewayId: gw.DirectConnectGatewayId, VirtualInterfaceId: out.VirtualInterfaceId},
		} {
			got := attachments(in)
			if len(got) != 1 || got[0].AttachmentState != want || got[0].AttachmentType != types.DirectConnectGatewayAttachmentTypePrivateVirtualInterface ||
				aws.ToString(got[0].VirtualInterfaceId) != aws.ToString(out.VirtualInterfaceId) || aws.ToString(got[0].DirectConnectGatewayId) != aws.ToString(gw.DirectConnectGatewayId) ||
				aws.ToString(got[0].VirtualInterfaceOwnerAccount) != account || aws.ToString(got[0].VirtualInterfaceRegion) != region {
				t.Errorf("%+v: %+v, want %s", in, got, want)
			}
		}
	}
	expect(types.DirectConnectGatewayAttachmentStateAttaching)
	dx.Advance(time.Minute)
	expect(types.DirectConnectGatewayAttachmentStateAttached)
	if _, err := c.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: out.VirtualInterfaceId}); err != nil {
		t.Fatal(err)
	}
	expect(types.DirectConnectGatewayAttachmentStateDetaching)
	dx.Advance(time.Minute)
	expect(types.DirectConnectGatewayAttachmentStateDetached)

	// A VIF to a VGW is no attachment; one of the two ids is needed.
	vgwVif, err := privateVif(c, conn, 201, "vgw-0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	if got := attachments(&directconnect.DescribeDirectConnectGatewayAttachmentsInput{VirtualInterfaceId: vgwVif.VirtualInterfaceId}); len(got) != 0 {
		t.Errorf("a VGW's VIF: %+v", got)
	}
	if got := attachments(&directconnect.DescribeDirectConnectGatewayAttachmentsInput{DirectConnectGatewayId: aws.String("00000000-0000-4000-8000-000000000000")}); len(got) != 0 {
		t.Errorf("an unknown gateway: %+v", got)
	}
	_, err = c.DescribeDirectConnectGatewayAttachments(ctx, &directconnect.DescribeDirectConnectGatewayAttachmentsInput{})
	apiError(t, err, "DirectConnectClientException", "Specify a Direct Connect gateway, a virtual interface, or both")
	_, err = c.DescribeDirectConnectGatewayAttachments(ctx, &directconnect.DescribeDirectConnectGatewayAttachmentsInput{VirtualInterfaceId: aws.String("dxvif-ffffffff")})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	if got := attachments(&directconnect.DescribeDirectConnectGatewayAttachmentsInput{DirectConnectGatewayId: gw.DirectConnectGatewayId}); len(got) != 1 {
		t.Errorf("by gateway, with the detached VIF still listed: %+v", got)
	}
}
