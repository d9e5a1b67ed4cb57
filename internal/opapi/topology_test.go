package opapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

// partnerWorld is a partner's interconnect, a hosted connection on it for
// account2, and account2's private VIF on that to its VGW.
func partnerWorld(t *testing.T) (dx *dxlabtest.Instance, ic, hosted, vif string) {
	t.Helper()
	ctx := t.Context()
	dx = dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Instant})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	out, err := partner.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), InterconnectName: aws.String("ic")})
	if err != nil {
		t.Fatal(err)
	}
	ic = aws.ToString(out.InterconnectId)
	dx.WaitFor(ic, "available")
	h, err := partner.AllocateHostedConnection(ctx, &directconnect.AllocateHostedConnectionInput{ConnectionId: aws.String(ic), OwnerAccount: aws.String(account2),
		Bandwidth: aws.String("500Mbps"), ConnectionName: aws.String("hosted"), Vlan: 42})
	if err != nil {
		t.Fatal(err)
	}
	hosted = aws.ToString(h.ConnectionId)
	if _, err := customer.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(hosted)}); err != nil {
		t.Fatal(err)
	}
	v, err := customer.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(hosted),
		NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("vif"), Vlan: 42, Asn: 65000, VirtualGatewayId: aws.String("vgw-0123abcd")}})
	if err != nil {
		t.Fatal(err)
	}
	return dx, ic, hosted, aws.ToString(v.VirtualInterfaceId)
}

func byID(list []opclient.Detail) map[string]opclient.Detail {
	out := map[string]opclient.Detail{}
	for _, d := range list {
		out[d.ID] = d
	}
	return out
}

