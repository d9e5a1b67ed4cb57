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

// The accounts of the partner tests: account is the partner (it owns the
// interconnects and LAGs), account2 the customer it allocates hosted
// connections to, account3 an account with no part in it.
const account3 = "777788889999"

// arnOf is the ARN of a resource of an account: typ is "dxcon" (connections
// and interconnects) or "dxlag".
func arnOf(acct, typ, id string) string {
	return fmt.Sprintf("arn:aws:directconnect:%s:%s:%s/%s", region, acct, typ, id)
}

// notFound asserts err is Direct Connect's answer for an id the caller
// cannot see.
func notFound(t *testing.T, err error, noun, id string) {
	t.Helper()
	apiError(t, err, "DirectConnectClientException", "Could not find "+noun+" with ID "+id)
}

func newInterconnect(t *testing.T, c *directconnect.Client, bandwidth string) *directconnect.CreateInterconnectOutput {
	t.Helper()
	out, err := c.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String(bandwidth), InterconnectName: aws.String("ic-" + bandwidth),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func describeInterconnect(t *testing.T, c *directconnect.Client, id string) types.Interconnect {
	t.Helper()
	out, err := c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{InterconnectId: aws.String(id)})
	return only(t, id, out, err, func(o *directconnect.DescribeInterconnectsOutput) []types.Interconnect { return o.Interconnects })
}

// only is the one item a Describe by id answers.
func only[O, T any](t *testing.T, id string, out O, err error, items func(O) []T) T {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	list := items(out)
	if len(list) != 1 {
		t.Fatalf("describe %s: %d answers", id, len(list))
	}
	return list[0]
}

// allPages follows a listing's nextToken to its end and answers what every
// page held and how many pages there were.
func allPages[T any](t *testing.T, page func(token *string) ([]T, *string, error)) ([]T, int) {
	t.Helper()
	var all []T
	var token *string
	for n := 1; ; n++ {
		items, next, err := page(token)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
		if next == nil {
			return all, n
		}
		if n > 1000 {
			t.Fatal("a listing that never ends")
		}
		token = next
	}
}

// idsOf lists ids in order, to compare listings.
func idsOf[T any](items []T, id func(T) *string) []string {
	out := make([]string, len(items))
	for i, x := range items {
		out[i] = aws.ToString(id(x))
	}
	return out
}

func connectionIDs(cs []types.Connection) []string {
	return idsOf(cs, func(c types.Connection) *string { return c.ConnectionId })
}

func TestInterconnectLifecycle(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner := dx.DirectConnect(account, region)
	out, err := partner.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), InterconnectName: aws.String("partner-port"),
		ProviderName: aws.String("Megaport"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("nni")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.InterconnectId)
	if !idRE.MatchString(id) || out.InterconnectState != types.InterconnectStateRequested {
		t.Fatalf("created %q in %s, want a dxcon- id in requested", id, out.InterconnectState)
	}
	if aws.ToString(out.InterconnectName) != "partner-port" || aws.ToString(out.Location) != "EqDC2" || aws.ToString(out.Bandwidth) != "10Gbps" ||
		aws.ToString(out.Region) != region || aws.ToString(out.ProviderName) != "Megaport" || aws.ToBool(out.MacSecCapable) || out.LagId != nil {
		t.Errorf("interconnect fields: %+v", out)
	}
	if !deviceRE.MatchString(aws.ToString(out.AwsDevice)) || aws.ToString(out.AwsDeviceV2) != aws.ToString(out.AwsDevice) {
		t.Errorf("devices %q %q", aws.ToString(out.AwsDevice), aws.ToString(out.AwsDeviceV2))
	}
	if got := describeInterconnect(t, partner, id); got.InterconnectState != types.InterconnectStateAvailable || aws.ToString(got.AwsDevice) != aws.ToString(out.AwsDevice) {
		t.Errorf("after instant provisioning: %s on %s", got.InterconnectState, aws.ToString(got.AwsDevice))
	}

	// An interconnect is not a connection: DescribeConnections leaves it out.
	_, err = partner.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
	notFound(t, err, "Connection", id)
	if all, err := partner.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{}); err != nil || len(all.Connections) != 0 {
		t.Errorf("DescribeConnections lists %d (%v)", len(all.Connections), err)
	}

	// Tags on its dxcon/ ARN, the owner's alone.
	arn := arnOf(account, "dxcon", id)
	if got := tagsOf(t, partner, arn); len(got) != 1 || got["team"] != "nni" {
		t.Errorf("tags at creation: %v", got)
	}
	if _, err := partner.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("lab")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := partner.UntagResource(ctx, &directconnect.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf(t, partner, arn); len(got) != 1 || got["env"] != "lab" {
		t.Errorf("tags after tag and untag: %v", got)
	}
	if tags := describeInterconnect(t, partner, id).Tags; len(tags) != 1 || aws.ToString(tags[0].Key) != "env" {
		t.Errorf("DescribeInterconnects shows tags %+v", tags)
	}

	// Nobody else sees it.
	for _, other := range []string{account2, account3} {
		c := dx.DirectConnect(other, region)
		_, err := c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{InterconnectId: aws.String(id)})
		notFound(t, err, "Interconnect", id)
		if all, err := c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{}); err != nil || len(all.Interconnects) != 0 {
			t.Errorf("%s lists %d interconnects (%v)", other, len(all.Interconnects), err)
		}
		_, err = c.DeleteInterconnect(ctx, &directconnect.DeleteInterconnectInput{InterconnectId: aws.String(id)})
		notFound(t, err, "Interconnect", id)
		_, err = c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{arn}})
		apiError(t, err, "DirectConnectClientException", "Could not find")
	}

	del, err := partner.DeleteInterconnect(ctx, &directconnect.DeleteInterconnectInput{InterconnectId: aws.String(id)})
	if err != nil || del.InterconnectState != types.InterconnectStateDeleted {
		t.Fatalf("delete: %v %v", del, err)
	}
	if got := describeInterconnect(t, partner, id).InterconnectState; got != types.InterconnectStateDeleted {
		t.Errorf("deleted interconnect listed as %s", got)
	}
	_, err = partner.DeleteInterconnect(ctx, &directconnect.DeleteInterconnectInput{InterconnectId: aws.String(id)})
	apiError(t, err, "DirectConnectClientException", "already been deleted")
	dx.Advance(DeletedRetentionPlus)
	_, err = partner.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{InterconnectId: aws.String(id)})
	notFound(t, err, "Interconnect", id)
}

