package directconnect_test

import (
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

// vrHosted is a hosted connection a partner allocates on a new interconnect
// of its own for customerAccount, with vlan, confirmed by the customer.
func vrHosted(t *testing.T, partner, customer *directconnect.Client, customerAccount string, vlan int32) (ic, hosted string) {
	t.Helper()
	ic = aws.ToString(newInterconnect(t, partner, "10Gbps").InterconnectId)
	hosted = aws.ToString(allocate(t, partner, ic, customerAccount, "500Mbps", vlan).ConnectionId)
	confirm(t, customer, hosted)
	return ic, hosted
}

// vrLag is a LAG of n 1 Gbps connections, available (instant profile).
func vrLag(t *testing.T, c *directconnect.Client, n int32) string {
	t.Helper()
	return aws.ToString(newLag(t, c, n, "1Gbps").LagId)
}

// vrPrivate creates a private VIF with a rate limit ("" for none), to a
// VGW of the parent's own (registered to the caller on first use).
func vrPrivate(c *directconnect.Client, parent string, vlan int32, rate string) (*directconnect.CreatePrivateVirtualInterfaceOutput, error) {
	vgw := fmt.Sprintf("vgw-%08x", crc32.ChecksumIEEE([]byte(parent)))
	n := &types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String(fmt.Sprint("vif-", vlan)), Vlan: vlan, Asn: 65000, VirtualGatewayId: aws.String(vgw)}
	if rate != "" {
		n.RateLimit = aws.String(rate)
	}
	return c.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(parent), NewPrivateVirtualInterface: n})
}

