package directconnect_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"
	"github.com/aws/smithy-go"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/limits"
)

// A DescribeTags call that repeats one ARN thousands of times is answered
// with it once; more distinct ARNs than the cap are refused.
func TestDescribeTagsDeduplicatesAndCaps(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	id := aws.ToString(create(t, c, "tagged").ConnectionId)
	_, err := c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arnOf(account, "dxcon", id)),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 256))}}})
	if err != nil {
		t.Fatal(err)
	}
	repeated := make([]string, 10000)
	for i := range repeated {
		repeated[i] = arnOf(account, "dxcon", id)
	}
	out, err := c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: repeated})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ResourceTags) != 1 || len(out.ResourceTags[0].Tags) != 1 {
		t.Errorf("10000 copies of one ARN gave %d resources", len(out.ResourceTags))
	}

	distinct := make([]string, limits.MaxDescribeTagsARNs+1)
	for i := range distinct {
		distinct[i] = arnOf(account, "dxcon", fmt.Sprintf("dxcon-f%07d", i))
	}
	_, err = c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: distinct})
	apiError(t, err, "DirectConnectClientException", fmt.Sprintf("at most %d distinct resource ARNs", limits.MaxDescribeTagsARNs))
	// At the cap, they are looked up (and here not found).
	_, err = c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: distinct[:limits.MaxDescribeTagsARNs]})
	apiError(t, err, "DirectConnectClientException", "Could not find Connection")
}

func TestNamesAreBoundedAndPrintable(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	longest := strings.Repeat("é", limits.MaxNameLength)
	id := aws.ToString(create(t, c, longest).ConnectionId)
	if got := aws.ToString(describe(t, c, id).ConnectionName); got != longest {
		t.Errorf("a name of %d characters came back as %d", limits.MaxNameLength, len([]rune(got)))
	}
	for _, bad := range []struct{ name, want string }{
		{longest + "x", fmt.Sprintf("at most %d characters long", limits.MaxNameLength)},
		{strings.Repeat("x", 900<<10), fmt.Sprintf("at most %d characters long", limits.MaxNameLength)},
		{"nul\x00byte", "must not contain control characters"},
		{"new\nline", "must not contain control characters"},
	} {
		_, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
			Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String(bad.name)})
		apiError(t, err, "DirectConnectClientException", bad.want)
		checkShort(t, err)
		_, err = c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: aws.String(id), ConnectionName: aws.String(bad.name)})
		apiError(t, err, "DirectConnectClientException", bad.want)
		checkShort(t, err)
	}
	_, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("ok"), ProviderName: aws.String("p\x00")})
	apiError(t, err, "DirectConnectClientException", "Provider name must not contain control characters")
}

// checkShort: an error never echoes a huge value back.
func checkShort(t *testing.T, err error) {
	t.Helper()
	var ae smithy.APIError
	if errorsAs(err, &ae) && len(ae.ErrorMessage()) > limits.MaxErrorMessage {
		t.Errorf("error message of %d bytes", len(ae.ErrorMessage()))
	}
}

func TestHugeIDIsNotEchoed(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	huge := "dxcon-" + strings.Repeat("x", 900<<10)
	_, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(huge)})
	apiError(t, err, "DirectConnectClientException", "has an invalid format")
	checkShort(t, err)
	_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(huge),
		Tags: []types.Tag{{Key: aws.String("k")}}})
	apiError(t, err, "DirectConnectClientException", "has an invalid format")
	checkShort(t, err)
}

func TestTagsOfADeletedConnectionCannotChange(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	id := aws.ToString(create(t, c, "doomed").ConnectionId)
	if _, err := c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arnOf(account, "dxcon", id)), Tags: []types.Tag{{Key: aws.String("k")}}})
	apiError(t, err, "DirectConnectClientException", "Connection "+id+" is deleted and cannot be updated.")
	_, err = c.UntagResource(ctx, &directconnect.UntagResourceInput{ResourceArn: aws.String(arnOf(account, "dxcon", id)), TagKeys: []string{"k"}})
	apiError(t, err, "DirectConnectClientException", "Connection "+id+" is deleted and cannot be updated.")
	_, err = c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: aws.String(id), ConnectionName: aws.String("x")})
	apiError(t, err, "DirectConnectClientException", "Connection "+id+" is deleted and cannot be updated.")
	// Reading them still works while it is listed.
	if _, err := c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{arnOf(account, "dxcon", id)}}); err != nil {
		t.Error(err)
	}
}

// Every kind's tags follow the same rule: a LAG, an interconnect or a
// virtual interface that is deleted takes no tag changes either, while it
// is still listed.
func TestTagsOfDeletedResourcesCannotChange(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	lagID := aws.ToString(newLag(t, c, 1, "10Gbps").LagId)
	icID := aws.ToString(newInterconnect(t, c, "10Gbps").InterconnectId)
	_, v := availableVif(t, dx, c)
	vifID := aws.ToString(v.VirtualInterfaceId)
	if _, err := c.DeleteLag(ctx, &directconnect.DeleteLagInput{LagId: aws.String(lagID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInterconnect(ctx, &directconnect.DeleteInterconnectInput{InterconnectId: aws.String(icID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteVirtualInterface(ctx, &directconnect.DeleteVirtualInterfaceInput{VirtualInterfaceId: aws.String(vifID)}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ arn, says string }{
		{arnOf(account, "dxlag", lagID), "Lag " + lagID + " is deleted and cannot be updated."},
		{arnOf(account, "dxcon", icID), "Interconnect " + icID + " is deleted and cannot be updated."},
		{arnOf(account, "dxvif", vifID), "Virtual interface " + vifID + " is deleted and cannot be updated."},
	} {
		_, err := c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(r.arn), Tags: []types.Tag{{Key: aws.String("k")}}})
		apiError(t, err, "DirectConnectClientException", r.says)
		_, err = c.UntagResource(ctx, &directconnect.UntagResourceInput{ResourceArn: aws.String(r.arn), TagKeys: []string{"k"}})
		apiError(t, err, "DirectConnectClientException", r.says)
		if _, err := c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: []string{r.arn}}); err != nil {
			t.Errorf("reading the tags of %s: %v", r.arn, err)
		}
	}
	_, err := c.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String(lagID), LagName: aws.String("x")})
	apiError(t, err, "DirectConnectClientException", "Lag "+lagID+" is deleted and cannot be updated.")
}
