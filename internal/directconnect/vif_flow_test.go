package directconnect_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/facility"
)

// vfStatus is a VIF's state and its peers' bgpStatus as c sees them, e.g.
// "available up".
func vfStatus(t *testing.T, c *directconnect.Client, id *string) string {
	t.Helper()
	v := vif(t, c, aws.ToString(id))
	out := string(v.VirtualInterfaceState)
	for _, p := range v.BgpPeers {
		out += " " + string(p.BgpStatus)
	}
	return out
}

// vfExpect checks a VIF's status from each account's view.
func vfExpect(t *testing.T, when, want string, id *string, views ...*directconnect.Client) {
	t.Helper()
	for i, c := range views {
		if got := vfStatus(t, c, id); got != want {
			t.Errorf("%s, view %d: %q, want %q", when, i, got, want)
		}
	}
}

func vfPort(t *testing.T, dx *dxlabtest.Instance, id, dir string) {
	t.Helper()
	if code := dx.Operator("POST", "/_dxlab/v1/ports/"+id+"/"+dir, nil); code != 200 {
		t.Fatalf("port %s %s: %d", id, dir, code)
	}
}

// A LAG's ports go down: the hosted VIF its owner allocated on it goes
// down with its BGP session, as both accounts see it, and comes back when
// a member does. An interconnect's port goes down: the hosted connection on
// it and its customer's VIF follow.
func TestVifFollowsPortsThroughLagAndHostedConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)

	lag := vrLag(t, partner, 2)
	alloc := vrMust(partner.AllocatePrivateVirtualInterface(ctx, &directconnect.AllocatePrivateVirtualInterfaceInput{ConnectionId: aws.String(lag), OwnerAccount: aws.String(account2),
		NewPrivateVirtualInterfaceAllocation: &types.NewPrivateVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("on-lag"), Vlan: 10, Asn: 65010}}))(t)
	vrMust(customer.ConfirmPrivateVirtualInterface(ctx, &directconnect.ConfirmPrivateVirtualInterfaceInput{VirtualInterfaceId: alloc.VirtualInterfaceId, VirtualGatewayId: aws.String("vgw-0000beef")}))(t)
	own := vrMust(vrPrivate(partner, lag, 11, ""))(t)
	vfExpect(t, "LAG up", "available up", alloc.VirtualInterfaceId, partner, customer)
	members := vrMust(partner.DescribeLags(ctx, &directconnect.DescribeLagsInput{LagId: aws.String(lag)}))(t).Lags[0].Connections
	if len(members) != 2 {
		t.Fatalf("members: %d", len(members))
	}
	first, second := aws.ToString(members[0].ConnectionId), aws.ToString(members[1].ConnectionId)
	vfPort(t, dx, first, "down")
	vfExpect(t, "one member down", "available up", alloc.VirtualInterfaceId, partner, customer)
	vfPort(t, dx, second, "down")
	vfExpect(t, "both members down", "down down", alloc.VirtualInterfaceId, partner, customer)
	vfExpect(t, "both members down", "down down", own.VirtualInterfaceId, partner)
	vfPort(t, dx, second, "up")
	vfExpect(t, "a member back", "available up", alloc.VirtualInterfaceId, partner, customer)
	vfExpect(t, "a member back", "available up", own.VirtualInterfaceId, partner)

	ic, hosted := vrHosted(t, partner, customer, account2, 300)
	v := vrMust(vrPrivate(customer, hosted, 300, ""))(t)
	// A second BGP session, to see both follow.
	vrMust(customer.CreateBGPPeer(ctx, &directconnect.CreateBGPPeerInput{VirtualInterfaceId: v.VirtualInterfaceId, NewBGPPeer: &types.NewBGPPeer{AddressFamily: types.AddressFamilyIPv6, Asn: 65000}}))(t)
	vfExpect(t, "interconnect up", "available up up", v.VirtualInterfaceId, customer)
	vfPort(t, dx, ic, "down")
	if got := describe(t, customer, hosted).ConnectionState; got != types.ConnectionStateDown {
		t.Errorf("hosted connection with its interconnect's port down: %s", got)
	}
	vfExpect(t, "interconnect down", "down down down", v.VirtualInterfaceId, customer)
	// The customer taking a session down while the port is down changes
	// nothing visible; once the port is back that session stays down.
	peer := vif(t, customer, aws.ToString(v.VirtualInterfaceId)).BgpPeers[1].BgpPeerId
	dx.Operator("POST", "/_dxlab/v1/bgp-peers/"+aws.ToString(peer)+"/down", nil)
	vfPort(t, dx, ic, "up")
	vfExpect(t, "interconnect back", "available up down", v.VirtualInterfaceId, customer)
	dx.Operator("POST", "/_dxlab/v1/bgp-peers/"+aws.ToString(peer)+"/up", nil)
	vfExpect(t, "customer session back", "available up up", v.VirtualInterfaceId, customer)
}

