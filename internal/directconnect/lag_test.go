package directconnect_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/facility"
)

var lagIDRE = regexp.MustCompile(`^dxlag-[a-z0-9]{8}$`)

func lagInput(location, bandwidth string, n int32) *directconnect.CreateLagInput {
	return &directconnect.CreateLagInput{
		Location: aws.String(location), ConnectionsBandwidth: aws.String(bandwidth), NumberOfConnections: n,
		LagName: aws.String(fmt.Sprintf("lag-%dx%s", n, bandwidth)),
	}
}

// newLag creates a LAG of n members at EqDC2.
func newLag(t *testing.T, c *directconnect.Client, n int32, bandwidth string) *directconnect.CreateLagOutput {
	t.Helper()
	out, err := c.CreateLag(ctx, lagInput("EqDC2", bandwidth, n))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func describeLag(t *testing.T, c *directconnect.Client, id string) types.Lag {
	t.Helper()
	out, err := c.DescribeLags(ctx, &directconnect.DescribeLagsInput{LagId: aws.String(id)})
	return only(t, id, out, err, func(o *directconnect.DescribeLagsOutput) []types.Lag { return o.Lags })
}

// memberIDs lists a LAG's members, sorted.
func memberIDs(l types.Lag) []string { return sorted(connectionIDs(l.Connections)) }

func associate(c *directconnect.Client, conn, lag string) (*directconnect.AssociateConnectionWithLagOutput, error) {
	return c.AssociateConnectionWithLag(ctx, &directconnect.AssociateConnectionWithLagInput{ConnectionId: aws.String(conn), LagId: aws.String(lag)})
}

func disassociate(c *directconnect.Client, conn, lag string) (*directconnect.DisassociateConnectionFromLagOutput, error) {
	return c.DisassociateConnectionFromLag(ctx, &directconnect.DisassociateConnectionFromLagInput{ConnectionId: aws.String(conn), LagId: aws.String(lag)})
}

func TestCreateLag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	in := lagInput("EqDC2", "10Gbps", 2)
	in.Tags = []types.Tag{{Key: aws.String("kind"), Value: aws.String("lag")}}
	in.ChildConnectionTags = []types.Tag{{Key: aws.String("kind"), Value: aws.String("member")}}
	out, err := c.CreateLag(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.LagId)
	if !lagIDRE.MatchString(id) || out.LagState != types.LagStatePending || out.NumberOfConnections != 2 || out.MinimumLinks != 0 ||
		aws.ToString(out.ConnectionsBandwidth) != "10Gbps" || aws.ToString(out.Location) != "EqDC2" || aws.ToString(out.OwnerAccount) != account ||
		aws.ToString(out.Region) != region || !out.AllowsHostedConnections || aws.ToString(out.LagName) != "lag-2x10Gbps" {
		t.Fatalf("created: %+v", out)
	}
	device := aws.ToString(out.AwsDevice)
	if !deviceRE.MatchString(device) || len(out.Tags) != 1 || aws.ToString(out.Tags[0].Value) != "lag" {
		t.Errorf("device %q, tags %+v", device, out.Tags)
	}
	var names []string
	for _, m := range out.Connections {
		names = append(names, aws.ToString(m.ConnectionName))
		if aws.ToString(m.LagId) != id || m.ConnectionState != types.ConnectionStateRequested || aws.ToString(m.AwsDevice) != device ||
			aws.ToString(m.Bandwidth) != "10Gbps" || aws.ToString(m.OwnerAccount) != account || len(m.Tags) != 1 || aws.ToString(m.Tags[0].Value) != "member" {
			t.Errorf("member: %+v", m)
		}
	}
	slices.Sort(names)
	if want := []string{"Requested Connection 1 for Lag " + id, "Requested Connection 2 for Lag " + id}; !slices.Equal(names, want) {
		t.Errorf("member names %q, want %q", names, want)
	}

	// Instant provisioning: the members come up, and with them the LAG.
	got := describeLag(t, c, id)
	if got.LagState != types.LagStateAvailable || !slices.Equal(memberIDs(got), memberIDs(types.Lag{Connections: out.Connections})) {
		t.Fatalf("after provisioning: %s with %v", got.LagState, memberIDs(got))
	}
	for _, m := range got.Connections {
		if m.ConnectionState != types.ConnectionStateAvailable {
			t.Errorf("member %s is %s", aws.ToString(m.ConnectionId), m.ConnectionState)
		}
		if own := describe(t, c, aws.ToString(m.ConnectionId)); aws.ToString(own.LagId) != id {
			t.Errorf("DescribeConnections shows %s in LAG %q", aws.ToString(m.ConnectionId), aws.ToString(own.LagId))
		}
		if tags := tagsOf(t, c, arnOf(account, "dxcon", aws.ToString(m.ConnectionId))); tags["kind"] != "member" {
			t.Errorf("member tags %v", tags)
		}
	}
	if len(ownConnections(t, c)) != 2 {
		t.Error("the members are not listed as the account's connections")
	}

	// Tags on its dxlag/ ARN.
	arn := arnOf(account, "dxlag", id)
	if _, err := c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("lab")}}}); err != nil {
		t.Fatal(err)
	}
	if tags := tagsOf(t, c, arn); len(tags) != 2 || tags["kind"] != "lag" || tags["env"] != "lab" {
		t.Errorf("LAG tags %v", tags)
	}

	// Another account sees none of it.
	for _, other := range []string{account2, account3} {
		o := dx.DirectConnect(other, region)
		_, err := o.DescribeLags(ctx, &directconnect.DescribeLagsInput{LagId: aws.String(id)})
		notFound(t, err, "Lag", id)
		if all, err := o.DescribeLags(ctx, &directconnect.DescribeLagsInput{}); err != nil || len(all.Lags) != 0 {
			t.Errorf("%s lists %d LAGs (%v)", other, len(all.Lags), err)
		}
		_, err = o.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{arn}})
		notFound(t, err, "Lag", id)
		_, err = o.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String(id), LagName: aws.String("mine")})
		notFound(t, err, "Lag", id)
		_, err = o.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(id)})
		notFound(t, err, "Lag", id)
	}
}

