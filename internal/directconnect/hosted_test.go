package directconnect_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

// allocate has the partner allocate a hosted connection on parent (an
// interconnect or LAG) for owner.
func allocate(t *testing.T, partner *directconnect.Client, parent, owner, bandwidth string, vlan int32) *directconnect.AllocateHostedConnectionOutput {
	t.Helper()
	out, err := partner.AllocateHostedConnection(ctx, allocation(parent, owner, bandwidth, vlan))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func allocation(parent, owner, bandwidth string, vlan int32) *directconnect.AllocateHostedConnectionInput {
	return &directconnect.AllocateHostedConnectionInput{
		ConnectionId: aws.String(parent), OwnerAccount: aws.String(owner), Bandwidth: aws.String(bandwidth),
		ConnectionName: aws.String(fmt.Sprintf("hosted-%s-vlan%d", bandwidth, vlan)), Vlan: vlan,
	}
}

// confirm has the customer accept a hosted connection and checks that it
// answers pending.
func confirm(t *testing.T, customer *directconnect.Client, id string) {
	t.Helper()
	out, err := customer.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if out.ConnectionState != types.ConnectionStatePending {
		t.Fatalf("confirm %s answered %s, want pending", id, out.ConnectionState)
	}
}

// hostedOf lists, page by page, the hosted connections on a parent as c
// sees them.
func hostedOf(t *testing.T, c *directconnect.Client, parent string) []types.Connection {
	t.Helper()
	all, _ := allPages(t, func(token *string) ([]types.Connection, *string, error) {
		out, err := c.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(parent), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Connections, out.NextToken, nil
	})
	return all
}

// listed finds a connection by id in a listing.
func listed(cs []types.Connection, id string) (types.Connection, bool) {
	i := slices.IndexFunc(cs, func(c types.Connection) bool { return aws.ToString(c.ConnectionId) == id })
	if i < 0 {
		return types.Connection{}, false
	}
	return cs[i], true
}

// ownConnections lists what c gets from DescribeConnections without an id.
func ownConnections(t *testing.T, c *directconnect.Client) []types.Connection {
	t.Helper()
	out, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.Connections
}

// seesNothing asserts that an account with no part in a hosted connection
// finds neither it nor its parent anywhere.
func seesNothing(t *testing.T, c *directconnect.Client, owner, hosted, parent, parentNoun string) {
	t.Helper()
	_, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(hosted)})
	notFound(t, err, "Connection", hosted)
	if _, ok := listed(ownConnections(t, c), hosted); ok {
		t.Errorf("DescribeConnections lists %s", hosted)
	}
	_, err = c.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(parent)})
	notFound(t, err, parentNoun, parent)
	if parentNoun == "Interconnect" {
		_, err = c.DescribeConnectionsOnInterconnect(ctx, &directconnect.DescribeConnectionsOnInterconnectInput{InterconnectId: aws.String(parent)})
		notFound(t, err, parentNoun, parent)
	}
	_, err = c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{arnOf(owner, "dxcon", hosted)}})
	notFound(t, err, "Connection", hosted)
	_, err = c.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(hosted)})
	notFound(t, err, "Connection", hosted)
	_, err = c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(hosted)})
	notFound(t, err, "Connection", hosted)
}