// A VIF created while AWS provisions it survives a restart on the same
// data directory, and provisioning finishes afterwards on the shared clock;
// a public one waiting for verification too.
func TestVifProvisioningSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic, DataDir: dir})
	c := first.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "durable").ConnectionId)
	first.Advance(facility.RealisticAWSStaff)
	first.Advance(facility.RealisticTechnician)
	if got := describe(t, c, conn).ConnectionState; got != types.ConnectionStateAvailable {
		t.Fatalf("connection: %s", got)
	}
	private := vrMust(vrPrivate(c, conn, 10, "100Mbps"))(t)
	public := vrMust(c.CreatePublicVirtualInterface(ctx, vfPublicInput(conn)))(t)
	if private.VirtualInterfaceState != types.VirtualInterfaceStatePending || public.VirtualInterfaceState != types.VirtualInterfaceStateVerifying {
		t.Fatalf("created: %s, %s", private.VirtualInterfaceState, public.VirtualInterfaceState)
	}
	first.Stop()

	second := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic, DataDir: dir, Clock: first.Clock})
	c = second.DirectConnect(account, region)
	vfExpect(t, "after the restart", "pending down", private.VirtualInterfaceId, c)
	vfExpect(t, "after the restart", "verifying down", public.VirtualInterfaceId, c)
	if got := rateStatus(t, c, conn); got != "1/54 53 100Mbps" {
		t.Errorf("rate limiters after the restart: %s", got)
	}
	second.Advance(facility.RealisticAutomation)
	vfExpect(t, "provisioned", "available up", private.VirtualInterfaceId, c)
	vfExpect(t, "not yet verified", "verifying down", public.VirtualInterfaceId, c)
	second.Advance(facility.RealisticAWSStaff - facility.RealisticAutomation)
	vfExpect(t, "verified", "pending down", public.VirtualInterfaceId, c)
	second.Advance(facility.RealisticAutomation)
	vfExpect(t, "provisioned", "available up", public.VirtualInterfaceId, c)
	// The VLAN is still claimed.
	_, err := vrPrivate(c, conn, 10, "")
	apiError(t, err, "DirectConnectClientException", "Vlan 10 is already in use")
}

func vfPublicInput(conn string) *directconnect.CreatePublicVirtualInterfaceInput {
	return &directconnect.CreatePublicVirtualInterfaceInput{ConnectionId: aws.String(conn), NewPublicVirtualInterface: &types.NewPublicVirtualInterface{
		VirtualInterfaceName: aws.String("public"), Vlan: 300, Asn: 65020, AmazonAddress: aws.String("198.51.100.1/30"), CustomerAddress: aws.String("198.51.100.2/30"),
		RouteFilterPrefixes: []types.RouteFilterPrefix{{Cidr: aws.String("203.0.113.0/24")}}}}
}

// vfFire fires the one pending step of a resource, which must be step and
// wait for an operator.
func vfFire(t *testing.T, dx *dxlabtest.Instance, id, step string) {
	t.Helper()
	var pending transitions
	dx.Operator("GET", "/_dxlab/v1/transitions?resource="+id, &pending)
	if len(pending.Transitions) != 1 || pending.Transitions[0].Step != step || !pending.Transitions[0].WaitsForOperator {
		t.Fatalf("pending for %s: %+v, want %s waiting for an operator", id, pending.Transitions, step)
	}
	if code := dx.Operator("POST", "/_dxlab/v1/transitions/"+pending.Transitions[0].ID+"/fire", nil); code != 200 {
		t.Fatalf("fire %s: %d", step, code)
	}
}

