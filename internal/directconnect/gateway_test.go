package directconnect_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

var gatewayIDRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func createGateway(t *testing.T, c *directconnect.Client, name string, asn *int64) *types.DirectConnectGateway {
	t.Helper()
	out, err := c.CreateDirectConnectGateway(ctx, &directconnect.CreateDirectConnectGatewayInput{DirectConnectGatewayName: aws.String(name), AmazonSideAsn: asn})
	if err != nil {
		t.Fatal(err)
	}
	return out.DirectConnectGateway
}

func gateways(t *testing.T, c *directconnect.Client, id *string) []types.DirectConnectGateway {
	t.Helper()
	out, err := c.DescribeDirectConnectGateways(ctx, &directconnect.DescribeDirectConnectGatewaysInput{DirectConnectGatewayId: id})
	if err != nil {
		t.Fatal(err)
	}
	return out.DirectConnectGateways
}

// A gateway is global: its owner sees it from every region, nobody else
// from anywhere; an id one cannot see is an empty list, as Terraform expects.
func TestGatewayLifecycle(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	g := createGateway(t, c, "core", nil)
	if g.DirectConnectGatewayState != types.DirectConnectGatewayStatePending || aws.ToInt64(g.AmazonSideAsn) != 64512 || aws.ToString(g.OwnerAccount) != account {
		t.Fatalf("created gateway: %+v", g)
	}
	id := g.DirectConnectGatewayId
	if !gatewayIDRE.MatchString(aws.ToString(id)) {
		t.Errorf("gateway id %q is not a UUID", aws.ToString(id))
	}
	for _, from := range []*directconnect.Client{c, dx.DirectConnect(account, "eu-west-1")} {
		got := gateways(t, from, id)
		if len(got) != 1 || got[0].DirectConnectGatewayState != types.DirectConnectGatewayStateAvailable {
			t.Errorf("the owner sees %+v", got)
		}
	}
	if got := gateways(t, dx.DirectConnect(account2, region), id); len(got) != 0 {
		t.Errorf("another account sees %+v", got)
	}
	if got := gateways(t, dx.DirectConnect(account2, region), nil); len(got) != 0 {
		t.Errorf("another account lists %+v", got)
	}

	up, err := c.UpdateDirectConnectGateway(ctx, &directconnect.UpdateDirectConnectGatewayInput{DirectConnectGatewayId: id, NewDirectConnectGatewayName: aws.String("edge")})
	if err != nil || aws.ToString(up.DirectConnectGateway.DirectConnectGatewayName) != "edge" {
		t.Fatalf("rename: %+v %v", up, err)
	}
	_, err = dx.DirectConnect(account2, region).UpdateDirectConnectGateway(ctx, &directconnect.UpdateDirectConnectGatewayInput{DirectConnectGatewayId: id, NewDirectConnectGatewayName: aws.String("x")})
	apiError(t, err, "DirectConnectClientException", "Direct Connect Gateway "+aws.ToString(id)+" does not exist")

	// Tags on its region-less ARN, from any region.
	arn := "arn:aws:directconnect::" + account + ":dx-gateway/" + aws.ToString(id)
	if _, err := dx.DirectConnect(account, "ap-southeast-2").TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("net")}}}); err != nil {
		t.Fatal(err)
	}
	if got := gateways(t, c, id); len(got[0].Tags) != 1 || aws.ToString(got[0].Tags[0].Key) != "team" {
		t.Errorf("tags in Describe: %+v", got[0].Tags)
	}
	_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String("arn:aws:directconnect:us-east-1:" + account + ":dx-gateway/" + aws.ToString(id)), Tags: []types.Tag{{Key: aws.String("a")}}})
	apiError(t, err, "DirectConnectClientException", "does not exist")

	del, err := c.DeleteDirectConnectGateway(ctx, &directconnect.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: id})
	if err != nil || del.DirectConnectGateway.DirectConnectGatewayState != types.DirectConnectGatewayStateDeleting {
		t.Fatalf("delete: %+v %v", del, err)
	}
	if got := gateways(t, c, id); len(got) != 0 {
		t.Errorf("a deleted gateway is returned: %+v", got)
	}
	_, err = c.DeleteDirectConnectGateway(ctx, &directconnect.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: id})
	apiError(t, err, "DirectConnectClientException", "does not exist")
}

func TestGatewayRules(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Quotas: []string{"gateways-per-account=2"}})
	c := dx.DirectConnect(account, region)
	for _, asn := range []int64{64511, 65535, 4199999999, 4294967295, 7224} {
		_, err := c.CreateDirectConnectGateway(ctx, &directconnect.CreateDirectConnectGatewayInput{DirectConnectGatewayName: aws.String("x"), AmazonSideAsn: aws.Int64(asn)})
		apiError(t, err, "DirectConnectClientException", "amazonSideAsn")
	}
	createGateway(t, c, "a", aws.Int64(65534))
	createGateway(t, dx.DirectConnect(account, "eu-west-1"), "b", aws.Int64(4200000000))
	_, err := c.CreateDirectConnectGateway(ctx, &directconnect.CreateDirectConnectGatewayInput{DirectConnectGatewayName: aws.String("c")})
	apiError(t, err, "DirectConnectClientException", "gateways-per-account")
	createGateway(t, dx.DirectConnect(account2, region), "other account", nil)
	_, err = c.DescribeDirectConnectGateways(ctx, &directconnect.DescribeDirectConnectGatewaysInput{DirectConnectGatewayId: aws.String("not-a-uuid")})
	apiError(t, err, "DirectConnectClientException", "invalid format")
}