func TestCreateLagLimits(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	macSec := lagInput("EqDC2", "1Gbps", 1)
	macSec.RequestMACSec = aws.Bool(true)
	for _, tc := range []struct {
		name string
		in   *directconnect.CreateLagInput
		msg  string
	}{
		{"no connections", lagInput("EqDC2", "10Gbps", 0), "numberOfConnections must be between 1 and 4"},
		{"5 of 10Gbps", lagInput("EqDC2", "10Gbps", 5), "numberOfConnections must be between 1 and 4 for a LAG of 10Gbps connections."},
		{"5 of 1Gbps", lagInput("EqDC2", "1Gbps", 5), "between 1 and 4"},
		{"3 of 100Gbps", lagInput("EqDC2", "100Gbps", 3), "numberOfConnections must be between 1 and 2 for a LAG of 100Gbps connections."},
		{"3 of 400Gbps", lagInput("EqDC2", "400Gbps", 3), "between 1 and 2"},
		{"hosted speed", lagInput("EqDC2", "500Mbps", 1), "Bandwidth 500Mbps is not available for LAGs"},
		{"speed the location lacks", lagInput("QTDC2", "400Gbps", 1), "Bandwidth 400Gbps is not available at location QTDC2."},
		{"MACsec at 1Gbps", macSec, "MACsec is not available for 1Gbps"},
		{"unknown connection", func() *directconnect.CreateLagInput {
			in := lagInput("EqDC2", "10Gbps", 1)
			in.ConnectionId = aws.String("dxcon-fzzzzzzz")
			return in
		}(), "Could not find Connection with ID dxcon-fzzzzzzz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateLag(ctx, tc.in)
			apiError(t, err, "DirectConnectClientException", tc.msg)
		})
	}
	if all, err := c.DescribeLags(ctx, &directconnect.DescribeLagsInput{}); err != nil || len(all.Lags) != 0 {
		t.Errorf("refused requests left %d LAGs (%v)", len(all.Lags), err)
	}
	if n := len(ownConnections(t, c)); n != 0 {
		t.Errorf("refused requests left %d connections", n)
	}
	// The limits themselves are fine (at two locations, for the quota of
	// connections per location).
	for _, tc := range []struct {
		loc, bw string
		n       int32
	}{{"EqDC2", "1Gbps", 4}, {"CSVA1", "10Gbps", 4}, {"EqDC2", "100Gbps", 2}, {"CSVA1", "400Gbps", 2}} {
		out, err := c.CreateLag(ctx, lagInput(tc.loc, tc.bw, tc.n))
		if err != nil || out.NumberOfConnections != tc.n || len(out.Connections) != int(tc.n) {
			t.Errorf("%d of %s: %+v %v", tc.n, tc.bw, out, err)
		}
	}
}

func TestCreateLagFromAnExistingConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	existing := create10G(t, c, "Con2ForLag")
	in := lagInput("EqDC2", "10Gbps", 2)
	in.ConnectionId = existing.ConnectionId
	out, err := c.CreateLag(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.LagId)
	if out.NumberOfConnections != 2 || aws.ToString(out.AwsDevice) != aws.ToString(existing.AwsDevice) {
		t.Fatalf("%d members on %s; want 2 on the connection's %s", out.NumberOfConnections, aws.ToString(out.AwsDevice), aws.ToString(existing.AwsDevice))
	}
	joined, ok := listed(out.Connections, aws.ToString(existing.ConnectionId))
	if !ok || aws.ToString(joined.ConnectionName) != "Con2ForLag" || aws.ToString(joined.LagId) != id || joined.ConnectionState != types.ConnectionStateAvailable {
		t.Errorf("the existing connection in the LAG: %v %+v", ok, joined)
	}
	for _, m := range out.Connections {
		if aws.ToString(m.ConnectionId) != aws.ToString(existing.ConnectionId) && (aws.ToString(m.ConnectionName) != "Requested Connection 1 for Lag "+id || aws.ToString(m.AwsDevice) != aws.ToString(existing.AwsDevice)) {
			t.Errorf("new member %q on %s", aws.ToString(m.ConnectionName), aws.ToString(m.AwsDevice))
		}
	}
	if got := describe(t, c, aws.ToString(existing.ConnectionId)); aws.ToString(got.LagId) != id {
		t.Errorf("DescribeConnections: lagId %q", aws.ToString(got.LagId))
	}

	// It counts toward the total: four with it is the most.
	other := create10G(t, c, "other")
	in.ConnectionId = other.ConnectionId
	in.NumberOfConnections = 5
	_, err = c.CreateLag(ctx, in)
	apiError(t, err, "DirectConnectClientException", "between 1 and 4")
	in.NumberOfConnections = 4
	if out, err := c.CreateLag(ctx, in); err != nil || out.NumberOfConnections != 4 {
		t.Fatalf("4 with an existing connection: %v %v", out, err)
	}

	// What cannot join: a member of another LAG, another speed, a hosted
	// connection, another account's connection.
	cannot := func(conn, msg string) {
		t.Helper()
		in := lagInput("EqDC2", "10Gbps", 1)
		in.ConnectionId = aws.String(conn)
		_, err := c.CreateLag(ctx, in)
		apiError(t, err, "DirectConnectClientException", msg)
	}
	cannot(aws.ToString(existing.ConnectionId), "is already a member of Lag "+id)
	cannot(aws.ToString(create(t, c, "1G").ConnectionId), "the LAG takes 10Gbps connections at EqDC2")
	partner := dx.DirectConnect(account2, region)
	ic := aws.ToString(newInterconnect(t, partner, "10Gbps").InterconnectId)
	hosted := aws.ToString(allocate(t, partner, ic, account, "10Gbps", 10).ConnectionId)
	cannot(hosted, "is a hosted connection and cannot join a LAG")
	theirs := aws.ToString(create10G(t, partner, "theirs").ConnectionId)
	cannot(theirs, "Could not find Connection with ID "+theirs)
	if all, err := c.DescribeLags(ctx, &directconnect.DescribeLagsInput{}); err != nil || len(all.Lags) != 2 {
		t.Errorf("%d LAGs, want 2 (%v)", len(all.Lags), err)
	}
}