// vrMust(call(...))(t) is call's result; its error fails the test.
func vrMust[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// rateStatus reads a connection's or LAG's rateLimiterStatus as
// "inUse/maxAllowed remaining total".
func rateStatus(t *testing.T, c *directconnect.Client, id string) string {
	t.Helper()
	var s *types.RateLimiterStatus
	if strings.HasPrefix(id, "dxlag-") {
		out := vrMust(c.DescribeLags(ctx, &directconnect.DescribeLagsInput{LagId: aws.String(id)}))(t)
		s = out.Lags[0].RateLimiterStatus
	} else {
		s = describe(t, c, id).RateLimiterStatus
	}
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%d/%d %d %s", s.InUse, s.MaxAllowed, s.Remaining, aws.ToString(s.TotalBandwidth))
}

// Rate limits: the model's values only, their sum on a connection never
// above its bandwidth (LimitExceededException), updated and freed with the
// VIF, and shown in the connection's rateLimiterStatus.
func TestVifRateLimitsOnAConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	owner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	conn := aws.ToString(create(t, owner, "port").ConnectionId)
	if got := rateStatus(t, owner, conn); got != "0/54 54 0Mbps" {
		t.Errorf("a new connection's rate limiters: %s", got)
	}
	_, err := vrPrivate(owner, conn, 9, "250Mbps")
	apiError(t, err, "DirectConnectClientException", "Rate limit 250Mbps is not valid: use one of 50Mbps, 100Mbps")
	first := vrMust(vrPrivate(owner, conn, 10, "600Mbps"))(t)
	if aws.ToString(first.RateLimit) != "600Mbps" {
		t.Errorf("created with rateLimit %q", aws.ToString(first.RateLimit))
	}
	_, err = vrPrivate(owner, conn, 11, "500Mbps")
	apiError(t, err, "LimitExceededException", "Rate limit 500Mbps would bring the rate limits on "+conn+" to 1.1Gbps, over its bandwidth of 1Gbps (400Mbps available to this virtual interface).")
	_, err = vrPrivate(owner, conn, 11, "1.2Gbps")
	apiError(t, err, "LimitExceededException", "over its bandwidth of 1Gbps")
	second := vrMust(vrPrivate(owner, conn, 11, "400Mbps"))(t)
	vrMust(vrPrivate(owner, conn, 12, ""))(t) // no rate limit: not counted
	if got := rateStatus(t, owner, conn); got != "2/54 52 1Gbps" {
		t.Errorf("after 600+400 Mbps: %s", got)
	}

	// Updates obey the same rule; an empty rateLimit removes it.
	_, err = owner.UpdateVirtualInterfaceAttributes(ctx, &directconnect.UpdateVirtualInterfaceAttributesInput{VirtualInterfaceId: first.VirtualInterfaceId, RateLimit: aws.String("700Mbps")})
	apiError(t, err, "LimitExceededException", "over its bandwidth of 1Gbps (600Mbps available to this virtual interface)")
	_, err = owner.UpdateVirtualInterfaceAttributes(ctx, &directconnect.UpdateVirtualInterfaceAttributesInput{VirtualInterfaceId: first.VirtualInterfaceId, RateLimit: aws.String("fast")})
	apiError(t, err, "DirectConnectClientException", "Rate limit fast is not valid")
	up := vrMust(owner.UpdateVirtualInterfaceAttributes(ctx, &directconnect.UpdateVirtualInterfaceAttributesInput{VirtualInterfaceId: first.VirtualInterfaceId, RateLimit: aws.String("300Mbps")}))(t)
	if aws.ToString(up.RateLimit) != "300Mbps" || rateStatus(t, owner, conn) != "2/54 52 700Mbps" {
		t.Errorf("lowered to 300Mbps: %q, %s", aws.ToString(up.RateLimit), rateStatus(t, owner, conn))
	}
	vrMust(owner.UpdateVirtualInterfaceAttributes(ctx, &directconnect.UpdateVirtualInterfaceAttributesInput{VirtualInterfaceId: first.VirtualInterfaceId, RateLimit: aws.String("")}))(t)
	if got := rateStatus(t, owner, conn); got != "1/54 53 400Mbps" {
		t.Errorf("after removing one: %s", got)
	}

	// A hosted VIF allocated on the connection takes its share from the
	// connection owner's bandwidth; its owner sees the rate limit, and
	// declining it frees the share.
	hosted := vrMust(owner.AllocatePrivateVirtualInterface(ctx, &directconnect.AllocatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), OwnerAccount: aws.String(account2),
		NewPrivateVirtualInterfaceAllocation: &types.NewPrivateVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("hosted"), Vlan: 20, Asn: 65010, RateLimit: aws.String("600Mbps")}}))(t)
	if got := vif(t, customer, aws.ToString(hosted.VirtualInterfaceId)); aws.ToString(got.RateLimit) != "600Mbps" {
		t.Errorf("the customer sees rateLimit %q", aws.ToString(got.RateLimit))
	}
	_, err = owner.AllocatePrivateVirtualInterface(ctx, &directconnect.AllocatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), OwnerAccount: aws.String(account2),
		NewPrivateVirtualInterfaceAllocation: &types.NewPrivateVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("more"), Vlan: 21, Asn: 65010, RateLimit: aws.String("50Mbps")}})
	apiError(t, err, "LimitExceededException", "(0Mbps available to this virtual interface)")
	if got := rateStatus(t, owner, conn); got != "2/54 52 1Gbps" {
		t.Errorf("with the hosted VIF: %s", got)
	}
	if del := vrMust(customer.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: hosted.VirtualInterfaceId}))(t); del.VirtualInterfaceState != types.VirtualInterfaceStateRejected {
		t.Fatalf("declined: %s", del.VirtualInterfaceState)
	}
	// Deleting frees the share at once.
	vrMust(owner.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: second.VirtualInterfaceId}))(t)
	if got := rateStatus(t, owner, conn); got != "0/54 54 0Mbps" {
		t.Errorf("after deleting both: %s", got)
	}
	vrMust(vrPrivate(owner, conn, 22, "1Gbps"))(t)

	// Moving a VIF moves its share.
	other := aws.ToString(create(t, owner, "other").ConnectionId)
	mover := vrMust(vrPrivate(owner, other, 30, "200Mbps"))(t)
	_, err = owner.AssociateVirtualInterface(ctx, &directconnect.AssociateVirtualInterfaceInput{VirtualInterfaceId: mover.VirtualInterfaceId, ConnectionId: aws.String(conn)})
	apiError(t, err, "LimitExceededException", "over its bandwidth of 1Gbps")
	third := aws.ToString(create(t, owner, "third").ConnectionId)
	vrMust(owner.AssociateVirtualInterface(ctx, &directconnect.AssociateVirtualInterfaceInput{VirtualInterfaceId: mover.VirtualInterfaceId, ConnectionId: aws.String(third)}))(t)
	if a, b := rateStatus(t, owner, other), rateStatus(t, owner, third); a != "0/54 54 0Mbps" || b != "1/54 53 200Mbps" {
		t.Errorf("after the move: from %s, to %s", a, b)
	}
}

