package cli_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

const account, region = "111122223333", "us-east-1"

// A port, its device and a private VIF's BGP session go down and come
// back, and the customer announces routes, with dxlab commands alone; the
// SDK sees each change.
func TestPortDeviceBgpAndRoutes(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	conn := create(t, dx)
	dx.WaitFor(conn, "available")
	out, err := c.CreatePrivateVirtualInterface(t.Context(), &directconnect.CreatePrivateVirtualInterfaceInput{
		ConnectionId: aws.String(conn),
		NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{
			VirtualInterfaceName: aws.String("to-vpc"), Vlan: 101, Asn: 65000, VirtualGatewayId: aws.String("vgw-0123abcd"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	vifID := aws.ToString(out.VirtualInterfaceId)
	dx.WaitFor(vifID, "available")
	vif := func() types.VirtualInterface {
		t.Helper()
		out, err := c.DescribeVirtualInterfaces(t.Context(), &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: aws.String(vifID)})
		if err != nil || len(out.VirtualInterfaces) != 1 {
			t.Fatalf("describe %s: %v", vifID, err)
		}
		return out.VirtualInterfaces[0]
	}
	connState := func() types.ConnectionState {
		t.Helper()
		out, err := c.DescribeConnections(t.Context(), &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(conn)})
		if err != nil || len(out.Connections) != 1 {
			t.Fatalf("describe %s: %v", conn, err)
		}
		return out.Connections[0].ConnectionState
	}
	peer := aws.ToString(vif().BgpPeers[0].BgpPeerId)

	// The port.
	at(t, dx, "port", conn, "down").want(t, 0, "port of "+conn+" down: "+conn+" is down")
	if v := vif(); v.VirtualInterfaceState != types.VirtualInterfaceStateDown || v.BgpPeers[0].BgpStatus != types.BGPStatusDown {
		t.Errorf("port down: VIF %s, BGP %s", v.VirtualInterfaceState, v.BgpPeers[0].BgpStatus)
	}
	r := at(t, dx, "port", conn, "up", "--output", "json")
	var port opclient.PortState
	if err := json.Unmarshal([]byte(r.stdout), &port); err != nil || r.code != 0 || port != (opclient.PortState{Resource: conn, State: "available"}) {
		t.Errorf("port up --output json: %v %+v %+v", err, port, r)
	}
	if v := vif(); v.VirtualInterfaceState != types.VirtualInterfaceStateAvailable {
		t.Errorf("port up: VIF %s", v.VirtualInterfaceState)
	}
	at(t, dx, "port", "dxcon-fzzzzzzz", "down").want(t, 1, "404")

	// The device.
	desc, err := c.DescribeConnections(t.Context(), &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(conn)})
	if err != nil {
		t.Fatal(err)
	}
	device := aws.ToString(desc.Connections[0].AwsDeviceV2)
	at(t, dx, "device", device, "down").want(t, 0, "device "+device+" down: 1 resources changed state")
	if s := connState(); s != types.ConnectionStateDown {
		t.Errorf("device down: connection %s", s)
	}
	at(t, dx, "device", device, "up").want(t, 0, "device "+device+" up: 1 resources changed state")
	if s := connState(); s != types.ConnectionStateAvailable {
		t.Errorf("device up: connection %s", s)
	}
	at(t, dx, "device", "EqDC2-nosuchdevice", "down").want(t, 1, "404", "No device EqDC2-nosuchdevice")

	// The BGP session.
	at(t, dx, "bgp", peer, "down").want(t, 0, "customer side of "+peer+" down: BGP status down")
	if s := vif().BgpPeers[0].BgpStatus; s != types.BGPStatusDown {
		t.Errorf("bgp down: %s", s)
	}
	at(t, dx, "bgp", peer, "up").want(t, 0, "customer side of "+peer+" up: BGP status up")
	if s := vif().BgpPeers[0].BgpStatus; s != types.BGPStatusUp {
		t.Errorf("bgp up: %s", s)
	}
	at(t, dx, "bgp", "dxpeer-nothere", "down").want(t, 1, "404")

	// The customer's routes, then none.
	accepted := func() []string {
		t.Helper()
		out, err := c.ListVirtualInterfaceRoutes(t.Context(), &directconnect.ListVirtualInterfaceRoutesInput{VirtualInterfaceId: aws.String(vifID),
			Filters: &types.RouteFilters{RouteDirection: types.RouteDirectionAccepted}})
		if err != nil {
			t.Fatal(err)
		}
		var cidrs []string
		for _, r := range out.Routes {
			cidrs = append(cidrs, aws.ToString(r.Cidr))
		}
		return cidrs
	}
	at(t, dx, "routes", peer, "192.168.0.0/24", "192.168.1.0/24").want(t, 0, peer+" announces 2 routes: BGP status up")
	if got := accepted(); !slices.Equal(got, []string{"192.168.0.0/24", "192.168.1.0/24"}) {
		t.Errorf("accepted routes %v", got)
	}
	at(t, dx, "routes", peer).want(t, 0, peer+" announces 0 routes")
	if got := accepted(); len(got) != 0 {
		t.Errorf("accepted routes after announcing none: %v", got)
	}
	at(t, dx, "routes", peer, "not-a-cidr").want(t, 1, "400")
}

// Under the manual profile, "dxlab cross-connect" is the technician
// finishing: only once AWS has approved the request, and only once.
func TestCrossConnect(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	id := create(t, dx)
	at(t, dx, "cross-connect", id).want(t, 1, "409", "AWS has not approved "+id+" yet: fire its connection.approve step")
	at(t, dx, "fire", "--resource", id).want(t, 0, "connection.approve")
	at(t, dx, "cross-connect", id).want(t, 0, "fired", "connection.cross-connect on "+id)
	at(t, dx, "resource", id).want(t, 0, "available")
	at(t, dx, "cross-connect", id).want(t, 1, "404", "no cross-connect is pending for "+id)
}

// The partner's side of Interconnect: the portal takes a customer's key,
// the other cloud announces routes, a partner proposes a connection the
// account accepts.
func TestInterconnectPartner(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	gw, err := dx.DirectConnect(account, region).CreateDirectConnectGateway(t.Context(), &directconnect.CreateDirectConnectGatewayInput{
		DirectConnectGatewayName: aws.String("gw")})
	if err != nil {
		t.Fatal(err)
	}
	dxgw := aws.ToString(gw.DirectConnectGateway.DirectConnectGatewayId)
	dx.Advance(time.Minute)

	var created struct {
		Connection struct{ Id, ActivationKey, State string }
	}
	interconnect(t, dx, "CreateConnection", map[string]any{"environmentId": "mce-aws-gcp-iad", "bandwidth": "1Gbps",
		"attachPoint": map[string]string{"directConnectGateway": dxgw}}, &created)
	id, key := created.Connection.Id, created.Connection.ActivationKey

	at(t, dx, "portal", "garbage").want(t, 1, "400")
	at(t, dx, "portal", key).want(t, 0, id, "pending", dxgw)
	at(t, dx, "portal", key).want(t, 1, "409")
	dx.Advance(time.Hour)
	r := at(t, dx, "remote-routes", id, "10.128.0.0/20", "--output", "json")
	var conn opclient.InterconnectAnswer
	if err := json.Unmarshal([]byte(r.stdout), &conn); err != nil || r.code != 0 || conn.Connection.State != "available" ||
		!slices.Equal(conn.Connection.RemoteRoutes, []string{"10.128.0.0/20"}) {
		t.Errorf("remote-routes --output json: %v %+v %+v", err, conn, r)
	}
	at(t, dx, "remote-routes", id).want(t, 0, "remote routes", "-")
	at(t, dx, "remote-routes", "nothere").want(t, 1)

	// A key refused.
	interconnect(t, dx, "CreateConnection", map[string]any{"environmentId": "mce-aws-gcp-iad", "bandwidth": "1Gbps",
		"attachPoint": map[string]string{"directConnectGateway": dxgw}}, &created)
	at(t, dx, "portal", created.Connection.ActivationKey, "--refuse", "--reason", "wrong project").want(t, 0, "failed", "wrong project")

	// A proposal: the key alone on stdout, for scripts.
	r = at(t, dx, "propose", "--environment", "mce-aws-gcp-iad", "--bandwidth", "5Gbps", "--account", account, "--region", region)
	proposed := strings.TrimSpace(r.stdout)
	if r.code != 0 || proposed == "" || strings.ContainsAny(proposed, " \n") {
		t.Fatalf("propose: %+v", r)
	}
	var accepted struct {
		Connection struct{ Id, Bandwidth string }
	}
	interconnect(t, dx, "AcceptConnectionProposal", map[string]any{"activationKey": proposed,
		"attachPoint": map[string]string{"directConnectGateway": dxgw}}, &accepted)
	if accepted.Connection.Bandwidth != "5Gbps" {
		t.Errorf("accepted %+v", accepted)
	}
	at(t, dx, "propose", "--environment", "mce-aws-gcp-iad", "--bandwidth", "3Gbps", "--account", account, "--region", region).want(t, 1, "400")
}

// interconnect calls an Interconnect operation over awsJson1_0 as account.
func interconnect(t *testing.T, dx *dxlabtest.Instance, op string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	resp, data := dx.Raw("POST", "/", map[string]string{"Authorization": dxlabtest.SigV4(account, region, "interconnect"),
		"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "Interconnect." + op}, body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", op, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%s: %v %s", op, err, data)
	}
}

// Gateways are registered, listed, changed and removed.
func TestGateways(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	at(t, dx, "gateways").want(t, 0, "no gateways")
	at(t, dx, "gateway", "register", "vgw-0123abcd", "--account", account, "--region", region, "--asn", "64999",
		"--cidr", "10.8.0.0/16", "--cidr", "10.9.0.0/16").want(t, 0, "registered vgw-0123abcd", "64999", "10.8.0.0/16, 10.9.0.0/16")
	at(t, dx, "gateway", "register", "tgw-0123abcd", "--account", "444455556666", "--region", "eu-west-1").want(t, 0, "registered tgw-0123abcd")
	at(t, dx, "gateway", "register", "vgw-0123abcd", "--account", account, "--region", region).want(t, 0, "changed vgw-0123abcd")
	at(t, dx, "gateway", "register", "igw-0123abcd", "--account", account, "--region", region).want(t, 1, "400")

	at(t, dx, "gateways").want(t, 0, "ID", "vgw-0123abcd", "tgw-0123abcd")
	r := at(t, dx, "gateways", "--account", account, "--region", region, "--output", "json")
	var list opclient.GatewayList
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil || r.code != 0 || len(list.Gateways) != 1 || list.Gateways[0].ID != "vgw-0123abcd" {
		t.Errorf("gateways --output json: %v %+v %+v", err, list, r)
	}
	at(t, dx, "gateway", "remove", "vgw-0123abcd").want(t, 0, "removed vgw-0123abcd")
	at(t, dx, "gateway", "remove", "vgw-0123abcd").want(t, 1, "404")
	at(t, dx, "gateways", "--account", account).want(t, 0, "no gateways")
}