// The whole life of a hosted connection on an interconnect, as the
// partner, the customer and a third account each see it.
func TestHostedConnectionAcrossAccounts(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer, third := dx.DirectConnect(account, region), dx.DirectConnect(account2, region), dx.DirectConnect(account3, region)
	ic := newInterconnect(t, partner, "10Gbps")
	icID := aws.ToString(ic.InterconnectId)

	in := allocation(icID, account2, "500Mbps", 101)
	in.Tags = []types.Tag{{Key: aws.String("cost-centre"), Value: aws.String("42")}}
	out, err := partner.AllocateHostedConnection(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ConnectionId)
	if !idRE.MatchString(id) || out.ConnectionState != types.ConnectionStateOrdering || aws.ToString(out.OwnerAccount) != account2 ||
		aws.ToString(out.PartnerName) != account || out.Vlan != 101 || aws.ToString(out.Bandwidth) != "500Mbps" ||
		aws.ToString(out.Location) != "EqDC2" || aws.ToString(out.AwsDevice) != aws.ToString(ic.AwsDevice) || aws.ToString(out.Region) != region ||
		aws.ToString(out.ConnectionName) != "hosted-500Mbps-vlan101" || out.LagId != nil {
		t.Fatalf("allocated: %+v", out)
	}
	if len(out.Tags) != 0 {
		t.Errorf("the partner is shown the customer's tags: %+v", out.Tags)
	}

	// The customer owns it: DescribeConnections, its tags.
	mine := describe(t, customer, id)
	if mine.ConnectionState != types.ConnectionStateOrdering || aws.ToString(mine.OwnerAccount) != account2 || mine.Vlan != 101 || aws.ToString(mine.PartnerName) != account {
		t.Errorf("customer sees %+v", mine)
	}
	if _, ok := listed(ownConnections(t, customer), id); !ok {
		t.Error("the customer's DescribeConnections does not list it")
	}
	hostedARN := arnOf(account2, "dxcon", id)
	if got := tagsOf(t, customer, hostedARN); len(got) != 1 || got["cost-centre"] != "42" {
		t.Errorf("customer's tags: %v", got)
	}
	if _, err := customer.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(hostedARN), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	// ... but not the partner's interconnect.
	_, err = customer.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(icID)})
	notFound(t, err, "Interconnect", icID)

	// The partner sees it through its interconnect only, without tags.
	_, err = partner.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
	notFound(t, err, "Connection", id)
	if _, ok := listed(ownConnections(t, partner), id); ok {
		t.Error("the partner's DescribeConnections lists the customer's connection")
	}
	viaHosted, ok := listed(hostedOf(t, partner, icID), id)
	if !ok || viaHosted.ConnectionState != types.ConnectionStateOrdering || aws.ToString(viaHosted.OwnerAccount) != account2 || len(viaHosted.Tags) != 0 {
		t.Errorf("DescribeHostedConnections: %v %+v", ok, viaHosted)
	}
	onIC, err := partner.DescribeConnectionsOnInterconnect(ctx, &directconnect.DescribeConnectionsOnInterconnectInput{InterconnectId: aws.String(icID)})
	if err != nil || !slices.Equal(connectionIDs(onIC.Connections), []string{id}) || len(onIC.Connections[0].Tags) != 0 {
		t.Errorf("DescribeConnectionsOnInterconnect: %+v %v", onIC, err)
	}
	for _, arn := range []string{hostedARN, arnOf(account, "dxcon", id)} {
		_, err = partner.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{arn}})
		notFound(t, err, "Connection", id)
		_, err = partner.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("partner")}}})
		notFound(t, err, "Connection", id)
		_, err = partner.UntagResource(ctx, &directconnect.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}})
		notFound(t, err, "Connection", id)
	}
	if got := tagsOf(t, customer, hostedARN); len(got) != 2 {
		t.Errorf("the partner changed the customer's tags: %v", got)
	}
	// Only the customer confirms it or renames it.
	_, err = partner.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(id)})
	notFound(t, err, "Connection", id)
	_, err = partner.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: aws.String(id), ConnectionName: aws.String("partner-renamed")})
	notFound(t, err, "Connection", id)
	if got := describe(t, customer, id); aws.ToString(got.ConnectionName) != "hosted-500Mbps-vlan101" {
		t.Errorf("the partner renamed the customer's connection: %q", aws.ToString(got.ConnectionName))
	}

	seesNothing(t, third, account2, id, icID, "Interconnect")

	// The customer confirms: pending, then available on the available
	// interconnect; twice is refused.
	confirm(t, customer, id)
	if got := describe(t, customer, id).ConnectionState; got != types.ConnectionStateAvailable {
		t.Fatalf("confirmed: %s", got)
	}
	_, err = customer.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "only a hosted connection that is ordering can be confirmed")
	if c, _ := listed(hostedOf(t, partner, icID), id); c.ConnectionState != types.ConnectionStateAvailable {
		t.Errorf("the partner sees it %s", c.ConnectionState)
	}
	seesNothing(t, third, account2, id, icID, "Interconnect")

	// A dedicated connection is not something to confirm.
	own := aws.ToString(create(t, customer, "dedicated").ConnectionId)
	_, err = customer.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(own)})
	apiError(t, err, "DirectConnectClientException", "only a hosted connection that is ordering can be confirmed")

	// The partner deletes it: deleted, for both.
	del, err := partner.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)})
	if err != nil || del.ConnectionState != types.ConnectionStateDeleted || len(del.Tags) != 0 {
		t.Fatalf("partner's delete: %+v %v", del, err)
	}
	if got := describe(t, customer, id).ConnectionState; got != types.ConnectionStateDeleted {
		t.Errorf("customer sees %s after the partner deleted it", got)
	}
}

