package directconnect_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

var (
	authKeyRE = regexp.MustCompile(`^0x[A-Za-z0-9._]{22}$`)
	vifIDRE   = regexp.MustCompile(`^dxvif-[a-z0-9]{8}$`)
)

func privateVif(c *directconnect.Client, conn string, vlan int32, vgw string) (*directconnect.CreatePrivateVirtualInterfaceOutput, error) {
	return c.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{
		ConnectionId: aws.String(conn),
		NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{
			VirtualInterfaceName: aws.String("to-vpc"), Vlan: vlan, Asn: 65000, VirtualGatewayId: aws.String(vgw),
		},
	})
}

func vif(t *testing.T, c *directconnect.Client, id string) types.VirtualInterface {
	t.Helper()
	out, err := c.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.VirtualInterfaces) != 1 {
		t.Fatalf("describe %s: %d", id, len(out.VirtualInterfaces))
	}
	return out.VirtualInterfaces[0]
}

// A private VIF on one's own connection to a VGW: pending, then available
// with its BGP peer up; an address pair AWS assigned; a generated key; the
// VGW registered on first use.
func TestPrivateVirtualInterface(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	out, err := privateVif(c, conn, 101, "vgw-0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	if out.VirtualInterfaceState != types.VirtualInterfaceStatePending || !vifIDRE.MatchString(aws.ToString(out.VirtualInterfaceId)) ||
		aws.ToInt64(out.AmazonSideAsn) != 64512 || aws.ToInt32(out.Mtu) != 1500 || aws.ToString(out.ConnectionId) != conn {
		t.Fatalf("created: %+v", out)
	}
	if !authKeyRE.MatchString(aws.ToString(out.AuthKey)) {
		t.Errorf("generated authKey %q", aws.ToString(out.AuthKey))
	}
	if !strings.HasPrefix(aws.ToString(out.AmazonAddress), "169.254.") || !strings.HasSuffix(aws.ToString(out.CustomerAddress), "/30") {
		t.Errorf("assigned addresses %s %s", aws.ToString(out.AmazonAddress), aws.ToString(out.CustomerAddress))
	}
	if cfg := aws.ToString(out.CustomerRouterConfig); !strings.Contains(cfg, `<logical_connection id="`+aws.ToString(out.VirtualInterfaceId)+`">`) || !strings.Contains(cfg, "<vlan>101</vlan>") {
		t.Errorf("customerRouterConfig:\n%s", cfg)
	}
	got := vif(t, c, aws.ToString(out.VirtualInterfaceId))
	if got.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || len(got.BgpPeers) != 1 || got.BgpPeers[0].BgpStatus != types.BGPStatusUp {
		t.Fatalf("after provisioning: %s %+v", got.VirtualInterfaceState, got.BgpPeers)
	}
	gws, err := c.DescribeVirtualGateways(ctx, &directconnect.DescribeVirtualGatewaysInput{})
	if err != nil || len(gws.VirtualGateways) != 1 || aws.ToString(gws.VirtualGateways[0].VirtualGatewayId) != "vgw-0123abcd" {
		t.Errorf("virtual gateways: %+v %v", gws, err)
	}

	// The VLAN is the connection's; the connection cannot go while the VIF is there.
	_, err = privateVif(c, conn, 101, "vgw-0123abcd")
	apiError(t, err, "DirectConnectClientException", "Vlan 101 is already in use")
	_, err = c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(conn)})
	apiError(t, err, "DirectConnectClientException", "virtual interface")

	// Nobody else sees it.
	_, err = dx.DirectConnect(account2, region).DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: out.VirtualInterfaceId})
	apiError(t, err, "DirectConnectClientException", "does not exist")

	// A second peer of the other family; then the last one cannot go.
	peer, err := c.CreateBGPPeer(ctx, &directconnect.CreateBGPPeerInput{VirtualInterfaceId: out.VirtualInterfaceId,
		NewBGPPeer: &types.NewBGPPeer{AddressFamily: types.AddressFamilyIPv6, AsnLong: aws.Int64(4200000001)}})
	if err != nil {
		t.Fatal(err)
	}
	v6 := peer.VirtualInterface.BgpPeers[1]
	if v6.BgpPeerState != types.BGPPeerStatePending || v6.Asn != 0 || aws.ToInt64(v6.AsnLong) != 4200000001 || !strings.HasSuffix(aws.ToString(v6.AmazonAddress), "/125") {
		t.Errorf("new IPv6 peer: %+v", v6)
	}
	_, err = c.CreateBGPPeer(ctx, &directconnect.CreateBGPPeerInput{VirtualInterfaceId: out.VirtualInterfaceId,
		NewBGPPeer: &types.NewBGPPeer{AddressFamily: types.AddressFamilyIPv6, Asn: 65001}})
	apiError(t, err, "DirectConnectClientException", "one per family")
	if _, err := c.DeleteBGPPeer(ctx, &directconnect.DeleteBGPPeerInput{VirtualInterfaceId: out.VirtualInterfaceId, BgpPeerId: v6.BgpPeerId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBGPPeer(ctx, &directconnect.DeleteBGPPeerInput{VirtualInterfaceId: out.VirtualInterfaceId, Asn: 65000, CustomerAddress: out.CustomerAddress})
	apiError(t, err, "DirectConnectClientException", "The last BGP Peer on a Virtual Interface cannot be deleted")

	// The port goes down: the VIF and its BGP session follow, and come back.
	dx.Operator("POST", "/_dxlab/v1/ports/"+conn+"/down", nil)
	if got := vif(t, c, aws.ToString(out.VirtualInterfaceId)); got.VirtualInterfaceState != types.VirtualInterfaceStateDown || got.BgpPeers[0].BgpStatus != types.BGPStatusDown {
		t.Errorf("port down: %s %s", got.VirtualInterfaceState, got.BgpPeers[0].BgpStatus)
	}
	dx.Operator("POST", "/_dxlab/v1/ports/"+conn+"/up", nil)
	if got := vif(t, c, aws.ToString(out.VirtualInterfaceId)); got.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || got.BgpPeers[0].BgpStatus != types.BGPStatusUp {
		t.Errorf("port up: %s %s", got.VirtualInterfaceState, got.BgpPeers[0].BgpStatus)
	}

	del, err := c.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: out.VirtualInterfaceId})
	if err != nil || del.VirtualInterfaceState != types.VirtualInterfaceStateDeleting {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if got := vif(t, c, aws.ToString(out.VirtualInterfaceId)); got.VirtualInterfaceState != types.VirtualInterfaceStateDeleted {
		t.Errorf("after delete: %s", got.VirtualInterfaceState)
	}
	dx.Advance(16 * time.Minute)
	_, err = c.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: out.VirtualInterfaceId})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	if _, err := privateVif(c, conn, 101, "vgw-0123abcd"); err != nil {
		t.Errorf("the VLAN of a deleted VIF is free again: %v", err)
	}
}