func create10G(t *testing.T, c *directconnect.Client, name string) *directconnect.CreateConnectionOutput {
	t.Helper()
	out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUpdateLag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	id := aws.ToString(newLag(t, c, 2, "10Gbps").LagId)
	update := func(in directconnect.UpdateLagInput) (*directconnect.UpdateLagOutput, error) {
		in.LagId = aws.String(id)
		return c.UpdateLag(ctx, &in)
	}
	out, err := update(directconnect.UpdateLagInput{LagName: aws.String("renamed"), MinimumLinks: 2})
	if err != nil || aws.ToString(out.LagName) != "renamed" || out.MinimumLinks != 2 || out.LagState != types.LagStateAvailable {
		t.Fatalf("update: %+v %v", out, err)
	}
	if got := describeLag(t, c, id); aws.ToString(got.LagName) != "renamed" || got.MinimumLinks != 2 {
		t.Errorf("described: %q minimumLinks %d", aws.ToString(got.LagName), got.MinimumLinks)
	}
	_, err = update(directconnect.UpdateLagInput{MinimumLinks: 3})
	apiError(t, err, "DirectConnectClientException", "minimumLinks must be between 0 and the LAG's 2 connections.")
	_, err = update(directconnect.UpdateLagInput{LagName: aws.String(" ")})
	apiError(t, err, "DirectConnectClientException", "LAG name must not be empty")
	_, err = update(directconnect.UpdateLagInput{EncryptionMode: aws.String("must_encrypt")})
	apiError(t, err, "DirectConnectClientException", "does not support MACsec")
	_, err = update(directconnect.UpdateLagInput{EncryptionMode: aws.String("sometimes")})
	apiError(t, err, "DirectConnectClientException", "Encryption mode sometimes is not valid")
	if got := describeLag(t, c, id); aws.ToString(got.LagName) != "renamed" || got.MinimumLinks != 2 || got.EncryptionMode != nil {
		t.Errorf("refused updates changed it: %+v", got)
	}
	_, err = c.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String("dxlag-nope"), LagName: aws.String("x")})
	apiError(t, err, "DirectConnectClientException", "Lag ID dxlag-nope has an invalid format.")

	if _, err := c.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = update(directconnect.UpdateLagInput{LagName: aws.String("after")})
	apiError(t, err, "DirectConnectClientException", "is deleted")
}