// The customer declining an ordering hosted connection rejects it and frees
// its VLAN.
func TestCustomerRejectsHostedConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic := aws.ToString(newInterconnect(t, partner, "1Gbps").InterconnectId)
	id := aws.ToString(allocate(t, partner, ic, account2, "1Gbps", 7).ConnectionId)

	del, err := customer.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)})
	if err != nil || del.ConnectionState != types.ConnectionStateRejected {
		t.Fatalf("customer declines: %+v %v", del, err)
	}
	if c, _ := listed(hostedOf(t, partner, ic), id); c.ConnectionState != types.ConnectionStateRejected {
		t.Errorf("the partner sees %s", c.ConnectionState)
	}
	_, err = customer.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "is rejected")
	_, err = partner.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "already been deleted")
	// Neither its VLAN nor its bandwidth are held any longer.
	again := allocate(t, partner, ic, account2, "1Gbps", 7)
	if again.ConnectionState != types.ConnectionStateOrdering {
		t.Errorf("re-allocated: %s", again.ConnectionState)
	}
	dx.Advance(DeletedRetentionPlus)
	if got := connectionIDs(hostedOf(t, partner, ic)); !slices.Equal(got, []string{aws.ToString(again.ConnectionId)}) {
		t.Errorf("after the rejected one was forgotten the partner lists %v", got)
	}
}

func TestAllocateHostedConnectionOnLag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer, third := dx.DirectConnect(account, region), dx.DirectConnect(account2, region), dx.DirectConnect(account3, region)
	l := newLag(t, partner, 2, "1Gbps")
	lagID := aws.ToString(l.LagId)
	if !l.AllowsHostedConnections {
		t.Error("a partner's LAG does not allow hosted connections")
	}

	var ids []string
	for vlan := range int32(2) {
		out := allocate(t, partner, lagID, account2, "1Gbps", 200+vlan)
		if out.ConnectionState != types.ConnectionStateOrdering || aws.ToString(out.AwsDevice) != aws.ToString(l.AwsDevice) ||
			aws.ToString(out.Location) != "EqDC2" || aws.ToString(out.OwnerAccount) != account2 || out.Vlan != 200+vlan ||
			aws.ToString(out.PartnerName) != account || aws.ToString(out.Bandwidth) != "1Gbps" {
			t.Fatalf("allocated on the LAG: %+v", out)
		}
		ids = append(ids, aws.ToString(out.ConnectionId))
	}
	// Two members of 1Gbps carry 2Gbps: not a 50Mbps more.
	_, err := partner.AllocateHostedConnection(ctx, allocation(lagID, account2, "50Mbps", 300))
	apiError(t, err, "DirectConnectClientException", "Lag "+lagID+" has 0 Mbps of its 2000 Mbps left")

	if got := connectionIDs(hostedOf(t, partner, lagID)); !slices.Equal(got, sorted(ids)) {
		t.Errorf("hosted on the LAG: %v, want %v", got, sorted(ids))
	}
	confirm(t, customer, ids[0])
	if got := describe(t, customer, ids[0]).ConnectionState; got != types.ConnectionStateAvailable {
		t.Errorf("confirmed on an available LAG: %s", got)
	}
	seesNothing(t, third, account2, ids[0], lagID, "Lag")
	_, err = customer.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(lagID)})
	notFound(t, err, "Lag", lagID)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestHostedVlanAndBandwidthRules(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic := aws.ToString(newInterconnect(t, partner, "1Gbps").InterconnectId)
	other := aws.ToString(newInterconnect(t, partner, "1Gbps").InterconnectId)

	for _, tc := range []struct {
		name string
		in   *directconnect.AllocateHostedConnectionInput
		msg  string
	}{
		{"VLAN 0", allocation(ic, account2, "50Mbps", 0), "Vlan 0 is not valid: a VLAN is between 1 and 4094."},
		{"VLAN 4095", allocation(ic, account2, "50Mbps", 4095), "Vlan 4095 is not valid"},
		{"VLAN -1", allocation(ic, account2, "50Mbps", -1), "Vlan -1 is not valid"},
		{"dedicated speed", allocation(ic, account2, "100Gbps", 5), "Bandwidth 100Gbps is not available for hosted connections"},
		{"odd speed", allocation(ic, account2, "600Mbps", 5), "Bandwidth 600Mbps is not available for hosted connections"},
		{"unknown parent", allocation("dxcon-fzzzzzzz", account2, "50Mbps", 5), "Could not find Interconnect with ID dxcon-fzzzzzzz"},
		{"unknown LAG", allocation("dxlag-fzzzzzzz", account2, "50Mbps", 5), "Could not find Lag with ID dxlag-fzzzzzzz"},
		{"bad parent id", allocation("dxcon-nope", account2, "50Mbps", 5), "Interconnect ID dxcon-nope has an invalid format."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := partner.AllocateHostedConnection(ctx, tc.in)
			apiError(t, err, "DirectConnectClientException", tc.msg)
		})
	}
	// The edges of the VLAN range are fine.
	first := allocate(t, partner, ic, account2, "500Mbps", 1)
	allocate(t, partner, ic, account2, "200Mbps", 4094)

	// A VLAN in use on the parent is refused, and nothing is created; on
	// another parent it is free.
	_, err := partner.AllocateHostedConnection(ctx, allocation(ic, account2, "50Mbps", 1))
	apiError(t, err, "DirectConnectClientException", "Vlan 1 is already in use on "+ic)
	allocate(t, partner, other, account2, "50Mbps", 1)

	// A customer's own connection is not a parent to allocate on, nor is
	// another partner's interconnect.
	own := aws.ToString(create(t, customer, "own").ConnectionId)
	_, err = customer.AllocateHostedConnection(ctx, allocation(own, account3, "50Mbps", 9))
	notFound(t, err, "Interconnect", own)
	_, err = customer.AllocateHostedConnection(ctx, allocation(ic, account3, "50Mbps", 9))
	notFound(t, err, "Interconnect", ic)

	// Capacity: 500 + 200 of 1000 Mbps used; 300 more fits exactly, then
	// not a 50Mbps more.
	allocate(t, partner, ic, account2, "300Mbps", 300)
	_, err = partner.AllocateHostedConnection(ctx, allocation(ic, account2, "50Mbps", 301))
	apiError(t, err, "DirectConnectClientException", "Interconnect "+ic+" has 0 Mbps of its 1000 Mbps left; a 50Mbps hosted connection does not fit.")
	// A rejected one gives its bandwidth back.
	if _, err := customer.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: first.ConnectionId}); err != nil {
		t.Fatal(err)
	}
	allocate(t, partner, ic, account2, "50Mbps", 301)

	if got := len(hostedOf(t, partner, ic)); got != 4 {
		t.Errorf("%d hosted connections on %s, want 4 (3 live, 1 rejected)", got, ic)
	}
}