// The topology shows the operator everything, placed and linked; an
// account sees what it owns or is shown, as the AWS API shows it.
func TestTopology(t *testing.T) {
	t.Parallel()
	dx, ic, hosted, vif := partnerWorld(t)
	op := dx.OperatorClient()

	all, err := op.Topology(t.Context(), opclient.TopologyQuery{Region: region})
	if err != nil {
		t.Fatal(err)
	}
	got := byID(all.Resources)
	if d := got[ic]; d.Kind != "dx.interconnect" || d.Account != account || d.State != "available" || d.Device == "" || d.Port == 0 || d.Location != "EqDC2" || d.Bandwidth != "10Gbps" {
		t.Errorf("the interconnect: %+v", d)
	}
	if d := got[hosted]; d.Parent != ic || d.Account != account2 || d.Port != 0 || d.Vlan != 42 || d.Bandwidth != "500Mbps" || !slices.Contains(d.Viewers, account) {
		t.Errorf("the hosted connection: %+v", d)
	}
	if d := got[vif]; d.Parent != hosted || !slices.Contains(d.Links, opclient.Link{Rel: "gateway", ID: "vgw-0123abcd"}) || d.Vlan != 42 {
		t.Errorf("the VIF: %+v", d)
	}
	if d := got["vgw-0123abcd"]; d.Kind != "ec2.vgw" || d.State != "available" || d.Account != account2 {
		t.Errorf("the VGW registered on first use: %+v", d)
	}
	var view struct {
		VirtualInterfaceState string `json:"virtualInterfaceState"`
		OwnerAccount          string `json:"ownerAccount"`
	}
	if err := json.Unmarshal(got[vif].View, &view); err != nil || view.VirtualInterfaceState != "available" || view.OwnerAccount != account2 {
		t.Errorf("the VIF's view %s: %v", got[vif].View, err)
	}
	if !slices.ContainsFunc(all.Devices, func(d opclient.Device) bool {
		return d.ID == got[ic].Device && d.Location == "EqDC2" && d.Ports["10G"] > 0
	}) {
		t.Errorf("the interconnect's device %s is not among the region's devices", got[ic].Device)
	}

	// A device an operator takes down shows down, and what it carries.
	if _, err := op.SetDeviceDown(t.Context(), got[ic].Device, true); err != nil {
		t.Fatal(err)
	}
	after, err := op.Topology(t.Context(), opclient.TopologyQuery{Region: region})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range after.Devices {
		if d.Down != (d.ID == got[ic].Device) {
			t.Errorf("device %s down %v after taking %s down", d.ID, d.Down, got[ic].Device)
		}
	}
	if s := byID(after.Resources)[ic].State; s != "down" {
		t.Errorf("the interconnect on the downed device is %s", s)
	}
	if _, err := op.SetDeviceDown(t.Context(), got[ic].Device, false); err != nil {
		t.Fatal(err)
	}

	// The customer sees its hosted connection and VIF, not the partner's
	// interconnect; the partner sees its interconnect and the hosted
	// connection on it, not the customer's VIF.
	for _, c := range []struct {
		account       string
		sees, notSees []string
	}{{account2, []string{hosted, vif}, []string{ic}}, {account, []string{ic, hosted}, []string{vif}}} {
		top, err := op.Topology(t.Context(), opclient.TopologyQuery{Account: c.account, Region: region})
		if err != nil {
			t.Fatal(err)
		}
		got := byID(top.Resources)
		for _, id := range c.sees {
			if _, ok := got[id]; !ok {
				t.Errorf("%s does not see %s", c.account, id)
			}
		}
		for _, id := range c.notSees {
			if _, ok := got[id]; ok {
				t.Errorf("%s sees %s", c.account, id)
			}
		}
	}

	// Another region shows none of it.
	other, err := op.Topology(t.Context(), opclient.TopologyQuery{Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := byID(other.Resources)[ic]; ok || len(other.Devices) == 0 || other.Devices[0].Region != "eu-west-1" {
		t.Errorf("eu-west-1 shows %d resources and devices of %v", len(other.Resources), other.Devices[:min(1, len(other.Devices))])
	}

	// A limit cuts the answer and says so.
	cut, err := op.Topology(t.Context(), opclient.TopologyQuery{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(cut.Resources) != 2 || !cut.Truncated {
		t.Errorf("limit 2: %d resources, truncated %v", len(cut.Resources), cut.Truncated)
	}
	for _, bad := range []string{"0", "10001", "many"} {
		if code := dx.Operator("GET", "/_dxlab/v1/topology?limit="+bad, nil); code != http.StatusBadRequest {
			t.Errorf("limit=%s answered %d, want 400", bad, code)
		}
	}
}

// A resource by id carries its detail: the interconnect's page.
func TestDetail(t *testing.T) {
	t.Parallel()
	dx, ic, hosted, _ := partnerWorld(t)
	d, err := dx.OperatorClient().Detail(t.Context(), hosted)
	if err != nil {
		t.Fatal(err)
	}
	var view struct {
		ConnectionState string `json:"connectionState"`
		Vlan            int    `json:"vlan"`
		PartnerName     string `json:"partnerName"`
	}
	if err := json.Unmarshal(d.View, &view); err != nil || d.Parent != ic || view.ConnectionState != "available" || view.Vlan != 42 {
		t.Errorf("hosted connection detail %+v, view %s: %v", d, d.View, err)
	}
	if _, err := dx.OperatorClient().Detail(t.Context(), "dxcon-nothere"); !opclient.IsNotFound(err) {
		t.Errorf("an unknown id: %v, want a 404", err)
	}
}

// Quotas: what each account takes, from the claims that enforce them, at
// the fullest parent.
func TestQuotaUsage(t *testing.T) {
	t.Parallel()
	dx, _, hosted, _ := partnerWorld(t)
	partner := dx.DirectConnect(account, region)
	for range 2 {
		if _, err := partner.CreateConnection(t.Context(), &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("c")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := partner.CreateConnection(t.Context(), &directconnect.CreateConnectionInput{Location: aws.String("CSVA1"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("c")}); err != nil {
		t.Fatal(err)
	}
	use := func(acct, reg string) map[string]opclient.QuotaUse {
		t.Helper()
		got, err := dx.OperatorClient().Quotas(t.Context(), acct, reg)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]opclient.QuotaUse{}
		for _, q := range got.Quotas {
			out[q.Name] = q
		}
		return out
	}
	customer := use(account2, region)
	if q := customer["vifs-per-hosted-connection"]; q.Used != 1 || q.Limit != 1 || q.Where != hosted || q.Service != "directconnect" {
		t.Errorf("the customer's VIFs per hosted connection: %+v", q)
	}
	if q := customer["connections-per-location"]; q.Used != 0 || q.Limit != 10 {
		t.Errorf("the customer's connections per location: %+v", q)
	}
	if q := customer["interconnect-gcp-connections"]; q.Used != 0 || q.Limit != 2 || q.Service != "interconnect" {
		t.Errorf("the customer's Google Cloud connections: %+v", q)
	}
	// An Interconnect connection takes a unit of its provider's quota.
	gw, err := dx.DirectConnect(account2, region).CreateDirectConnectGateway(t.Context(), &directconnect.CreateDirectConnectGatewayInput{DirectConnectGatewayName: aws.String("gw")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"environmentId": "mce-aws-gcp-iad", "bandwidth": "1Gbps",
		"attachPoint": map[string]any{"directConnectGateway": aws.ToString(gw.DirectConnectGateway.DirectConnectGatewayId)}})
	if resp, answer := dx.Raw("POST", "/", map[string]string{"Authorization": dxlabtest.SigV4(account2, region, "interconnect"),
		"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "Interconnect.CreateConnection"}, body); resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateConnection: %d %s", resp.StatusCode, answer)
	}
	after := use(account2, region)
	if q := after["interconnect-gcp-connections"]; q.Used != 1 || q.Limit != 2 {
		t.Errorf("the customer's Google Cloud connections after one: %+v", q)
	}
	// Gateways count across regions: the one made in us-east-1 counts in
	// eu-west-1 too.
	if q := use(account2, "eu-west-1")["gateways-per-account"]; q.Used != 1 || q.Limit != 200 {
		t.Errorf("the customer's gateways seen from eu-west-1: %+v", q)
	}
	partnerUse := use(account, region)
	if q := partnerUse["connections-per-location"]; q.Used != 2 || q.Where != "EqDC2" {
		t.Errorf("the partner's connections per location: %+v, want 2 at EqDC2", q)
	}
	if q := partnerUse["vifs-per-hosted-connection"]; q.Used != 0 {
		t.Errorf("the partner's VIFs per hosted connection (the customer's): %+v", q)
	}
	if q := use(account, "eu-west-1")["connections-per-location"]; q.Used != 0 {
		t.Errorf("the partner's connections per location in eu-west-1: %+v", q)
	}
	if code := dx.Operator("GET", "/_dxlab/v1/quotas?region="+region, nil); code != http.StatusBadRequest {
		t.Errorf("quotas without an account answered %d", code)
	}
}