// On a LAG the bandwidth is its members' together; hosted connections and
// interconnects take no rate limits.
func TestVifRateLimitsOnLagsHostedAndInterconnects(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Quotas: []string{"vifs-per-lag=60"}})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	lag := vrLag(t, partner, 2)
	vrMust(vrPrivate(partner, lag, 10, "1.5Gbps"))(t)
	_, err := vrPrivate(partner, lag, 11, "600Mbps")
	apiError(t, err, "LimitExceededException", "over its bandwidth of 2Gbps (500Mbps available to this virtual interface)")
	vrMust(vrPrivate(partner, lag, 11, "500Mbps"))(t)
	if got := rateStatus(t, partner, lag); got != "2/60 58 2Gbps" {
		t.Errorf("LAG rate limiters: %s", got)
	}
	// Members report none of their own.
	members := vrMust(partner.DescribeLags(ctx, &directconnect.DescribeLagsInput{LagId: aws.String(lag)}))(t).Lags[0].Connections
	if len(members) != 2 || members[0].RateLimiterStatus != nil {
		t.Errorf("members: %+v", members)
	}

	ic, hosted := vrHosted(t, partner, customer, account2, 300)
	_, err = vrPrivate(customer, hosted, 300, "100Mbps")
	apiError(t, err, "DirectConnectClientException", hosted+" is a hosted connection: rate limits apply only to virtual interfaces on dedicated connections and LAGs.")
	_, err = vrPrivate(partner, ic, 301, "100Mbps")
	apiError(t, err, "DirectConnectClientException", ic+" is an interconnect")
	plain := vrMust(vrPrivate(customer, hosted, 300, ""))(t)
	_, err = customer.UpdateVirtualInterfaceAttributes(ctx, &directconnect.UpdateVirtualInterfaceAttributesInput{VirtualInterfaceId: plain.VirtualInterfaceId, RateLimit: aws.String("50Mbps")})
	apiError(t, err, "DirectConnectClientException", "is a hosted connection")
	if got := rateStatus(t, customer, hosted); got != "none" {
		t.Errorf("a hosted connection's rateLimiterStatus: %s", got)
	}
}