// DeletedRetentionPlus is a little over the time a deleted resource stays
// listed.
const DeletedRetentionPlus = 16 * time.Minute

// Under the manual profile an interconnect waits for AWS staff and then for
// the cross-connect, which the operator API declares done.
func TestInterconnectWaitsForTheOperator(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	c := dx.DirectConnect(account, region)
	id := aws.ToString(newInterconnect(t, c, "1Gbps").InterconnectId)
	dx.Advance(48 * time.Hour)
	if got := describeInterconnect(t, c, id).InterconnectState; got != types.InterconnectStateRequested {
		t.Fatalf("two days without an operator: %s", got)
	}
	fireStep(t, dx, id, "interconnect.approve")
	if got := describeInterconnect(t, c, id).InterconnectState; got != types.InterconnectStatePending {
		t.Fatalf("after approval: %s", got)
	}
	if code := dx.Operator("POST", "/_dxlab/v1/resources/"+id+"/cross-connect", nil); code != 200 {
		t.Fatalf("cross-connect: %d", code)
	}
	if got := describeInterconnect(t, c, id).InterconnectState; got != types.InterconnectStateAvailable {
		t.Fatalf("after the cross-connect: %s", got)
	}
}

// fireStep fires the one pending transition of a resource, which must be
// step, through the operator API.
func fireStep(t *testing.T, dx *dxlabtest.Instance, id, step string) {
	t.Helper()
	var pending transitions
	if code := dx.Operator("GET", "/_dxlab/v1/transitions?resource="+id, &pending); code != 200 {
		t.Fatalf("list transitions: %d", code)
	}
	for _, tr := range pending.Transitions {
		if tr.Step == step {
			if code := dx.Operator("POST", "/_dxlab/v1/transitions/"+tr.ID+"/fire", nil); code != 200 {
				t.Fatalf("fire %s: %d", step, code)
			}
			return
		}
	}
	t.Fatalf("no %s pending for %s: %+v", step, id, pending.Transitions)
}

func TestDescribeInterconnectsPaginates(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	var want []string
	for range 5 {
		want = append(want, aws.ToString(newInterconnect(t, c, "1Gbps").InterconnectId))
	}
	slices.Sort(want)
	got, pages := allPages(t, func(token *string) ([]types.Interconnect, *string, error) {
		out, err := c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			return nil, nil, err
		}
		return out.Interconnects, out.NextToken, nil
	})
	if ids := idsOf(got, func(i types.Interconnect) *string { return i.InterconnectId }); pages != 3 || !slices.Equal(ids, want) {
		t.Errorf("%d pages of %v, want 3 pages of %v", pages, ids, want)
	}
	all, err := c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{})
	if err != nil || len(all.Interconnects) != 5 || all.NextToken != nil {
		t.Errorf("all at once: %d, token %v, %v", len(all.Interconnects), all.NextToken, err)
	}
	_, err = c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{NextToken: aws.String("garbage")})
	apiError(t, err, "DirectConnectClientException", "pagination token")
	_, err = c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{InterconnectId: aws.String("dxcon-bad")})
	apiError(t, err, "DirectConnectClientException", "Interconnect ID dxcon-bad has an invalid format.")
}