func TestAssociateConnectionWithLag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	l := newLag(t, c, 4, "1Gbps")
	id, device := aws.ToString(l.LagId), aws.ToString(l.AwsDevice)
	members := memberIDs(types.Lag{Connections: l.Connections})
	m1 := members[0]

	// Out of the LAG: a standalone connection on the LAG's device.
	out, err := disassociate(c, m1, id)
	if err != nil || out.LagId != nil || aws.ToString(out.AwsDevice) != device {
		t.Fatalf("disassociate: %+v %v", out, err)
	}
	if got := describe(t, c, m1); got.LagId != nil || got.ConnectionState != types.ConnectionStateAvailable {
		t.Errorf("after leaving the LAG: lag %q, %s", aws.ToString(got.LagId), got.ConnectionState)
	}
	if got := memberIDs(describeLag(t, c, id)); len(got) != 3 || slices.Contains(got, m1) {
		t.Errorf("members after disassociating %s: %v", m1, got)
	}
	_, err = disassociate(c, m1, id)
	apiError(t, err, "DirectConnectClientException", "is not a member of Lag "+id)

	// CreateConnection with lagId puts a new member on the LAG's device.
	joined, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("fourth"), LagId: aws.String(id)})
	if err != nil || aws.ToString(joined.LagId) != id || aws.ToString(joined.AwsDevice) != device {
		t.Fatalf("create on the LAG: %+v %v", joined, err)
	}
	if got := memberIDs(describeLag(t, c, id)); len(got) != 4 || !slices.Contains(got, aws.ToString(joined.ConnectionId)) {
		t.Errorf("members: %v", got)
	}

	// Four is the most: neither m1 nor another new connection joins.
	_, err = associate(c, m1, id)
	apiError(t, err, "DirectConnectClientException", "(quota connections-per-lag)")
	_, err = c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("fifth"), LagId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "(quota connections-per-lag)")

	// Another speed or location is refused.
	tenG := aws.ToString(create10G(t, c, "10G").ConnectionId)
	_, err = associate(c, tenG, id)
	apiError(t, err, "DirectConnectClientException", "the LAG takes 1Gbps connections at EqDC2")
	_, err = c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("x"), LagId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "Lag "+id+" takes 1Gbps connections at EqDC2, not 10Gbps at EqDC2.")
	_, err = c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("CSVA1"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x"), LagId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "not 1Gbps at CSVA1")

	// With room again, m1 joins back.
	if _, err := c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: joined.ConnectionId}); err != nil {
		t.Fatal(err)
	}
	back, err := associate(c, m1, id)
	if err != nil || aws.ToString(back.LagId) != id {
		t.Fatalf("associate: %+v %v", back, err)
	}
	if got := memberIDs(describeLag(t, c, id)); !slices.Equal(got, members) {
		t.Errorf("members %v, want %v", got, members)
	}

	// Nobody else's connections or LAGs.
	other := dx.DirectConnect(account2, region)
	theirs := aws.ToString(create(t, other, "theirs").ConnectionId)
	_, err = associate(c, theirs, id)
	notFound(t, err, "Connection", theirs)
	_, err = associate(other, theirs, id)
	notFound(t, err, "Lag", id)
	_, err = disassociate(other, m1, id)
	notFound(t, err, "Connection", m1)
	// A member of one LAG does not join another.
	second := aws.ToString(newLag(t, c, 1, "1Gbps").LagId)
	_, err = associate(c, m1, second)
	apiError(t, err, "DirectConnectClientException", "is already a member of Lag "+id)
}

// A LAG's members share one device: a connection on another device does
// not join it.
func TestAssociateConnectionWithLagNeedsItsDevice(t *testing.T) {
	// Only device a has three 10G ports, so the LAG lands there and fills
	// it; the next connection can only go to b.
	catalog := smallCatalog(t, facility.Device{ID: "TstA1-aaaaaaaaaaaa", Ports: map[string]int{"10G": 3}},
		facility.Device{ID: "TstA1-bbbbbbbbbbbb", Ports: map[string]int{"10G": 2}})
	dx := dxlabtest.New(t, dxlabtest.Options{Locations: catalog})
	c := dx.DirectConnect(account, region)
	l, err := c.CreateLag(ctx, lagInput("TstA1", "10Gbps", 3))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(l.LagId)
	if aws.ToString(l.AwsDevice) != "TstA1-aaaaaaaaaaaa" {
		t.Fatalf("the LAG is on %s", aws.ToString(l.AwsDevice))
	}
	elsewhere, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("TstA1"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("b")})
	if err != nil || aws.ToString(elsewhere.AwsDevice) != "TstA1-bbbbbbbbbbbb" {
		t.Fatalf("standalone: %+v %v", elsewhere, err)
	}
	_, err = associate(c, aws.ToString(elsewhere.ConnectionId), id)
	apiError(t, err, "DirectConnectClientException", "A LAG's connections share one device.")
	// Nor can a new member be placed: the LAG's device is full.
	_, err = c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("TstA1"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("x"), LagId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "Location TstA1 has no free 10Gbps port")
	got := describeLag(t, c, id)
	if len(got.Connections) != 3 {
		t.Errorf("the LAG has %d members", len(got.Connections))
	}

	// A LAG left with nothing holds no port: the next connection to join
	// brings its device (Terraform's aws_dx_lag empties the LAG it creates,
	// then aws_dx_connection_association adds connections made apart).
	for _, m := range got.Connections {
		if _, err := c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: m.ConnectionId}); err != nil {
			t.Fatal(err)
		}
	}
	// While it still carries a virtual interface, it keeps its device.
	v, err := vrPrivate(c, id, 300, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = associate(c, aws.ToString(elsewhere.ConnectionId), id)
	apiError(t, err, "DirectConnectClientException", "A LAG's connections share one device.")
	if _, err := c.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: v.VirtualInterfaceId}); err != nil {
		t.Fatal(err)
	}
	joined, err := associate(c, aws.ToString(elsewhere.ConnectionId), id)
	if err != nil || aws.ToString(joined.LagId) != id {
		t.Fatalf("joining the emptied LAG: %+v %v", joined, err)
	}
	if got := describeLag(t, c, id); aws.ToString(got.AwsDevice) != "TstA1-bbbbbbbbbbbb" || len(got.Connections) != 1 {
		t.Errorf("the LAG is on %s with %d members", aws.ToString(got.AwsDevice), len(got.Connections))
	}
}