// A hosted connection carries one VIF, on its own VLAN; the customer
// creates it, the partner sees it on its interconnect.
func TestVifOnHostedConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic, hosted := vrHosted(t, partner, customer, account2, 300)
	_, err := vrPrivate(customer, hosted, 301, "")
	apiError(t, err, "DirectConnectClientException", "Hosted connection "+hosted+" carries VLAN 300: its virtual interface uses it, not 301.")
	_, err = vrPrivate(partner, hosted, 300, "")
	apiError(t, err, "DirectConnectClientException", "Could not find Connection")
	v := vrMust(vrPrivate(customer, hosted, 300, ""))(t)
	_, err = vrPrivate(customer, hosted, 300, "")
	apiError(t, err, "DirectConnectClientException", "quota of 1 virtual interfaces per hosted connection (quota vifs-per-hosted-connection)")
	if got := vif(t, customer, aws.ToString(v.VirtualInterfaceId)); got.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || aws.ToString(got.ConnectionId) != hosted {
		t.Errorf("customer's view: %s on %s", got.VirtualInterfaceState, aws.ToString(got.ConnectionId))
	}
	// The partner owns the hosted connection's parent, not the connection:
	// the VIF is its customer's, not listed on the interconnect.
	if got := vrMust(partner.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{ConnectionId: aws.String(ic)}))(t); len(got.VirtualInterfaces) != 0 {
		t.Errorf("the interconnect lists %d VIFs", len(got.VirtualInterfaces))
	}
	// The VLAN is the hosted connection's on the interconnect: a VIF of the
	// partner's there cannot take it.
	_, err = vrPrivate(partner, ic, 300, "")
	apiError(t, err, "DirectConnectClientException", "Vlan 300 is already in use")
	// Deleting the VIF frees the hosted connection's single slot.
	vrMust(customer.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: v.VirtualInterfaceId}))(t)
	vrMust(vrPrivate(customer, hosted, 300, ""))(t)
}

// A Direct Connect gateway takes vifs-per-gateway VIFs, whoever's
// connection they are on, hosted VIFs confirmed to it too.
func TestVifQuotaPerGateway(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Quotas: []string{"vifs-per-gateway=1"}})
	c, other := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	gw := createGateway(t, c, "gw", nil)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	toGateway := func(vlan int32) (*directconnect.CreatePrivateVirtualInterfaceOutput, error) {
		return c.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{
			VirtualInterfaceName: aws.String("to-gw"), Vlan: vlan, Asn: 65000, DirectConnectGatewayId: gw.DirectConnectGatewayId}})
	}
	first := vrMust(toGateway(10))(t)
	_, err := toGateway(11)
	apiError(t, err, "DirectConnectClientException", "quota of 1 private and transit virtual interfaces per Direct Connect gateway (quota vifs-per-gateway)")
	// A hosted VIF from another account's connection, confirmed to the gateway, counts too.
	otherConn := aws.ToString(create(t, other, "partner-port").ConnectionId)
	alloc := vrMust(other.AllocatePrivateVirtualInterface(ctx, &directconnect.AllocatePrivateVirtualInterfaceInput{ConnectionId: aws.String(otherConn), OwnerAccount: aws.String(account),
		NewPrivateVirtualInterfaceAllocation: &types.NewPrivateVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("hosted"), Vlan: 40, Asn: 65010}}))(t)
	_, err = c.ConfirmPrivateVirtualInterface(ctx, &directconnect.ConfirmPrivateVirtualInterfaceInput{VirtualInterfaceId: alloc.VirtualInterfaceId, DirectConnectGatewayId: gw.DirectConnectGatewayId})
	apiError(t, err, "DirectConnectClientException", "(quota vifs-per-gateway)")
	if got := vif(t, other, aws.ToString(alloc.VirtualInterfaceId)); got.VirtualInterfaceState != types.VirtualInterfaceStateConfirming {
		t.Errorf("the refused confirmation left it %s", got.VirtualInterfaceState)
	}
	vrMust(c.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: first.VirtualInterfaceId}))(t)
	if conf := vrMust(c.ConfirmPrivateVirtualInterface(ctx, &directconnect.ConfirmPrivateVirtualInterfaceInput{VirtualInterfaceId: alloc.VirtualInterfaceId, DirectConnectGatewayId: gw.DirectConnectGatewayId}))(t); conf.VirtualInterfaceState != types.VirtualInterfaceStatePending {
		t.Errorf("confirmed once the first went: %s", conf.VirtualInterfaceState)
	}
	if got := vif(t, other, aws.ToString(alloc.VirtualInterfaceId)); got.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || aws.ToString(got.DirectConnectGatewayId) != aws.ToString(gw.DirectConnectGatewayId) {
		t.Errorf("the connection owner's view: %s on %s", got.VirtualInterfaceState, aws.ToString(got.DirectConnectGatewayId))
	}
}

