package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	dx "github.com/aws/aws-sdk-go-v2/service/directconnect"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/directconnect/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/dxlab/dxlab/dxlabtest"
)

const otherAccount = "444455556666"

func ec2Client(in *dxlabtest.Instance, account string) *ec2.Client {
	return ec2.NewFromConfig(in.AWSConfig(account, "us-east-1"), func(o *ec2.Options) { o.BaseEndpoint = aws.String(in.URL) })
}

// wantCode checks that err is an API error with the code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("%s: want %s, got %v", what, code, err)
	}
	if api.ErrorCode() != code {
		t.Fatalf("%s: want %s, got %s: %s", what, code, api.ErrorCode(), api.ErrorMessage())
	}
	if api.ErrorMessage() == "" {
		t.Errorf("%s: %s without a message", what, code)
	}
}

func TestSTSGetCallerIdentity(t *testing.T) {
	in := dxlabtest.New(t, dxlabtest.Options{})
	for _, acct := range []string{account, otherAccount} {
		c := sts.NewFromConfig(in.AWSConfig(acct, "eu-west-1"), func(o *sts.Options) { o.BaseEndpoint = aws.String(in.URL) })
		out, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Account) != acct || aws.ToString(out.Arn) != "arn:aws:iam::"+acct+":root" || aws.ToString(out.UserId) != acct {
			t.Errorf("GetCallerIdentity as %s = %s %s %s", acct, aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
		}
	}
}

func TestEC2VPNGatewayLifecycle(t *testing.T) {
	in := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Instant})
	ctx := context.Background()
	c, other := ec2Client(in, account), ec2Client(in, otherAccount)

	made, err := c.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{
		Type: ec2types.GatewayTypeIpsec1, AmazonSideAsn: aws.Int64(65001),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpnGateway,
			Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("edge")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(made.VpnGateway.VpnGatewayId)
	if !strings.HasPrefix(id, "vgw-") || len(id) != 21 || made.VpnGateway.State != ec2types.VpnStateAvailable {
		t.Fatalf("CreateVpnGateway = %s %s", id, made.VpnGateway.State)
	}
	describe := func(c *ec2.Client) (ec2types.VpnGateway, error) {
		out, err := c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{VpnGatewayIds: []string{id}})
		if err != nil {
			return ec2types.VpnGateway{}, err
		}
		if len(out.VpnGateways) != 1 {
			t.Fatalf("DescribeVpnGateways(%s) gave %d", id, len(out.VpnGateways))
		}
		return out.VpnGateways[0], nil
	}
	g, err := describe(c)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt64(g.AmazonSideAsn) != 65001 || len(g.Tags) != 1 || aws.ToString(g.Tags[0].Value) != "edge" || g.Type != ec2types.GatewayTypeIpsec1 {
		t.Errorf("described %+v", g)
	}
	// Another account does not see it, by id or in its list.
	_, err = describe(other)
	wantCode(t, "another account's describe", err, "InvalidVpnGatewayID.NotFound")
	if out, err := other.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{}); err != nil || len(out.VpnGateways) != 0 {
		t.Errorf("another account lists %v, %v", out, err)
	}
	// Direct Connect sees it as the owner's virtual gateway.
	vgws, err := in.DirectConnect(account, "us-east-1").DescribeVirtualGateways(ctx, &dx.DescribeVirtualGatewaysInput{})
	if err != nil || len(vgws.VirtualGateways) != 1 || aws.ToString(vgws.VirtualGateways[0].VirtualGatewayId) != id {
		t.Errorf("Direct Connect's DescribeVirtualGateways = %+v, %v", vgws, err)
	}

	vpc := "vpc-0123456789abcdef0"
	if _, err := c.AttachVpnGateway(ctx, &ec2.AttachVpnGatewayInput{VpcId: aws.String(vpc), VpnGatewayId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachVpnGateway(ctx, &ec2.AttachVpnGatewayInput{VpcId: aws.String("vpc-0123456789abcdef1"), VpnGatewayId: aws.String(id)})
	wantCode(t, "attaching a second VPC", err, "VpnGatewayAttachmentLimitExceeded")
	if g, _ = describe(c); len(g.VpcAttachments) != 1 || g.VpcAttachments[0].State != ec2types.AttachmentStatusAttached {
		t.Errorf("after attach: %+v", g.VpcAttachments)
	}
	filtered, err := c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{Filters: []ec2types.Filter{
		{Name: aws.String("attachment.vpc-id"), Values: []string{vpc}}, {Name: aws.String("tag:Name"), Values: []string{"ed*"}}}})
	if err != nil || len(filtered.VpnGateways) != 1 {
		t.Errorf("filtered by VPC and tag: %v, %v", filtered, err)
	}
	_, err = c.DeleteVpnGateway(ctx, &ec2.DeleteVpnGatewayInput{VpnGatewayId: aws.String(id)})
	wantCode(t, "deleting an attached VGW", err, "IncorrectState")
	if _, err := c.DetachVpnGateway(ctx, &ec2.DetachVpnGatewayInput{VpcId: aws.String(vpc), VpnGatewayId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DetachVpnGateway(ctx, &ec2.DetachVpnGatewayInput{VpcId: aws.String(vpc), VpnGatewayId: aws.String(id)})
	wantCode(t, "detaching twice", err, "InvalidVpnGatewayAttachment.NotFound")
	if g, _ = describe(c); len(g.VpcAttachments) != 1 || g.VpcAttachments[0].State != ec2types.AttachmentStatusDetached {
		t.Errorf("after detach: %+v", g.VpcAttachments)
	}
	// Tags: overwrite, add, delete by key alone.
	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{
		{Key: aws.String("Name"), Value: aws.String("core")}, {Key: aws.String("team"), Value: aws.String("net")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("team")}}}); err != nil {
		t.Fatal(err)
	}
	if g, _ = describe(c); len(g.Tags) != 1 || aws.ToString(g.Tags[0].Value) != "core" {
		t.Errorf("tags after CreateTags/DeleteTags: %+v", g.Tags)
	}
	_, err = other.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("x"), Value: aws.String("y")}}})
	wantCode(t, "tagging another account's VGW", err, "InvalidVpnGatewayID.NotFound")
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	wantCode(t, "a reserved tag key", err, "InvalidParameterValue")

	if _, err := c.DeleteVpnGateway(ctx, &ec2.DeleteVpnGatewayInput{VpnGatewayId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = describe(c)
	wantCode(t, "describing a deleted VGW", err, "InvalidVpnGatewayID.NotFound")
	_, err = c.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{VpnGatewayIds: []string{"vgw-nothex"}})
	wantCode(t, "a malformed id", err, "InvalidVpnGatewayID.Malformed")
}