func TestDisassociateConnectionFromLagKeepsMinimumLinks(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	l := newLag(t, c, 3, "10Gbps")
	id := aws.ToString(l.LagId)
	m := memberIDs(types.Lag{Connections: l.Connections})
	minimum := func(n int32) {
		t.Helper()
		if _, err := c.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String(id), MinimumLinks: n}); err != nil {
			t.Fatal(err)
		}
	}
	minimum(3)
	_, err := disassociate(c, m[0], id)
	apiError(t, err, "DirectConnectClientException", "would leave Lag "+id+" with fewer connections than its minimumLinks (3)")
	minimum(2)
	if _, err := disassociate(c, m[0], id); err != nil {
		t.Fatal(err)
	}
	_, err = disassociate(c, m[1], id)
	apiError(t, err, "DirectConnectClientException", "minimumLinks (2)")
	minimum(1)
	if _, err := disassociate(c, m[1], id); err != nil {
		t.Fatal(err)
	}
	// The last member may always go, minimumLinks or not: the LAG is left
	// empty.
	if _, err := disassociate(c, m[2], id); err != nil {
		t.Fatalf("the last member: %v", err)
	}
	got := describeLag(t, c, id)
	if got.NumberOfConnections != 0 || len(got.Connections) != 0 || got.LagState == types.LagStateAvailable {
		t.Errorf("empty LAG: %d members, %s", got.NumberOfConnections, got.LagState)
	}
	for _, id := range m {
		if conn := describe(t, c, id); conn.LagId != nil || conn.ConnectionState != types.ConnectionStateAvailable {
			t.Errorf("%s after leaving: lag %q %s", id, aws.ToString(conn.LagId), conn.ConnectionState)
		}
	}
}

func TestDeleteLag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	l := newLag(t, partner, 2, "10Gbps")
	id := aws.ToString(l.LagId)
	members := memberIDs(types.Lag{Connections: l.Connections})
	hosted := aws.ToString(allocate(t, partner, id, account2, "1Gbps", 100).ConnectionId)
	confirm(t, customer, hosted)

	_, err := partner.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "carries hosted connection "+hosted)
	_, err = customer.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(id)})
	notFound(t, err, "Lag", id)
	if got := describeLag(t, partner, id); got.LagState != types.LagStateAvailable || len(got.Connections) != 2 {
		t.Fatalf("a refused delete changed the LAG: %s, %d members", got.LagState, len(got.Connections))
	}

	if _, err := customer.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(hosted)}); err != nil {
		t.Fatal(err)
	}
	del, err := partner.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(id)})
	if err != nil || del.LagState != types.LagStateDeleted || del.NumberOfConnections != 0 || len(del.Connections) != 0 {
		t.Fatalf("delete: %+v %v", del, err)
	}
	// Its members stay, standalone, on their ports.
	for _, m := range members {
		if got := describe(t, partner, m); got.LagId != nil || got.ConnectionState != types.ConnectionStateAvailable {
			t.Errorf("member %s after DeleteLag: lag %q %s", m, aws.ToString(got.LagId), got.ConnectionState)
		}
	}
	if got := describeLag(t, partner, id); got.LagState != types.LagStateDeleted || len(got.Connections) != 0 {
		t.Errorf("deleted LAG listed as %s with %d members", got.LagState, len(got.Connections))
	}
	_, err = partner.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "already been deleted")
	_, err = associate(partner, members[0], id)
	apiError(t, err, "DirectConnectClientException", "is deleted")
	_, err = partner.AllocateHostedConnection(ctx, allocation(id, account2, "50Mbps", 101))
	apiError(t, err, "DirectConnectClientException", id+" is deleted")
	dx.Advance(DeletedRetentionPlus)
	_, err = partner.DescribeLags(ctx, &directconnect.DescribeLagsInput{LagId: aws.String(id)})
	notFound(t, err, "Lag", id)
	if n := len(ownConnections(t, partner)); n != 2 {
		t.Errorf("%d connections after the LAG was forgotten, want its 2 members", n)
	}
}