// An IPv6-only VIF: AWS assigns the /125, giving addresses is refused.
func TestIPv6OnlyVif(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	in := func(vlan int32, amazon, customer string) *directconnect.CreatePrivateVirtualInterfaceInput {
		n := &types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("v6"), Vlan: vlan, Asn: 65000, AddressFamily: types.AddressFamilyIPv6, VirtualGatewayId: aws.String("vgw-0123abcd")}
		if amazon != "" {
			n.AmazonAddress, n.CustomerAddress = aws.String(amazon), aws.String(customer)
		}
		return &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn), NewPrivateVirtualInterface: n}
	}
	_, err := c.CreatePrivateVirtualInterface(ctx, in(10, "2001:db8::1/125", "2001:db8::2/125"))
	apiError(t, err, "DirectConnectClientException", "IPv6 peer addresses are assigned by AWS")
	a := vrMust(c.CreatePrivateVirtualInterface(ctx, in(10, "", "")))(t)
	b := vrMust(c.CreatePrivateVirtualInterface(ctx, in(11, "", "")))(t)
	for _, v := range []*directconnect.CreatePrivateVirtualInterfaceOutput{a, b} {
		if v.AddressFamily != types.AddressFamilyIPv6 || len(v.BgpPeers) != 1 || v.BgpPeers[0].AddressFamily != types.AddressFamilyIPv6 ||
			!strings.HasPrefix(aws.ToString(v.AmazonAddress), "2600:1f1e:") || !strings.HasSuffix(aws.ToString(v.CustomerAddress), "/125") {
			t.Errorf("IPv6 VIF: %s %s %s %+v", v.AddressFamily, aws.ToString(v.AmazonAddress), aws.ToString(v.CustomerAddress), v.BgpPeers)
		}
	}
	if aws.ToString(a.AmazonAddress) == aws.ToString(b.AmazonAddress) {
		t.Errorf("two VIFs on one device got the same /125 %s", aws.ToString(a.AmazonAddress))
	}
	got := vif(t, c, aws.ToString(a.VirtualInterfaceId))
	if got.VirtualInterfaceState != types.VirtualInterfaceStateAvailable || got.BgpPeers[0].BgpStatus != types.BGPStatusUp {
		t.Errorf("provisioned: %s %s", got.VirtualInterfaceState, got.BgpPeers[0].BgpStatus)
	}
	if cfg := aws.ToString(got.CustomerRouterConfig); !strings.Contains(cfg, strings.TrimSuffix(aws.ToString(a.CustomerAddress), "/125")) {
		t.Errorf("router config lacks the IPv6 address:\n%s", cfg)
	}
	// The other family may be added.
	peer := vrMust(c.CreateBGPPeer(ctx, &directconnect.CreateBGPPeerInput{VirtualInterfaceId: a.VirtualInterfaceId, NewBGPPeer: &types.NewBGPPeer{AddressFamily: types.AddressFamilyIPv4, Asn: 65000}}))(t)
	if len(peer.VirtualInterface.BgpPeers) != 2 || !strings.HasPrefix(aws.ToString(peer.VirtualInterface.BgpPeers[1].AmazonAddress), "169.254.") {
		t.Errorf("IPv4 peer added: %+v", peer.VirtualInterface.BgpPeers)
	}
}