// A 1Gbps interconnect takes two 500Mbps hosted connections and then
// nothing more, whatever the VLAN.
func TestHostedCapacityOfAnInterconnect(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner := dx.DirectConnect(account, region)
	ic := aws.ToString(newInterconnect(t, partner, "1Gbps").InterconnectId)
	allocate(t, partner, ic, account2, "500Mbps", 10)
	allocate(t, partner, ic, account3, "500Mbps", 11)
	_, err := partner.AllocateHostedConnection(ctx, allocation(ic, account2, "50Mbps", 12))
	apiError(t, err, "DirectConnectClientException", "does not fit")
}

func TestAllocateConnectionOnInterconnect(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic := aws.ToString(newInterconnect(t, partner, "100Gbps").InterconnectId)
	in := func(parent, bw string, vlan int32) *directconnect.AllocateConnectionOnInterconnectInput {
		return &directconnect.AllocateConnectionOnInterconnectInput{InterconnectId: aws.String(parent), OwnerAccount: aws.String(account2),
			Bandwidth: aws.String(bw), ConnectionName: aws.String("legacy"), Vlan: vlan}
	}
	out, err := partner.AllocateConnectionOnInterconnect(ctx, in(ic, "10Gbps", 55))
	if err != nil {
		t.Fatal(err)
	}
	if out.ConnectionState != types.ConnectionStateOrdering || aws.ToString(out.OwnerAccount) != account2 || out.Vlan != 55 {
		t.Errorf("allocated: %+v", out)
	}
	if got := describe(t, customer, aws.ToString(out.ConnectionId)); got.ConnectionState != types.ConnectionStateOrdering {
		t.Errorf("customer sees %s", got.ConnectionState)
	}
	// No 25Gbps, although it would fit; AllocateHostedConnection takes it.
	_, err = partner.AllocateConnectionOnInterconnect(ctx, in(ic, "25Gbps", 56))
	apiError(t, err, "DirectConnectClientException", "Bandwidth 25Gbps is not available for AllocateConnectionOnInterconnect")
	allocate(t, partner, ic, account2, "25Gbps", 56)
	// No LAG.
	l := aws.ToString(newLag(t, partner, 1, "10Gbps").LagId)
	_, err = partner.AllocateConnectionOnInterconnect(ctx, in(l, "1Gbps", 57))
	apiError(t, err, "DirectConnectClientException", "Interconnect ID "+l+" has an invalid format.")
	_, err = partner.AllocateConnectionOnInterconnect(ctx, in(ic, "1Gbps", 55))
	apiError(t, err, "DirectConnectClientException", "Vlan 55 is already in use")
	if got := len(hostedOf(t, partner, ic)); got != 2 {
		t.Errorf("%d hosted connections, want 2", got)
	}
}

func TestAssociateHostedConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	icA, icB := newInterconnect(t, partner, "10Gbps"), newInterconnect(t, partner, "10Gbps")
	a, b := aws.ToString(icA.InterconnectId), aws.ToString(icB.InterconnectId)
	moving := aws.ToString(allocate(t, partner, a, account2, "1Gbps", 200).ConnectionId)
	confirm(t, customer, moving)
	onB := aws.ToString(allocate(t, partner, b, account2, "1Gbps", 300).ConnectionId)
	clash := aws.ToString(allocate(t, partner, a, account2, "1Gbps", 300).ConnectionId)

	assoc := func(c *directconnect.Client, id, parent string) (*directconnect.AssociateHostedConnectionOutput, error) {
		return c.AssociateHostedConnection(ctx, &directconnect.AssociateHostedConnectionInput{ConnectionId: aws.String(id), ParentConnectionId: aws.String(parent)})
	}
	out, err := assoc(partner, moving, b)
	if err != nil {
		t.Fatal(err)
	}
	if out.Vlan != 200 || aws.ToString(out.AwsDevice) != aws.ToString(icB.AwsDevice) || out.ConnectionState != types.ConnectionStateAvailable {
		t.Errorf("moved: vlan %d device %s state %s", out.Vlan, aws.ToString(out.AwsDevice), out.ConnectionState)
	}
	if got := connectionIDs(hostedOf(t, partner, b)); !slices.Equal(got, sorted([]string{moving, onB})) {
		t.Errorf("on %s: %v", b, got)
	}
	if got := connectionIDs(hostedOf(t, partner, a)); !slices.Equal(got, []string{clash}) {
		t.Errorf("left on %s: %v", a, got)
	}
	if got := describe(t, customer, moving); got.Vlan != 200 || aws.ToString(got.AwsDevice) != aws.ToString(icB.AwsDevice) {
		t.Errorf("the customer sees vlan %d on %s", got.Vlan, aws.ToString(got.AwsDevice))
	}
	// Its VLAN on the old interconnect is free again.
	allocate(t, partner, a, account2, "50Mbps", 200)

	// VLAN 300 is taken on b: the move is refused and nothing moves.
	_, err = assoc(partner, clash, b)
	apiError(t, err, "DirectConnectClientException", "Vlan 300 is already in use on "+b)
	if got := describe(t, customer, clash); aws.ToString(got.AwsDevice) != aws.ToString(icA.AwsDevice) {
		t.Errorf("a refused move moved it to %s", aws.ToString(got.AwsDevice))
	}
	if _, ok := listed(hostedOf(t, partner, a), clash); !ok {
		t.Error("a refused move took it off its interconnect")
	}
	_, err = partner.AllocateHostedConnection(ctx, allocation(a, account2, "50Mbps", 300))
	apiError(t, err, "DirectConnectClientException", "Vlan 300 is already in use on "+a)

	// Only the partner moves it, onto its own interconnects.
	_, err = assoc(customer, clash, b)
	notFound(t, err, "Interconnect", b)
	theirs := aws.ToString(newInterconnect(t, dx.DirectConnect(account3, region), "10Gbps").InterconnectId)
	_, err = assoc(partner, clash, theirs)
	notFound(t, err, "Interconnect", theirs)
	_, err = assoc(dx.DirectConnect(account3, region), clash, theirs)
	notFound(t, err, "Connection", clash)
	own := aws.ToString(create(t, partner, "dedicated").ConnectionId)
	_, err = assoc(partner, own, b)
	apiError(t, err, "DirectConnectClientException", "is not a hosted connection on one of your interconnects or LAGs")
}