// Manual profile: a public VIF waits in verifying for AWS staff (an
// operator firing the step), then is provisioned; a hosted public VIF does
// too once its owner confirms it, as both accounts see it.
func TestPublicVifVerifiedByTheOperator(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	c, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	vfFire(t, dx, conn, "connection.approve")
	if code := dx.Operator("POST", "/_dxlab/v1/resources/"+conn+"/cross-connect", nil); code != 200 {
		t.Fatalf("cross-connect: %d", code)
	}
	if got := describe(t, c, conn).ConnectionState; got != types.ConnectionStateAvailable {
		t.Fatalf("connection: %s", got)
	}
	public := vrMust(c.CreatePublicVirtualInterface(ctx, vfPublicInput(conn)))(t)
	dx.Advance(24 * time.Hour)
	vfExpect(t, "a day without an operator", "verifying down", public.VirtualInterfaceId, c)
	vfFire(t, dx, aws.ToString(public.VirtualInterfaceId), "vif.verify")
	vfExpect(t, "verified", "pending down", public.VirtualInterfaceId, c)
	dx.Advance(facility.RealisticAutomation)
	vfExpect(t, "provisioned", "available up", public.VirtualInterfaceId, c)
	routes := vrMust(c.ListVirtualInterfaceRoutes(ctx, &directconnect.ListVirtualInterfaceRoutesInput{VirtualInterfaceId: public.VirtualInterfaceId,
		Filters: &types.RouteFilters{RouteDirection: types.RouteDirectionAdvertised, AddressFamily: types.AddressFamilyIPv4}}))(t)
	if got := vfCIDRs(routes.Routes); got != "198.18.0.0/15 203.0.113.0/24" {
		t.Errorf("a public VIF's advertised IPv4 routes: %s", got)
	}

	hosted := vrMust(c.AllocatePublicVirtualInterface(ctx, &directconnect.AllocatePublicVirtualInterfaceInput{ConnectionId: aws.String(conn), OwnerAccount: aws.String(account2),
		NewPublicVirtualInterfaceAllocation: &types.NewPublicVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("hosted-public"), Vlan: 301, Asn: 65030,
			AmazonAddress: aws.String("198.51.100.5/30"), CustomerAddress: aws.String("198.51.100.6/30"), RouteFilterPrefixes: []types.RouteFilterPrefix{{Cidr: aws.String("192.0.2.0/24")}}}}))(t)
	vfExpect(t, "allocated", "confirming down", hosted.VirtualInterfaceId, c, customer)
	conf := vrMust(customer.ConfirmPublicVirtualInterface(ctx, &directconnect.ConfirmPublicVirtualInterfaceInput{VirtualInterfaceId: hosted.VirtualInterfaceId}))(t)
	if conf.VirtualInterfaceState != types.VirtualInterfaceStateVerifying {
		t.Errorf("confirmed: %s", conf.VirtualInterfaceState)
	}
	vfExpect(t, "confirmed", "verifying down", hosted.VirtualInterfaceId, c, customer)
	vfFire(t, dx, aws.ToString(hosted.VirtualInterfaceId), "vif.verify")
	dx.Advance(facility.RealisticAutomation)
	vfExpect(t, "verified and provisioned", "available up", hosted.VirtualInterfaceId, c, customer)
	_, err := dx.DirectConnect("777788889999", region).DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: hosted.VirtualInterfaceId})
	apiError(t, err, "DirectConnectClientException", "does not exist")
}

func vfCIDRs(routes []types.Route) string {
	var out []string
	for _, r := range routes {
		out = append(out, aws.ToString(r.Cidr))
	}
	return strings.Join(out, " ")
}