func TestEC2TransitGatewayAndDirectConnectAttachment(t *testing.T) {
	in := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Instant})
	ctx := context.Background()
	c := ec2Client(in, account)
	made, err := c.CreateTransitGateway(ctx, &ec2.CreateTransitGatewayInput{
		Description: aws.String("hub"),
		Options: &ec2types.TransitGatewayRequestOptions{AmazonSideAsn: aws.Int64(64600), MulticastSupport: ec2types.MulticastSupportValueDisable,
			DnsSupport: ec2types.DnsSupportValueEnable, TransitGatewayCidrBlocks: []string{"10.99.0.0/24"}},
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeTransitGateway,
			Tags: []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tgw := made.TransitGateway
	id := aws.ToString(tgw.TransitGatewayId)
	if tgw.State != ec2types.TransitGatewayStateAvailable || aws.ToString(tgw.OwnerId) != account ||
		aws.ToString(tgw.TransitGatewayArn) != "arn:aws:ec2:us-east-1:"+account+":transit-gateway/"+id {
		t.Fatalf("CreateTransitGateway = %+v", tgw)
	}
	if tgw.CreationTime == nil || !tgw.CreationTime.Equal(in.Clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("creation time %v, want dxlab's now", tgw.CreationTime)
	}
	o := tgw.Options
	if aws.ToInt64(o.AmazonSideAsn) != 64600 || o.MulticastSupport != ec2types.MulticastSupportValueDisable ||
		o.DefaultRouteTableAssociation != ec2types.DefaultRouteTableAssociationValueEnable ||
		!strings.HasPrefix(aws.ToString(o.AssociationDefaultRouteTableId), "tgw-rtb-") || len(o.TransitGatewayCidrBlocks) != 1 {
		t.Errorf("options %+v", o)
	}
	// Another account, and the owner from another region, do not see it,
	// cannot change, tag or delete it, and list nothing of it.
	otherRegion := ec2.NewFromConfig(in.AWSConfig(account, "eu-west-1"), func(o *ec2.Options) { o.BaseEndpoint = aws.String(in.URL) })
	for who, o := range map[string]*ec2.Client{"another account": ec2Client(in, otherAccount), "another region": otherRegion} {
		_, err := o.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: []string{id}})
		wantCode(t, who+" describing", err, "InvalidTransitGatewayID.NotFound")
		_, err = o.ModifyTransitGateway(ctx, &ec2.ModifyTransitGatewayInput{TransitGatewayId: aws.String(id), Description: aws.String("mine")})
		wantCode(t, who+" modifying", err, "InvalidTransitGatewayID.NotFound")
		_, err = o.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("x"), Value: aws.String("y")}}})
		wantCode(t, who+" tagging", err, "InvalidTransitGatewayID.NotFound")
		_, err = o.DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: aws.String(id)})
		wantCode(t, who+" deleting", err, "InvalidTransitGatewayID.NotFound")
		if l, err := o.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{}); err != nil || len(l.TransitGateways) != 0 {
			t.Errorf("%s lists %+v, %v", who, l, err)
		}
		if l, err := o.DescribeTags(ctx, &ec2.DescribeTagsInput{}); err != nil || len(l.Tags) != 0 {
			t.Errorf("%s lists tags %+v, %v", who, l, err)
		}
	}
	_, err = c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"tgw-attach-0123456789abcdef0"}, Tags: []ec2types.Tag{{Key: aws.String("x"), Value: aws.String("y")}}})
	wantCode(t, "tagging what dxlab does not tag", err, "InvalidID")

	mod, err := c.ModifyTransitGateway(ctx, &ec2.ModifyTransitGatewayInput{TransitGatewayId: aws.String(id), Description: aws.String("hub 2"),
		Options: &ec2types.ModifyTransitGatewayOptions{EncryptionSupport: ec2types.EncryptionSupportOptionValueEnable}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(mod.TransitGateway.Description) != "hub 2" || mod.TransitGateway.Options.EncryptionSupport == nil ||
		mod.TransitGateway.Options.EncryptionSupport.EncryptionState != ec2types.EncryptionStateValueEnabled {
		t.Errorf("ModifyTransitGateway = %+v", mod.TransitGateway)
	}
	byFilter, err := c.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{Filters: []ec2types.Filter{
		{Name: aws.String("state"), Values: []string{"available"}}, {Name: aws.String("tag:env"), Values: []string{"te?t"}}}})
	if err != nil || len(byFilter.TransitGateways) != 1 {
		t.Errorf("DescribeTransitGateways by state and tag = %+v, %v", byFilter, err)
	}
	if none, err := c.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{Filters: []ec2types.Filter{
		{Name: aws.String("options.amazon-side-asn"), Values: []string{"64512"}}}}); err != nil || len(none.TransitGateways) != 0 {
		t.Errorf("DescribeTransitGateways by another ASN = %+v, %v", none, err)
	}
	_, err = c.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{Filters: []ec2types.Filter{{Name: aws.String("colour"), Values: []string{"red"}}}})
	wantCode(t, "an unknown filter", err, "InvalidParameterValue")
	tags, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{id}}}})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" || tags.Tags[0].ResourceType != ec2types.ResourceTypeTransitGateway {
		t.Errorf("DescribeTags = %+v, %v", tags, err)
	}

	// A Direct Connect gateway association with the TGW is, to EC2, an attachment.
	d := in.DirectConnect(account, "us-east-1")
	gw, err := d.CreateDirectConnectGateway(ctx, &dx.CreateDirectConnectGatewayInput{DirectConnectGatewayName: aws.String("g"), AmazonSideAsn: aws.Int64(64512)})
	if err != nil {
		t.Fatal(err)
	}
	gwID := aws.ToString(gw.DirectConnectGateway.DirectConnectGatewayId)
	assoc, err := d.CreateDirectConnectGatewayAssociation(ctx, &dx.CreateDirectConnectGatewayAssociationInput{DirectConnectGatewayId: aws.String(gwID), GatewayId: aws.String(id),
		AddAllowedPrefixesToDirectConnectGateway: []dxtypes.RouteFilterPrefix{{Cidr: aws.String("10.99.0.0/24")}}})
	if err != nil {
		t.Fatal(err)
	}
	filters := []ec2types.Filter{{Name: aws.String("resource-type"), Values: []string{"direct-connect-gateway"}},
		{Name: aws.String("resource-id"), Values: []string{gwID}}, {Name: aws.String("transit-gateway-id"), Values: []string{id}}}
	atts, err := c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{Filters: filters})
	if err != nil || len(atts.TransitGatewayAttachments) != 1 {
		t.Fatalf("DescribeTransitGatewayAttachments = %+v, %v", atts, err)
	}
	att := atts.TransitGatewayAttachments[0]
	if !strings.HasPrefix(aws.ToString(att.TransitGatewayAttachmentId), "tgw-attach-") || att.ResourceType != ec2types.TransitGatewayAttachmentResourceTypeDirectConnectGateway ||
		aws.ToString(att.ResourceOwnerId) != account {
		t.Errorf("attachment %+v", att)
	}
	byID, err := c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{TransitGatewayAttachmentIds: []string{aws.ToString(att.TransitGatewayAttachmentId)}})
	if err != nil || len(byID.TransitGatewayAttachments) != 1 {
		t.Errorf("the attachment by id: %+v, %v", byID, err)
	}
	_, err = c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{TransitGatewayAttachmentIds: []string{"tgw-attach-00000000000000000"}})
	wantCode(t, "an attachment that is not there", err, "InvalidTransitGatewayAttachmentID.NotFound")
	_, err = c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{MaxResults: aws.Int32(2)})
	wantCode(t, "a page of 2", err, "InvalidParameterValue")
	if other, err := ec2Client(in, otherAccount).DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{Filters: filters}); err != nil || len(other.TransitGatewayAttachments) != 0 {
		t.Errorf("another account sees %+v, %v", other, err)
	}
	_, err = c.DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: aws.String(id)})
	wantCode(t, "deleting a TGW with an association", err, "IncorrectState")

	if _, err := d.DeleteDirectConnectGatewayAssociation(ctx, &dx.DeleteDirectConnectGatewayAssociationInput{
		AssociationId: assoc.DirectConnectGatewayAssociation.AssociationId}); err != nil {
		t.Fatal(err)
	}
	if atts, err = c.DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{Filters: filters}); err != nil || len(atts.TransitGatewayAttachments) != 0 {
		t.Fatalf("after disassociation: %+v, %v", atts, err)
	}
	del, err := c.DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: aws.String(id)})
	if err != nil || del.TransitGateway.State != ec2types.TransitGatewayStateDeleting {
		t.Fatalf("DeleteTransitGateway = %+v, %v", del, err)
	}
	_, err = c.DescribeTransitGateways(ctx, &ec2.DescribeTransitGatewaysInput{TransitGatewayIds: []string{id}})
	wantCode(t, "describing a deleted TGW", err, "InvalidTransitGatewayID.NotFound")
}