func TestDescribeHostedConnectionsPaginates(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner := dx.DirectConnect(account, region)
	ic := aws.ToString(newInterconnect(t, partner, "10Gbps").InterconnectId)
	var want []string
	for vlan := range int32(5) {
		want = append(want, aws.ToString(allocate(t, partner, ic, account2, "100Mbps", 100+vlan).ConnectionId))
	}
	slices.Sort(want)
	got, pages := allPages(t, func(token *string) ([]types.Connection, *string, error) {
		out, err := partner.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(ic), MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Connections, out.NextToken, nil
	})
	if ids := connectionIDs(got); pages != 3 || !slices.Equal(ids, want) {
		t.Errorf("%d pages of %v, want 3 pages of %v", pages, ids, want)
	}
	all, err := partner.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(ic)})
	if err != nil || !slices.Equal(connectionIDs(all.Connections), want) || all.NextToken != nil {
		t.Errorf("all at once: %v %v %v", connectionIDs(all.Connections), all.NextToken, err)
	}
	onIC, err := partner.DescribeConnectionsOnInterconnect(ctx, &directconnect.DescribeConnectionsOnInterconnectInput{InterconnectId: aws.String(ic)})
	if err != nil || !slices.Equal(connectionIDs(onIC.Connections), want) {
		t.Errorf("DescribeConnectionsOnInterconnect: %v %v", connectionIDs(onIC.Connections), err)
	}
	// A token is bound to its interconnect.
	first, err := partner.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(ic), MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	other := aws.ToString(newInterconnect(t, partner, "10Gbps").InterconnectId)
	_, err = partner.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(other), MaxResults: aws.Int32(2), NextToken: first.NextToken})
	apiError(t, err, "DirectConnectClientException", "pagination token")
}

// race makes n calls at once and answers how many succeeded; every other
// must fail with a DirectConnectClientException saying loses.
func race(t *testing.T, n int, call func(i int) error, loses string) int {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = call(i) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		apiError(t, err, "DirectConnectClientException", loses)
	}
	return won
}

// Two hundred partners' requests race for one VLAN on one interconnect:
// exactly one gets it, every other is told the VLAN is in use.
func TestConcurrentAllocationsOfOneVlan(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner := dx.DirectConnect(account, region)
	// Connections opened in the rush and never used would hold up the
	// server's shutdown for seconds: close them once done.
	defer partner.Options().HTTPClient.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	ic := aws.ToString(newInterconnect(t, partner, "100Gbps").InterconnectId)
	won := race(t, 200, func(int) error {
		_, err := partner.AllocateHostedConnection(ctx, allocation(ic, account2, "50Mbps", 333))
		return err
	}, "Vlan 333 is already in use on "+ic)
	if won != 1 {
		t.Fatalf("%d requests got VLAN 333, want exactly 1", won)
	}
	if got := hostedOf(t, partner, ic); len(got) != 1 || got[0].Vlan != 333 {
		t.Errorf("hosted connections on %s: %+v", ic, got)
	}
}

// A LAG's members hang off it like its hosted connections do: paging over
// the hosted connections must not lose any to the members.
func TestDescribeHostedConnectionsOnALagPaginates(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner := dx.DirectConnect(account, region)
	lagID := aws.ToString(newLag(t, partner, 4, "10Gbps").LagId)
	var want []string
	for vlan := range int32(10) {
		want = append(want, aws.ToString(allocate(t, partner, lagID, account2, "1Gbps", 1+vlan).ConnectionId))
	}
	slices.Sort(want)
	for _, size := range []int32{1, 3} {
		got, _ := allPages(t, func(token *string) ([]types.Connection, *string, error) {
			out, err := partner.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(lagID), MaxResults: aws.Int32(size), NextToken: token})
			if err != nil {
				return nil, nil, err
			}
			if len(out.Connections) > int(size) {
				t.Errorf("a page of %d holds %d", size, len(out.Connections))
			}
			return out.Connections, out.NextToken, nil
		})
		if ids := connectionIDs(got); !slices.Equal(ids, want) {
			t.Errorf("pages of %d list %v, want %v", size, ids, want)
		}
	}
}