// An interconnect carrying a hosted connection that is not deleted or
// rejected cannot be deleted.
func TestDeleteInterconnectCarryingHostedConnections(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic := aws.ToString(newInterconnect(t, partner, "1Gbps").InterconnectId)
	declined := aws.ToString(allocate(t, partner, ic, account2, "100Mbps", 10).ConnectionId)
	confirmed := aws.ToString(allocate(t, partner, ic, account2, "100Mbps", 11).ConnectionId)
	confirm(t, customer, confirmed)

	refused := func(hosted string) {
		t.Helper()
		_, err := partner.DeleteInterconnect(ctx, &directconnect.DeleteInterconnectInput{InterconnectId: aws.String(ic)})
		apiError(t, err, "DirectConnectClientException", "carries hosted connection "+hosted)
		if got := describeInterconnect(t, partner, ic).InterconnectState; got != types.InterconnectStateAvailable {
			t.Fatalf("a refused delete left the interconnect %s", got)
		}
	}
	if _, err := customer.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(declined)}); err != nil {
		t.Fatal(err)
	}
	refused(confirmed) // the rejected one no longer counts; the available one does
	if _, err := partner.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(confirmed)}); err != nil {
		t.Fatal(err)
	}
	del, err := partner.DeleteInterconnect(ctx, &directconnect.DeleteInterconnectInput{InterconnectId: aws.String(ic)})
	if err != nil || del.InterconnectState != types.InterconnectStateDeleted {
		t.Fatalf("delete after its hosted connections went: %v %v", del, err)
	}
	// Its port is free again; the hosted connections stay as they ended.
	for id, want := range map[string]types.ConnectionState{declined: types.ConnectionStateRejected, confirmed: types.ConnectionStateDeleted} {
		if got := describe(t, customer, id).ConnectionState; got != want {
			t.Errorf("%s: %s, want %s", id, got, want)
		}
	}
}

func TestCreateInterconnectRejectsBadInput(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	in := func(loc, bw string, macSec bool) *directconnect.CreateInterconnectInput {
		return &directconnect.CreateInterconnectInput{Location: aws.String(loc), Bandwidth: aws.String(bw), InterconnectName: aws.String("x"), RequestMACSec: aws.Bool(macSec)}
	}
	withLag := in("EqDC2", "10Gbps", false)
	withLag.LagId = aws.String("dxlag-ffffffff")
	blank := in("EqDC2", "10Gbps", false)
	blank.InterconnectName = aws.String("  ")
	for _, tc := range []struct {
		name string
		in   *directconnect.CreateInterconnectInput
		msg  string
	}{
		{"hosted speed", in("EqDC2", "500Mbps", false), "Bandwidth 500Mbps is not available for interconnects"},
		{"25Gbps", in("EqDC2", "25Gbps", false), "Bandwidth 25Gbps is not available for interconnects"},
		{"speed the location lacks", in("QTDC2", "400Gbps", false), "Bandwidth 400Gbps is not available at location QTDC2."},
		{"unknown location", in("Nowhere1", "10Gbps", false), "Location Nowhere1 is not a valid Direct Connect location in us-east-1"},
		{"MACsec at 1G", in("EqDC2", "1Gbps", true), "MACsec is not available for 1Gbps"},
		{"unknown LAG", withLag, "Could not find Lag with ID dxlag-ffffffff"},
		{"blank name", blank, "Interconnect name must not be empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateInterconnect(ctx, tc.in)
			apiError(t, err, "DirectConnectClientException", tc.msg)
		})
	}
	if all, err := c.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{}); err != nil || len(all.Interconnects) != 0 {
		t.Errorf("refused requests left %d interconnects (%v)", len(all.Interconnects), err)
	}

	// Every speed the location offers is fine, MACsec where it offers it.
	for _, bw := range []string{"1Gbps", "10Gbps", "100Gbps", "400Gbps"} {
		out, err := c.CreateInterconnect(ctx, in("EqDC2", bw, bw != "1Gbps"))
		if err != nil {
			t.Fatalf("%s: %v", bw, err)
		}
		if aws.ToString(out.Bandwidth) != bw || aws.ToBool(out.MacSecCapable) != (bw != "1Gbps") {
			t.Errorf("%s: bandwidth %s macSecCapable %v", bw, aws.ToString(out.Bandwidth), aws.ToBool(out.MacSecCapable))
		}
	}
}