// A private VIF on a Direct Connect gateway associated with a VGW: AWS
// advertises the association's allowed prefixes (the VPC's CIDRs by
// default), follows their updates, and stops when it is disassociated;
// filters and pages as the model says. The routes are the same from the
// connection owner's view of a hosted VIF.
func TestRoutesOfAVifOnAGatewayAssociatedWithAVgw(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	owner, c := dx.DirectConnect(account2, region), dx.DirectConnect(account, region)
	vrPutGateway(t, dx, "vgw-0000f00d", `{"account": "`+account+`", "region": "us-east-1", "asn": 65100, "cidrs": ["10.1.0.0/16", "10.2.0.0/16"]}`, 200)
	gw := createGateway(t, c, "gw", aws.Int64(65200))
	assoc := assocMust(t, c, gw, "vgw-0000f00d")
	conn := aws.ToString(create(t, owner, "partner-port").ConnectionId)
	alloc := vrMust(owner.AllocatePrivateVirtualInterface(ctx, &directconnect.AllocatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), OwnerAccount: aws.String(account),
		NewPrivateVirtualInterfaceAllocation: &types.NewPrivateVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("to-gw"), Vlan: 50, Asn: 65010}}))(t)
	vrMust(c.ConfirmPrivateVirtualInterface(ctx, &directconnect.ConfirmPrivateVirtualInterfaceInput{VirtualInterfaceId: alloc.VirtualInterfaceId, DirectConnectGatewayId: gw.DirectConnectGatewayId}))(t)
	id := alloc.VirtualInterfaceId
	routes := func(view *directconnect.Client, in directconnect.ListVirtualInterfaceRoutesInput) string {
		t.Helper()
		in.VirtualInterfaceId = id
		var all []types.Route
		for {
			out := vrMust(view.ListVirtualInterfaceRoutes(ctx, &in))(t)
			all = append(all, out.Routes...)
			if in.NextToken = out.NextToken; in.NextToken == nil {
				return vfCIDRs(all)
			}
		}
	}
	advertised := directconnect.ListVirtualInterfaceRoutesInput{Filters: &types.RouteFilters{RouteDirection: types.RouteDirectionAdvertised}}
	for i, view := range []*directconnect.Client{c, owner} {
		if got := routes(view, advertised); got != "10.1.0.0/16 10.2.0.0/16" {
			t.Errorf("view %d: advertised %s, want the VPC's CIDRs", i, got)
		}
	}
	if got := routes(c, directconnect.ListVirtualInterfaceRoutesInput{MaxResults: aws.Int32(1)}); got != "10.1.0.0/16 10.2.0.0/16" {
		t.Errorf("a route a page: %s", got)
	}
	if got := routes(c, directconnect.ListVirtualInterfaceRoutesInput{Filters: &types.RouteFilters{Cidrs: []string{"10.2.0.0/16"}}}); got != "10.2.0.0/16" {
		t.Errorf("by CIDR: %s", got)
	}
	if got := routes(c, directconnect.ListVirtualInterfaceRoutesInput{Filters: &types.RouteFilters{AddressFamily: types.AddressFamilyIPv6}}); got != "" {
		t.Errorf("IPv6: %s", got)
	}
	first := vrMust(c.ListVirtualInterfaceRoutes(ctx, &directconnect.ListVirtualInterfaceRoutesInput{VirtualInterfaceId: id, MaxResults: aws.Int32(1)}))(t)
	if r := first.Routes[0]; r.RouteDirection != types.RouteDirectionAdvertised || r.AddressFamily != types.AddressFamilyIPv4 ||
		len(r.AsPath) != 1 || len(r.AsPath[0].Path) != 1 || r.AsPath[0].Path[0] != 65200 {
		t.Errorf("a route: %+v", r)
	}

	// The association's prefixes change: so do the routes.
	vrMust(c.UpdateDirectConnectGatewayAssociation(ctx, &directconnect.UpdateDirectConnectGatewayAssociationInput{AssociationId: assoc.AssociationId,
		AddAllowedPrefixesToDirectConnectGateway: assocPrefixes("10.3.0.0/16"), RemoveAllowedPrefixesToDirectConnectGateway: assocPrefixes("10.1.0.0/16")}))(t)
	if got := routes(owner, advertised); got != "10.2.0.0/16 10.3.0.0/16" {
		t.Errorf("after the update: %s", got)
	}
	vrMust(c.DeleteDirectConnectGatewayAssociation(ctx, &directconnect.DeleteDirectConnectGatewayAssociationInput{AssociationId: assoc.AssociationId}))(t)
	if got := routes(c, advertised); got != "" {
		t.Errorf("after disassociating: %s", got)
	}
}

// A peer added during a failover test is provisioned at once (the VIF is),
// held down by nothing once the test ends: the test named the old peers.
func TestBgpPeerAddedDuringAFailoverTest(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	v := vrMust(vrPrivate(c, aws.ToString(create(t, c, "port").ConnectionId), 10, ""))(t)
	vrMust(c.StartBgpFailoverTest(ctx, &directconnect.StartBgpFailoverTestInput{VirtualInterfaceId: v.VirtualInterfaceId}))(t)
	vrMust(c.CreateBGPPeer(ctx, &directconnect.CreateBGPPeerInput{VirtualInterfaceId: v.VirtualInterfaceId, NewBGPPeer: &types.NewBGPPeer{AddressFamily: types.AddressFamilyIPv6, Asn: 65000}}))(t)
	vfExpect(t, "during the test", "testing down down", v.VirtualInterfaceId, c)
	vrMust(c.StopBgpFailoverTest(ctx, &directconnect.StopBgpFailoverTestInput{VirtualInterfaceId: v.VirtualInterfaceId}))(t)
	vfExpect(t, "after the test", "available up up", v.VirtualInterfaceId, c)
	if got := vif(t, c, aws.ToString(v.VirtualInterfaceId)).BgpPeers[1].BgpPeerState; got != types.BGPPeerStateAvailable {
		t.Errorf("the new peer is %s", got)
	}
}