// DescribeVirtualInterfaces by connection, and a page at a time; each
// account sees its own and those on its connections.
func TestDescribeVirtualInterfacesByConnectionAndPaged(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c, other := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	a, b := aws.ToString(create(t, c, "a").ConnectionId), aws.ToString(create(t, c, "b").ConnectionId)
	onA := map[string]bool{}
	for vlan := int32(1); vlan <= 5; vlan++ {
		onA[aws.ToString(vrMust(vrPrivate(c, a, vlan, ""))(t).VirtualInterfaceId)] = true
	}
	onB := aws.ToString(vrMust(vrPrivate(c, b, 1, ""))(t).VirtualInterfaceId)
	hosted := vrMust(c.AllocatePrivateVirtualInterface(ctx, &directconnect.AllocatePrivateVirtualInterfaceInput{ConnectionId: aws.String(b), OwnerAccount: aws.String(account2),
		NewPrivateVirtualInterfaceAllocation: &types.NewPrivateVirtualInterfaceAllocation{VirtualInterfaceName: aws.String("hosted"), Vlan: 2, Asn: 65010}}))(t)
	vrMust(vrPrivate(other, aws.ToString(create(t, other, "theirs").ConnectionId), 1, ""))(t)

	byA := vrMust(c.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{ConnectionId: aws.String(a)}))(t)
	if len(byA.VirtualInterfaces) != 5 || byA.NextToken != nil {
		t.Fatalf("on %s: %d, token %v", a, len(byA.VirtualInterfaces), byA.NextToken)
	}
	for _, v := range byA.VirtualInterfaces {
		if !onA[aws.ToString(v.VirtualInterfaceId)] || aws.ToString(v.ConnectionId) != a {
			t.Errorf("listed on %s: %s on %s", a, aws.ToString(v.VirtualInterfaceId), aws.ToString(v.ConnectionId))
		}
	}
	ids := func(c *directconnect.Client, in directconnect.DescribeVirtualInterfacesInput) ([]string, int) {
		return vrVifIDs(t, c, in)
	}
	all, pages := ids(c, directconnect.DescribeVirtualInterfacesInput{MaxResults: aws.Int32(2)})
	if len(all) != 7 || pages != 4 {
		t.Errorf("the owner's VIFs two a page: %d in %d pages", len(all), pages)
	}
	onBoth, _ := ids(c, directconnect.DescribeVirtualInterfacesInput{ConnectionId: aws.String(b), MaxResults: aws.Int32(1)})
	if strings.Join(slices.Sorted(slices.Values(onBoth)), ",") != strings.Join(slices.Sorted(slices.Values([]string{onB, aws.ToString(hosted.VirtualInterfaceId)})), ",") {
		t.Errorf("on %s a page at a time: %v", b, onBoth)
	}
	theirs, _ := ids(other, directconnect.DescribeVirtualInterfacesInput{MaxResults: aws.Int32(1)})
	if len(theirs) != 2 {
		t.Errorf("the other account sees its own and the hosted one: %v", theirs)
	}
	// The other account does not see the connection's other VIFs through it.
	if got, _ := ids(other, directconnect.DescribeVirtualInterfacesInput{ConnectionId: aws.String(b)}); len(got) != 1 || got[0] != aws.ToString(hosted.VirtualInterfaceId) {
		t.Errorf("the other account on %s: %v", b, got)
	}
	_, err := c.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{ConnectionId: aws.String(b), MaxResults: aws.Int32(1), NextToken: aws.String("garbage")})
	apiError(t, err, "DirectConnectClientException", "pagination token")
}

// 200 concurrent creations asking for one VLAN on one connection: exactly
// one wins, the others are told the VLAN is in use.
func TestConcurrentVifsForOneVlan(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Quotas: []string{"vifs-per-connection=1000"}})
	c := dx.DirectConnect(account, region)
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = vrPrivate(c, conn, 42, "") })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		apiError(t, err, "DirectConnectClientException", "Vlan 42 is already in use")
	}
	if won != 1 {
		t.Fatalf("%d creations won VLAN 42", won)
	}
	list := vrMust(c.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{ConnectionId: aws.String(conn)}))(t)
	if len(list.VirtualInterfaces) != 1 || list.VirtualInterfaces[0].Vlan != 42 {
		t.Errorf("listed: %+v", list.VirtualInterfaces)
	}
}

