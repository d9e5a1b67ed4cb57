package vpc

// A transit gateway attachment of type direct-connect-gateway is not a
// record of its own: it is a Direct Connect gateway association with a TGW,
// as EC2 shows it to the TGW's owner and to the Direct Connect gateway's, its id derived from the
// association's. Its state follows the association's:
//
//	associating -> pending, associated -> available, updating -> modifying,
//	disassociating -> deleting; a disassociated association has none.

import (
	"context"

	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/store"
)

var attachmentStates = map[string]string{
	"associating": "pending", "associated": "available", "updating": "modifying", "disassociating": "deleting",
}

// DescribeTransitGatewayAttachments lists the attachments the caller owns
// either side of (the TGW, or the Direct Connect gateway: the resource
// owner), those named (every one of which must exist) that match the
// filters, in one page.
func (e *EC2) DescribeTransitGatewayAttachments(ctx context.Context, in *ec2api.DescribeTransitGatewayAttachmentsInput) (*ec2api.DescribeTransitGatewayAttachmentsOutput, error) {
	filters := filterSet(in.Filters)
	if err := filters.check("transit-gateway-attachment-id", "transit-gateway-id", "transit-gateway-owner-id",
		"resource-type", "resource-id", "resource-owner-id", "state", "association.state", "tag-key"); err != nil {
		return nil, err
	}
	if err := checkMaxResults(in.MaxResults); err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	var list []DXAssociation
	err := e.Store.View(ctx, func(r store.Reader) (err error) {
		list, err = e.associations(ctx, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	byID := map[string]ec2api.TransitGatewayAttachment{}
	var order []string
	for _, a := range list {
		state, ok := attachmentStates[a.State]
		if !ok {
			continue
		}
		id := attachmentID(a)
		att := ec2api.TransitGatewayAttachment{
			TransitGatewayAttachmentID: id, TransitGatewayID: a.TGW, TransitGatewayOwnerID: a.TGWOwner,
			ResourceOwnerID: a.DXGatewayOwner, ResourceType: "direct-connect-gateway", ResourceID: a.DXGateway,
			State: state, CreationTime: ec2api.Timestamp(a.Created),
			Association: &ec2api.TransitGatewayAttachmentAssociation{
				TransitGatewayRouteTableID: derivedID("tgw-rtb", a.TGW), State: "associated",
			},
		}
		attrs := map[string][]string{
			"transit-gateway-attachment-id": {id}, "transit-gateway-id": {a.TGW}, "transit-gateway-owner-id": {a.TGWOwner},
			"resource-type": {att.ResourceType}, "resource-id": {a.DXGateway}, "resource-owner-id": {a.DXGatewayOwner},
			"state": {state}, "association.state": {"associated"},
		}
		if filters.match(attrs, nil) {
			byID[id] = att
			order = append(order, id)
		}
	}
	out := &ec2api.DescribeTransitGatewayAttachmentsOutput{TransitGatewayAttachments: []ec2api.TransitGatewayAttachment{}}
	if len(in.TransitGatewayAttachmentIDs) == 0 {
		for _, id := range order {
			out.TransitGatewayAttachments = append(out.TransitGatewayAttachments, byID[id])
		}
		return out, nil
	}
	for _, id := range dedupe(in.TransitGatewayAttachmentIDs) {
		att, ok := byID[id]
		if !ok {
			return nil, attachmentNotFound(id)
		}
		out.TransitGatewayAttachments = append(out.TransitGatewayAttachments, att)
	}
	return out, nil
}

func attachmentNotFound(id string) error {
	return fault.Coded(fault.NotFound, "InvalidTransitGatewayAttachmentID.NotFound", "Transit Gateway Attachment %s was deleted or does not exist.", limits.Echo(id))
}

// attachmentID is the attachment id of an association: derived from the
// association's, the same every time.
func attachmentID(a DXAssociation) string { return derivedID("tgw-attach", a.ID) }

// associations lists the caller's transit gateway associations, read
// through r; none when Direct Connect is not there to ask.
func (e *EC2) associations(ctx context.Context, r store.Reader) ([]DXAssociation, error) {
	if e.DirectConnect == nil {
		return nil, nil
	}
	return e.DirectConnect.TransitGatewayAssociations(ctx, r)
}