// A hosted VIF: the connection owner allocates it for another account,
// both see it, a third does not; its owner confirms it to a DX gateway.
func TestHostedVirtualInterface(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	owner, customer, third := dx.DirectConnect(account, region), dx.DirectConnect(account2, region), dx.DirectConnect("777788889999", region)
	conn := aws.ToString(create(t, owner, "port").ConnectionId)
	alloc := func(to string) (*directconnect.AllocateTransitVirtualInterfaceOutput, error) {
		return owner.AllocateTransitVirtualInterface(ctx, &directconnect.AllocateTransitVirtualInterfaceInput{ConnectionId: aws.String(conn), OwnerAccount: aws.String(to),
			NewTransitVirtualInterfaceAllocation: &types.NewTransitVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("hosted"), Vlan: 200, Asn: 65010, Mtu: aws.Int32(8500)}})
	}
	_, err := alloc(account)
	apiError(t, err, "DirectConnectClientException", "Cannot allocate VirtualInterface for the connection owner.")
	out, err := alloc(account2)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.VirtualInterface.VirtualInterfaceId)
	if out.VirtualInterface.VirtualInterfaceState != types.VirtualInterfaceStateConfirming || aws.ToString(out.VirtualInterface.OwnerAccount) != account2 {
		t.Fatalf("allocated: %+v", out.VirtualInterface)
	}
	for _, c := range []*directconnect.Client{owner, customer} {
		if v := vif(t, c, id); v.VirtualInterfaceState != types.VirtualInterfaceStateConfirming {
			t.Errorf("seen as %s", v.VirtualInterfaceState)
		}
	}
	if list, err := third.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{}); err != nil || len(list.VirtualInterfaces) != 0 {
		t.Errorf("a third account lists %+v %v", list, err)
	}
	_, err = owner.ConfirmTransitVirtualInterface(ctx, &directconnect.ConfirmTransitVirtualInterfaceInput{VirtualInterfaceId: aws.String(id), DirectConnectGatewayId: aws.String("00000000-0000-0000-0000-000000000000")})
	apiError(t, err, "DirectConnectClientException", "does not exist")
	gw := createGateway(t, customer, "customer-gw", aws.Int64(64999))
	conf, err := customer.ConfirmTransitVirtualInterface(ctx, &directconnect.ConfirmTransitVirtualInterfaceInput{VirtualInterfaceId: aws.String(id), DirectConnectGatewayId: gw.DirectConnectGatewayId})
	if err != nil || conf.VirtualInterfaceState != types.VirtualInterfaceStatePending {
		t.Fatalf("confirm: %+v %v", conf, err)
	}
	v := vif(t, customer, id)
	if v.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || aws.ToInt64(v.AmazonSideAsn) != 64999 || aws.ToString(v.DirectConnectGatewayId) != aws.ToString(gw.DirectConnectGatewayId) {
		t.Errorf("after confirming: %+v", v)
	}
	_, err = customer.DeleteDirectConnectGateway(ctx, &directconnect.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: gw.DirectConnectGatewayId})
	apiError(t, err, "DirectConnectClientException", "has virtual interface")

	// A second allocation, declined by its owner: rejected.
	second, err := owner.AllocatePrivateVirtualInterface(ctx, &directconnect.AllocatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), OwnerAccount: aws.String(account2),
		NewPrivateVirtualInterfaceAllocation: &types.NewPrivateVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("declined"), Vlan: 201, Asn: 65010}})
	if err != nil {
		t.Fatal(err)
	}
	del, err := customer.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: second.VirtualInterfaceId})
	if err != nil || del.VirtualInterfaceState != types.VirtualInterfaceStateRejected {
		t.Errorf("declining: %+v %v", del, err)
	}
}