// vrGateways lists the registry through the operator API.
func vrGateways(t *testing.T, dx *dxlabtest.Instance, query string) []string {
	t.Helper()
	var out struct {
		Gateways []struct {
			ID      string   `json:"id"`
			Account string   `json:"account"`
			Region  string   `json:"region"`
			ASN     int64    `json:"asn"`
			CIDRs   []string `json:"cidrs"`
		} `json:"gateways"`
	}
	if code := dx.Operator("GET", "/_dxlab/v1/gateways"+query, &out); code != 200 {
		t.Fatalf("list gateways: %d", code)
	}
	var lines []string
	for _, g := range out.Gateways {
		lines = append(lines, fmt.Sprintf("%s %s %s %d %s", g.ID, g.Account, g.Region, g.ASN, strings.Join(g.CIDRs, ",")))
	}
	return lines
}

func vrPutGateway(t *testing.T, dx *dxlabtest.Instance, id, body string, want int) string {
	t.Helper()
	resp, data := dx.Raw("PUT", "/_dxlab/v1/gateways/"+id, map[string]string{"Content-Type": "application/json"}, []byte(body))
	if resp.StatusCode != want {
		t.Fatalf("PUT %s %s: %d %s, want %d", id, body, resp.StatusCode, data, want)
	}
	return string(data)
}

