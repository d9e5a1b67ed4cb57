package directconnect_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

// A cross-account association with a TGW is, to EC2, an attachment both
// sides list: the TGW's owner and the Direct Connect gateway's owner (the
// attached resource's), as which Terraform reads it after accepting the
// proposal. Nobody else sees it.
func TestTransitGatewayAttachmentOfACrossAccountAssociation(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	owner, proposer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	gw := createGateway(t, owner, "shared", aws.Int64(64800))
	tgw := "tgw-0123456789abcdef0"
	p := proposalMust(t, proposer, gw, tgw, "10.30.0.0/16")
	if _, err := owner.AcceptDirectConnectGatewayAssociationProposal(ctx, &directconnect.AcceptDirectConnectGatewayAssociationProposalInput{
		DirectConnectGatewayId: gw.DirectConnectGatewayId, ProposalId: p.ProposalId, AssociatedGatewayOwnerAccount: aws.String(account2)}); err != nil {
		t.Fatal(err)
	}
	filters := []ec2types.Filter{{Name: aws.String("resource-type"), Values: []string{"direct-connect-gateway"}},
		{Name: aws.String("resource-id"), Values: []string{aws.ToString(gw.DirectConnectGatewayId)}},
		{Name: aws.String("transit-gateway-id"), Values: []string{tgw}}}
	var ids []string
	for _, who := range []string{account2, account} {
		out, err := ec2.NewFromConfig(dx.AWSConfig(who, region)).DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{Filters: filters})
		if err != nil || len(out.TransitGatewayAttachments) != 1 {
			t.Fatalf("%s: DescribeTransitGatewayAttachments = %+v, %v", who, out, err)
		}
		a := out.TransitGatewayAttachments[0]
		if aws.ToString(a.TransitGatewayOwnerId) != account2 || aws.ToString(a.ResourceOwnerId) != account {
			t.Errorf("%s sees %+v", who, a)
		}
		ids = append(ids, aws.ToString(a.TransitGatewayAttachmentId))
	}
	if ids[0] != ids[1] {
		t.Errorf("the two sides see attachments %v", ids)
	}
	// The TGW cannot be deleted while the association uses it; to the
	// gateway's owner, who sees the attachment but not the TGW, it does not
	// exist.
	_, err := ec2.NewFromConfig(dx.AWSConfig(account2, region)).DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: aws.String(tgw)})
	apiError(t, err, "IncorrectState", ids[0])
	_, err = ec2.NewFromConfig(dx.AWSConfig(account, region)).DeleteTransitGateway(ctx, &ec2.DeleteTransitGatewayInput{TransitGatewayId: aws.String(tgw)})
	apiError(t, err, "InvalidTransitGatewayID.NotFound", tgw)
	for _, c := range []struct{ account, region string }{{"999988887777", region}, {account, "us-west-2"}} {
		out, err := ec2.NewFromConfig(dx.AWSConfig(c.account, c.region)).DescribeTransitGatewayAttachments(ctx, &ec2.DescribeTransitGatewayAttachmentsInput{Filters: filters})
		if err != nil || len(out.TransitGatewayAttachments) != 0 {
			t.Errorf("%s in %s sees %+v, %v", c.account, c.region, out, err)
		}
	}
}
