package directconnect_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

// availableVif makes a connection with a private VIF on it, available.
func availableVif(t *testing.T, dx *dxlabtest.Instance, c *directconnect.Client) (conn string, v *directconnect.CreatePrivateVirtualInterfaceOutput) {
	t.Helper()
	conn = aws.ToString(create(t, c, "port").ConnectionId)
	v, err := privateVif(c, conn, 101, "vgw-0123abcd")
	if err != nil {
		t.Fatal(err)
	}
	return conn, v
}

// A failover test takes the sessions down for its duration, on dxlab's
// clock, or until stopped; the history keeps it.
func TestBgpFailoverTest(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	_, v := availableVif(t, dx, c)
	id := v.VirtualInterfaceId
	_, err := c.StartBgpFailoverTest(ctx, &directconnect.StartBgpFailoverTestInput{VirtualInterfaceId: id, TestDurationInMinutes: aws.Int32(4321)})
	apiError(t, err, "DirectConnectClientException", "testDurationInMinutes")
	start, err := c.StartBgpFailoverTest(ctx, &directconnect.StartBgpFailoverTestInput{VirtualInterfaceId: id, TestDurationInMinutes: aws.Int32(30)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(start.VirtualInterfaceTest.Status) != "in-progress" || len(start.VirtualInterfaceTest.BgpPeers) != 1 {
		t.Fatalf("started: %+v", start.VirtualInterfaceTest)
	}
	got := vif(t, c, aws.ToString(id))
	if got.VirtualInterfaceState != types.VirtualInterfaceStateTesting || got.BgpPeers[0].BgpStatus != types.BGPStatusDown {
		t.Errorf("during the test: %s %s", got.VirtualInterfaceState, got.BgpPeers[0].BgpStatus)
	}
	_, err = c.StartBgpFailoverTest(ctx, &directconnect.StartBgpFailoverTestInput{VirtualInterfaceId: id})
	apiError(t, err, "DirectConnectClientException", "testing")
	dx.Advance(30 * time.Minute)
	if got := vif(t, c, aws.ToString(id)); got.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || got.BgpPeers[0].BgpStatus != types.BGPStatusUp {
		t.Errorf("after the duration: %s %s", got.VirtualInterfaceState, got.BgpPeers[0].BgpStatus)
	}
	if _, err := c.StartBgpFailoverTest(ctx, &directconnect.StartBgpFailoverTestInput{VirtualInterfaceId: id}); err != nil {
		t.Fatal(err)
	}
	stop, err := c.StopBgpFailoverTest(ctx, &directconnect.StopBgpFailoverTestInput{VirtualInterfaceId: id})
	if err != nil || aws.ToString(stop.VirtualInterfaceTest.Status) != "completed" || stop.VirtualInterfaceTest.EndTime == nil {
		t.Fatalf("stop: %+v %v", stop, err)
	}
	_, err = c.StopBgpFailoverTest(ctx, &directconnect.StopBgpFailoverTestInput{VirtualInterfaceId: id})
	apiError(t, err, "DirectConnectClientException", "no failover test in progress")
	hist, err := c.ListVirtualInterfaceTestHistory(ctx, &directconnect.ListVirtualInterfaceTestHistoryInput{VirtualInterfaceId: id, Status: aws.String("completed")})
	if err != nil || len(hist.VirtualInterfaceTestHistory) != 2 {
		t.Fatalf("history: %+v %v", hist, err)
	}
	one, err := c.ListVirtualInterfaceTestHistory(ctx, &directconnect.ListVirtualInterfaceTestHistoryInput{TestId: start.VirtualInterfaceTest.TestId})
	if err != nil || len(one.VirtualInterfaceTestHistory) != 1 || aws.ToInt32(one.VirtualInterfaceTestHistory[0].TestDurationInMinutes) != 30 {
		t.Errorf("history by test id: %+v %v", one, err)
	}
	if other, err := dx.DirectConnect(account2, region).ListVirtualInterfaceTestHistory(ctx, &directconnect.ListVirtualInterfaceTestHistoryInput{}); err != nil || len(other.VirtualInterfaceTestHistory) != 0 {
		t.Errorf("another account's history: %+v %v", other, err)
	}
}

// Routes: what AWS advertises (the VGW's VPC CIDRs), what the customer
// announces (set by an operator), and a session over its route limit goes
// down.
func TestVirtualInterfaceRoutes(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	_, v := availableVif(t, dx, c)
	routes := func(dir types.RouteDirection) []string {
		t.Helper()
		in := &directconnect.ListVirtualInterfaceRoutesInput{VirtualInterfaceId: v.VirtualInterfaceId}
		if dir != "" {
			in.Filters = &types.RouteFilters{RouteDirection: dir}
		}
		out, err := c.ListVirtualInterfaceRoutes(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		var cidrs []string
		for _, r := range out.Routes {
			cidrs = append(cidrs, string(r.RouteDirection)+" "+aws.ToString(r.Cidr))
		}
		return cidrs
	}
	if got := routes(""); strings.Join(got, ",") != "advertised 10.0.0.0/16" {
		t.Errorf("routes: %v", got)
	}
	peer := vif(t, c, aws.ToString(v.VirtualInterfaceId)).BgpPeers[0].BgpPeerId
	body := `{"routes": ["192.168.0.0/24", "192.168.1.0/24"]}`
	resp, data := dx.Raw("PUT", "/_dxlab/v1/bgp-peers/"+aws.ToString(peer)+"/routes", map[string]string{"Content-Type": "application/json"}, []byte(body))
	if resp.StatusCode != 200 {
		t.Fatalf("setting routes: %d %s", resp.StatusCode, data)
	}
	if got := routes(types.RouteDirectionAccepted); strings.Join(got, ",") != "accepted 192.168.0.0/24,accepted 192.168.1.0/24" {
		t.Errorf("accepted routes: %v", got)
	}
	var many []string
	for i := range 101 {
		many = append(many, `"10.`+strconv.Itoa(i)+`.0.0/16"`)
	}
	dx.Raw("PUT", "/_dxlab/v1/bgp-peers/"+aws.ToString(peer)+"/routes", nil, []byte(`{"routes": [`+strings.Join(many, ",")+`]}`))
	if got := vif(t, c, aws.ToString(v.VirtualInterfaceId)).BgpPeers[0].BgpStatus; got != types.BGPStatusDown {
		t.Errorf("101 routes: session %s, want down", got)
	}
	dx.Raw("PUT", "/_dxlab/v1/bgp-peers/"+aws.ToString(peer)+"/routes", nil, []byte(`{"routes": []}`))
	var out map[string]any
	dx.Operator("POST", "/_dxlab/v1/bgp-peers/"+aws.ToString(peer)+"/down", &out)
	if out["bgpStatus"] != "down" || vif(t, c, aws.ToString(v.VirtualInterfaceId)).BgpPeers[0].BgpStatus != types.BGPStatusDown {
		t.Errorf("customer BGP down: %v", out)
	}
	dx.Operator("POST", "/_dxlab/v1/bgp-peers/"+aws.ToString(peer)+"/up", &out)
	if out["bgpStatus"] != "up" {
		t.Errorf("customer BGP up: %v", out)
	}
}

func TestRouterConfiguration(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	_, v := availableVif(t, dx, c)
	out, err := c.DescribeRouterConfiguration(ctx, &directconnect.DescribeRouterConfigurationInput{VirtualInterfaceId: v.VirtualInterfaceId,
		RouterTypeIdentifier: aws.String("CiscoSystemsInc-2900SeriesRouters-IOS124")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Router
	if aws.ToString(r.Vendor) != "Cisco Systems, Inc." || aws.ToString(r.Platform) != "2900 Series Routers" || aws.ToString(r.Software) != "IOS 12.4+" ||
		aws.ToString(r.XsltTemplateName) != "customer-router-cisco-generic.xslt" || aws.ToString(r.XsltTemplateNameForMacSec) != "" {
		t.Errorf("router: %+v", r)
	}
	cfg := aws.ToString(out.CustomerRouterConfig)
	for _, want := range []string{"encapsulation dot1Q 101", "remote-as 64512", "router bgp 65000", aws.ToString(v.AuthKey)} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	_, err = c.DescribeRouterConfiguration(ctx, &directconnect.DescribeRouterConfigurationInput{VirtualInterfaceId: v.VirtualInterfaceId, RouterTypeIdentifier: aws.String("Acme-Router")})
	apiError(t, err, "DirectConnectClientException", "Router type Acme-Router")
}

// A VIF moves to another connection of its owner at the location, with
// its VLAN; the peers are recreated.
func TestAssociateVirtualInterface(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	_, v := availableVif(t, dx, c)
	other := aws.ToString(create(t, c, "second").ConnectionId)
	out, err := c.AssociateVirtualInterface(ctx, &directconnect.AssociateVirtualInterfaceInput{VirtualInterfaceId: v.VirtualInterfaceId, ConnectionId: aws.String(other)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ConnectionId) != other || out.VirtualInterfaceState != types.VirtualInterfaceStatePending || len(out.BgpPeers) != 2 ||
		out.BgpPeers[0].BgpPeerState != types.BGPPeerStateDeleting || out.BgpPeers[1].BgpPeerState != types.BGPPeerStatePending ||
		aws.ToString(out.BgpPeers[0].CustomerAddress) != aws.ToString(out.BgpPeers[1].CustomerAddress) {
		t.Fatalf("associated: %+v", out)
	}
	if got := vif(t, c, aws.ToString(v.VirtualInterfaceId)); got.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || len(got.BgpPeers) != 1 {
		t.Errorf("after: %s %d peers", got.VirtualInterfaceState, len(got.BgpPeers))
	}
	// Its VLAN is now taken there and free on the first connection.
	_, err = privateVif(c, other, 101, "vgw-0123abcd")
	apiError(t, err, "DirectConnectClientException", "Vlan 101 is already in use")
	elsewhere := aws.ToString(create(t, dx.DirectConnect(account2, region), "not mine").ConnectionId)
	_, err = c.AssociateVirtualInterface(ctx, &directconnect.AssociateVirtualInterfaceInput{VirtualInterfaceId: v.VirtualInterfaceId, ConnectionId: aws.String(elsewhere)})
	apiError(t, err, "DirectConnectClientException", "Could not find Connection")
}