// TestQueryProtocolRefusals sends what no SDK would: each is refused with
// EC2's or STS's error shape and code.
func TestQueryProtocolRefusals(t *testing.T) {
	in := dxlabtest.New(t, dxlabtest.Options{})
	post := func(service string, form url.Values) (int, string) {
		resp, body := in.Raw("POST", "/", map[string]string{
			"Content-Type":  "application/x-www-form-urlencoded; charset=utf-8",
			"Authorization": dxlabtest.SigV4(account, "us-east-1", service),
		}, []byte(form.Encode()))
		return resp.StatusCode, string(body)
	}
	for _, c := range []struct {
		name, service string
		form          url.Values
		status        int
		want          string
	}{
		{"unknown action", "ec2", url.Values{"Action": {"RunInstances"}, "Version": {"2016-11-15"}}, 400, "<Response><Errors><Error><Code>InvalidAction</Code>"},
		{"no action", "ec2", url.Values{"Version": {"2016-11-15"}}, 400, "<Code>MissingAction</Code>"},
		{"wrong version", "ec2", url.Values{"Action": {"DescribeVpnGateways"}, "Version": {"2012-01-01"}}, 400, "<Code>NoSuchVersion</Code>"},
		{"not a number", "ec2", url.Values{"Action": {"CreateVpnGateway"}, "Version": {"2016-11-15"}, "Type": {"ipsec.1"}, "AmazonSideAsn": {"many"}}, 400,
			"<Code>InvalidParameterValue</Code><Message>Value (many) for parameter AmazonSideAsn is invalid. Expected an integer.</Message>"},
		{"missing type", "ec2", url.Values{"Action": {"CreateVpnGateway"}, "Version": {"2016-11-15"}}, 400, "<Code>MissingParameter</Code>"},
		{"dry run", "ec2", url.Values{"Action": {"DescribeVpnGateways"}, "Version": {"2016-11-15"}, "DryRun": {"true"}}, 400, "<Code>DryRunOperation</Code>"},
		{"unknown filter", "ec2", url.Values{"Action": {"DescribeVpnGateways"}, "Version": {"2016-11-15"}, "Filter.1.Name": {"colour"}, "Filter.1.Value.1": {"red"}}, 400,
			"<Code>InvalidParameterValue</Code>"},
		{"sts unknown action", "sts", url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}}, 400,
			"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"},
		{"sts", "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}, 200,
			"<GetCallerIdentityResult><Arn>arn:aws:iam::" + account + ":root</Arn>"},
	} {
		status, body := post(c.service, c.form)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s; want %d and %s", c.name, status, body, c.status, c.want)
		}
	}
	// No change was made by any of them.
	out, err := ec2Client(in, account).DescribeVpnGateways(context.Background(), &ec2.DescribeVpnGatewaysInput{})
	if err != nil || len(out.VpnGateways) != 0 {
		t.Errorf("after refusals: %+v, %v", out, err)
	}
	if resp, _ := in.Raw("GET", "/?Action=DescribeVpnGateways&Version=2016-11-15", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET answered %d", resp.StatusCode)
	}
}