func TestDescribeLagsPaginates(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	var want []string
	for range 5 {
		want = append(want, aws.ToString(newLag(t, c, 1, "10Gbps").LagId))
	}
	slices.Sort(want)
	got, pages := allPages(t, func(token *string) ([]types.Lag, *string, error) {
		out, err := c.DescribeLags(ctx, &directconnect.DescribeLagsInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Lags, out.NextToken, nil
	})
	ids := idsOf(got, func(l types.Lag) *string { return l.LagId })
	if pages != 3 || !slices.Equal(ids, want) {
		t.Errorf("%d pages of %v, want 3 pages of %v", pages, ids, want)
	}
	for _, l := range got {
		if len(l.Connections) != 1 {
			t.Errorf("%s listed with %d members", aws.ToString(l.LagId), len(l.Connections))
		}
	}
}

// An interconnect created with lagId joins the partner's LAG, on its
// device, and adds to its capacity; DeleteLag lets it go.
func TestInterconnectOnALag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner := dx.DirectConnect(account, region)
	l := newLag(t, partner, 1, "10Gbps")
	id := aws.ToString(l.LagId)
	out, err := partner.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), InterconnectName: aws.String("in-lag"), LagId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	ic := aws.ToString(out.InterconnectId)
	if aws.ToString(out.LagId) != id || aws.ToString(out.AwsDevice) != aws.ToString(l.AwsDevice) {
		t.Errorf("interconnect in LAG %q on %s, want %s on %s", aws.ToString(out.LagId), aws.ToString(out.AwsDevice), id, aws.ToString(l.AwsDevice))
	}
	t.Run("DescribeLags lists it", func(t *testing.T) {
		got := describeLag(t, partner, id)
		if got.NumberOfConnections != 2 || !slices.Contains(connectionIDs(got.Connections), ic) {
			t.Errorf("the LAG lists %d members %v, want its connection and the interconnect", got.NumberOfConnections, connectionIDs(got.Connections))
		}
	})
	// Both members' bandwidth is the LAG's capacity.
	allocate(t, partner, id, account2, "10Gbps", 1)
	allocate(t, partner, id, account2, "10Gbps", 2)
	_, err = partner.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), InterconnectName: aws.String("slow"), LagId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "takes 10Gbps connections")

	// Deleted, the LAG lets go of the interconnect, which lives on.
	for _, h := range hostedOf(t, partner, id) {
		if _, err := partner.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: h.ConnectionId}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := partner.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if got := describeInterconnect(t, partner, ic); got.LagId != nil || got.InterconnectState != types.InterconnectStateAvailable {
		t.Errorf("after DeleteLag the interconnect is in LAG %q, %s", aws.ToString(got.LagId), got.InterconnectState)
	}
	dx.Advance(DeletedRetentionPlus)
	setPort(t, dx, ic, "down", "down")
	if _, err := partner.DeleteInterconnect(ctx, &directconnect.DeleteInterconnectInput{InterconnectId: aws.String(ic)}); err != nil {
		t.Errorf("deleting the interconnect of a forgotten LAG: %v", err)
	}
}