// --gateways strict: only registered VGWs and TGWs, registered by the
// operator API or a gateways file (seeded again on restart, unchanged).
func TestStrictGatewayRegistry(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "gateways.json")
	seed := `[{"id": "vgw-0000aaaa", "account": "` + account + `", "region": "us-east-1", "asn": 65100, "cidrs": ["10.1.0.0/16"]},
		{"id": "tgw-0000bbbb", "account": "` + account + `", "region": "us-east-1", "asn": 65200}]`
	if err := os.WriteFile(file, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := dxlabtest.Options{StrictGateways: true, GatewaysFile: file, DataDir: dir}
	dx := dxlabtest.New(t, opts)
	c, other := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	want := []string{"vgw-0000aaaa " + account + " us-east-1 65100 10.1.0.0/16", "tgw-0000bbbb " + account + " us-east-1 65200 "}
	if got := vrGateways(t, dx, ""); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("seeded: %q", got)
	}
	conn := aws.ToString(create(t, c, "port").ConnectionId)
	_, err := privateVif(c, conn, 10, "vgw-0123abcd")
	apiError(t, err, "DirectConnectClientException", "The VirtualGateway vgw-0123abcd does not exist.")
	v := vrMust(privateVif(c, conn, 10, "vgw-0000aaaa"))(t)
	if aws.ToInt64(v.AmazonSideAsn) != 65100 {
		t.Errorf("amazonSideAsn %d, want the VGW's 65100", aws.ToInt64(v.AmazonSideAsn))
	}
	gw := createGateway(t, c, "gw", nil)
	_, err = assocCreate(c, gw, "tgw-0123abcd", "10.9.0.0/16")
	apiError(t, err, "DirectConnectClientException", "The TransitGateway tgw-0123abcd does not exist.")
	assocMust(t, c, gw, "tgw-0000bbbb", "10.9.0.0/16")
	// Another account's registered VGW is not this account's.
	_, err = privateVif(other, aws.ToString(create(t, other, "p2").ConnectionId), 10, "vgw-0000aaaa")
	apiError(t, err, "DirectConnectClientException", "The VirtualGateway vgw-0000aaaa does not exist.")

	// The operator registers one for the other account, lists by account
	// and region, changes it, and removes it.
	if body := vrPutGateway(t, dx, "vgw-0000cccc", `{"account": "`+account2+`", "region": "us-east-1", "cidrs": ["10.2.0.0/16", "10.3.0.0/16"]}`, 200); !strings.Contains(body, `"created": true`) {
		t.Errorf("registered: %s", body)
	}
	vrPutGateway(t, dx, "vgw-0000cccc", `{"account": "`+account2+`", "region": "us-east-1", "asn": 65300, "cidrs": ["10.2.0.0/16"]}`, 200)
	vrPutGateway(t, dx, "vgw-0000cccc", `{"account": "`+account+`", "region": "us-east-1"}`, 409)
	vrPutGateway(t, dx, "vgw-0000cccc", `{"account": "12", "region": "us-east-1"}`, 400)
	vrPutGateway(t, dx, "vgw-xyz", `{"account": "`+account+`", "region": "us-east-1"}`, 400)
	vrPutGateway(t, dx, "tgw-0000dddd", `{"account": "`+account+`", "region": "us-east-1", "cidrs": ["10.0.0.0/8"]}`, 400)
	vrPutGateway(t, dx, "vgw-0000eeee", `{"account": "`+account+`", "region": "us-east-1", "cidrs": ["10.0.0.1/8"]}`, 400)
	if got := vrGateways(t, dx, "?account="+account2+"&region=us-east-1"); len(got) != 1 || got[0] != "vgw-0000cccc "+account2+" us-east-1 65300 10.2.0.0/16" {
		t.Errorf("the other account's: %q", got)
	}
	if got := vrGateways(t, dx, "?region=eu-west-1"); len(got) != 0 {
		t.Errorf("eu-west-1: %q", got)
	}
	gws := vrMust(other.DescribeVirtualGateways(ctx, &directconnect.DescribeVirtualGatewaysInput{}))(t)
	if len(gws.VirtualGateways) != 1 || aws.ToString(gws.VirtualGateways[0].VirtualGatewayId) != "vgw-0000cccc" {
		t.Errorf("DescribeVirtualGateways of the other account: %+v", gws.VirtualGateways)
	}
	vrMust(privateVif(other, aws.ToString(create(t, other, "p3").ConnectionId), 11, "vgw-0000cccc"))(t)
	resp, _ := dx.Raw("DELETE", "/_dxlab/v1/gateways/vgw-0000cccc", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	if resp, _ := dx.Raw("DELETE", "/_dxlab/v1/gateways/vgw-0000cccc", nil, nil); resp.StatusCode != 404 {
		t.Errorf("removing it again: %d", resp.StatusCode)
	}
	_, err = privateVif(other, aws.ToString(create(t, other, "p4").ConnectionId), 12, "vgw-0000cccc")
	apiError(t, err, "DirectConnectClientException", "The VirtualGateway vgw-0000cccc does not exist.")

	// A restart seeds the file again: nothing changes, nothing is duplicated.
	dx.Stop()
	again := dxlabtest.New(t, dxlabtest.Options{StrictGateways: true, GatewaysFile: file, DataDir: dir, Clock: dx.Clock})
	if got := vrGateways(t, again, "?account="+account); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after a restart: %q", got)
	}
}

// Lenient (the default): an unknown well-formed id is registered to its
// first user, and the operator API lists it.
func TestLenientGatewayRegistry(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	vrMust(privateVif(c, aws.ToString(create(t, c, "port").ConnectionId), 10, "vgw-0123abcd"))(t)
	if got := vrGateways(t, dx, ""); len(got) != 1 || got[0] != "vgw-0123abcd "+account+" us-east-1 64512 10.0.0.0/16" {
		t.Errorf("registered on first use: %q", got)
	}
}

// vrVifIDs follows DescribeVirtualInterfaces' pages and answers the ids
// listed and the number of pages.
func vrVifIDs(t *testing.T, c *directconnect.Client, in directconnect.DescribeVirtualInterfacesInput) ([]string, int) {
	t.Helper()
	var ids []string
	for pages := 1; ; pages++ {
		out := vrMust(c.DescribeVirtualInterfaces(ctx, &in))(t)
		for _, v := range out.VirtualInterfaces {
			ids = append(ids, aws.ToString(v.VirtualInterfaceId))
		}
		if in.NextToken = out.NextToken; in.NextToken == nil {
			return ids, pages
		}
		if pages > 10000 {
			t.Fatal("pages without end")
		}
	}
}