// A public VIF needs public addresses and prefixes, and is verified first.
func TestPublicVirtualInterface(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	c := dx.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	in := func(amazon, customer string, prefixes ...string) *directconnect.CreatePublicVirtualInterfaceInput {
		n := &types.NewPublicVirtualInterface{VirtualInterfaceName: aws.String("public"), Vlan: 300, Asn: 65020}
		if amazon != "" {
			n.AmazonAddress, n.CustomerAddress = aws.String(amazon), aws.String(customer)
		}
		for _, p := range prefixes {
			n.RouteFilterPrefixes = append(n.RouteFilterPrefixes, types.RouteFilterPrefix{Cidr: aws.String(p)})
		}
		return &directconnect.CreatePublicVirtualInterfaceInput{ConnectionId: aws.String(conn), NewPublicVirtualInterface: n}
	}
	_, err := c.CreatePublicVirtualInterface(ctx, in("", "", "203.0.113.0/24"))
	apiError(t, err, "DirectConnectClientException", "public amazonAddress and customerAddress")
	_, err = c.CreatePublicVirtualInterface(ctx, in("10.0.0.1/30", "10.0.0.2/30", "203.0.113.0/24"))
	apiError(t, err, "DirectConnectClientException", "public IPv4 addresses")
	_, err = c.CreatePublicVirtualInterface(ctx, in("198.51.100.1/30", "198.51.100.2/30"))
	apiError(t, err, "DirectConnectClientException", "routeFilterPrefixes")
	out, err := c.CreatePublicVirtualInterface(ctx, in("198.51.100.1/30", "198.51.100.2/30", "203.0.113.0/24"))
	if err != nil {
		t.Fatal(err)
	}
	if out.VirtualInterfaceState != types.VirtualInterfaceStateVerifying || aws.ToInt64(out.AmazonSideAsn) != 7224 || len(out.RouteFilterPrefixes) != 1 {
		t.Fatalf("created: %+v", out)
	}
}

func TestVirtualInterfaceRules(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	for _, tc := range []struct {
		name string
		n    types.NewPrivateVirtualInterface
		msg  string
	}{
		{"no gateway", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 10, Asn: 65000}, "virtualGatewayId or a directConnectGatewayId"},
		{"vlan 0", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 0, Asn: 65000, VirtualGatewayId: aws.String("vgw-0123abcd")}, "Vlan 0 is not valid"},
		{"mtu", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 10, Asn: 65000, Mtu: aws.Int32(8500), VirtualGatewayId: aws.String("vgw-0123abcd")}, "MTU 8500 is not valid"},
		{"4-byte asn in asn", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 10, Asn: 70000, VirtualGatewayId: aws.String("vgw-0123abcd")}, "asnLong"},
		{"one address", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 10, Asn: 65000, AmazonAddress: aws.String("169.254.1.1/30"), VirtualGatewayId: aws.String("vgw-0123abcd")}, "both"},
		{"different subnets", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 10, Asn: 65000, AmazonAddress: aws.String("169.254.1.1/30"), CustomerAddress: aws.String("169.254.2.2/30"), VirtualGatewayId: aws.String("vgw-0123abcd")}, "one /30 or /31"},
		{"bad vgw", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 10, Asn: 65000, VirtualGatewayId: aws.String("vgw-xyz")}, "invalid format"},
		{"short key", types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("x"), Vlan: 10, Asn: 65000, AuthKey: aws.String("abc"), VirtualGatewayId: aws.String("vgw-0123abcd")}, "authKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), NewPrivateVirtualInterface: &tc.n})
			apiError(t, err, "DirectConnectClientException", tc.msg)
		})
	}
	// Given addresses and a 4-byte ASN in asnLong are kept as given.
	out, err := c.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{
		VirtualInterfaceName: aws.String("given"), Vlan: 11, AsnLong: aws.Int64(4200000000), AmazonAddress: aws.String("169.254.10.1/31"), CustomerAddress: aws.String("169.254.10.0/31"),
		AuthKey: aws.String("secret-key"), Mtu: aws.Int32(9001), VirtualGatewayId: aws.String("vgw-0123abcd")}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Asn != 0 || aws.ToInt64(out.AsnLong) != 4200000000 || aws.ToString(out.AmazonAddress) != "169.254.10.1/31" || aws.ToString(out.AuthKey) != "secret-key" || aws.ToInt32(out.Mtu) != 9001 {
		t.Errorf("as given: %+v", out)
	}
	// Another account's VGW is not this account's to use.
	if _, err := privateVif(dx.DirectConnect(account2, region), aws.ToString(create(t, dx.DirectConnect(account2, region), "p2").ConnectionId), 12, "vgw-0123abcd"); err == nil {
		t.Error("a VGW registered to another account was usable")
	}
	up, err := c.UpdateVirtualInterfaceAttributes(ctx, &directconnect.UpdateVirtualInterfaceAttributesInput{VirtualInterfaceId: out.VirtualInterfaceId, Mtu: aws.Int32(1500), VirtualInterfaceName: aws.String("renamed")})
	if err != nil || aws.ToInt32(up.Mtu) != 1500 || aws.ToString(up.VirtualInterfaceName) != "renamed" {
		t.Errorf("update: %+v %v", up, err)
	}
	_, err = c.UpdateVirtualInterfaceAttributes(ctx, &directconnect.UpdateVirtualInterfaceAttributesInput{VirtualInterfaceId: out.VirtualInterfaceId, EnableSiteLink: aws.Bool(true)})
	apiError(t, err, "DirectConnectClientException", "SiteLink")
}

// A VIF's tags are its owner's, on its dxvif ARN.
func TestVirtualInterfaceTags(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	out, err := privateVif(c, conn, 10, "vgw-0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:directconnect:" + region + ":" + account + ":dxvif/" + aws.ToString(out.VirtualInterfaceId)
	if _, err := c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
		t.Fatal(err)
	}
	if got := vif(t, c, aws.ToString(out.VirtualInterfaceId)); len(got.Tags) != 1 || aws.ToString(got.Tags[0].Value) != "test" {
		t.Errorf("tags: %+v", got.Tags)
	}
	_, err = dx.DirectConnect(account2, region).DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{arn}})
	apiError(t, err, "DirectConnectClientException", "does not exist")
}
