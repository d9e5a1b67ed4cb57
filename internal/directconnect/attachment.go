package directconnect

import (
	"context"
	"fmt"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// A Direct Connect gateway attachment is not a resource of its own: it is a
// private or transit virtual interface on a Direct Connect gateway (its
// directConnectGatewayId), and its state follows the VIF's:
//
//	attaching  while the VIF is pending (AWS provisions it)
//	attached   while it is available, down or testing
//	detaching  while it is deleting
//	detached   once it is deleted (listed as long as the VIF is: 15 minutes)
//
// A hosted VIF has no gateway until its owner confirms it to one, so it is
// no attachment while confirming.
var attachmentStates = map[dxapi.VirtualInterfaceState]dxapi.DirectConnectGatewayAttachmentState{
	vifPending:                         dxapi.DirectConnectGatewayAttachmentStateAttaching,
	vifAvailable:                       dxapi.DirectConnectGatewayAttachmentStateAttached,
	vifDown:                            dxapi.DirectConnectGatewayAttachmentStateAttached,
	dxapi.VirtualInterfaceStateTesting: dxapi.DirectConnectGatewayAttachmentStateAttached,
	vifDeleting:                        dxapi.DirectConnectGatewayAttachmentStateDetaching,
	vifDeleted:                         dxapi.DirectConnectGatewayAttachmentStateDetached,
}

var attachmentTypes = map[string]dxapi.DirectConnectGatewayAttachmentType{
	"private": dxapi.DirectConnectGatewayAttachmentTypePrivateVirtualInterface,
	"transit": dxapi.DirectConnectGatewayAttachmentTypeTransitVirtualInterface,
}

// attachment renders a VIF as an attachment, or nil if it is none.
func attachment(o *resource.Object[vif]) *dxapi.DirectConnectGatewayAttachment {
	state, ok := attachmentStates[o.Doc.State]
	if !ok || o.Doc.DXGateway == "" {
		return nil
	}
	return &dxapi.DirectConnectGatewayAttachment{
		DirectConnectGatewayId:       smithy.Ptr(o.Doc.DXGateway),
		VirtualInterfaceId:           smithy.Ptr(o.ID),
		VirtualInterfaceOwnerAccount: smithy.Ptr(o.Account),
		VirtualInterfaceRegion:       smithy.Ptr(o.Region),
		AttachmentState:              smithy.Ptr(state),
		AttachmentType:               smithy.Ptr(attachmentTypes[o.Doc.Type]),
	}
}

// DescribeDirectConnectGatewayAttachments lists the attachments of a
// Direct Connect gateway (its VIFs, from every region), of a VIF, or of
// both; one of them is required. An unknown VIF does not exist, as in
// DescribeVirtualInterfaces; a gateway the caller has no VIFs on is an
// empty list.
func (s *Service) DescribeDirectConnectGatewayAttachments(ctx context.Context, in *dxapi.DescribeDirectConnectGatewayAttachmentsRequest) (*dxapi.DescribeDirectConnectGatewayAttachmentsResult, error) {
	dxgw, vifID := smithy.Deref(in.DirectConnectGatewayId), smithy.Deref(in.VirtualInterfaceId)
	if dxgw == "" && vifID == "" {
		return nil, invalid("Specify a Direct Connect gateway, a virtual interface, or both.")
	}
	if dxgw != "" {
		if err := checkGatewayID(dxgw); err != nil {
			return nil, err
		}
	}
	if vifID != "" {
		if err := checkVifID(vifID); err != nil {
			return nil, err
		}
	}
	list, next, err := pagedView(ctx, s, "DescribeDirectConnectGatewayAttachments", fmt.Sprintf("%q %q", dxgw, vifID), in.MaxResults, in.NextToken,
		func(r store.Reader) ([]*dxapi.DirectConnectGatewayAttachment, error) {
			var candidates []*resource.Object[vif]
			if vifID != "" {
				o, err := vifs.Load(ctx, r, vifID)
				if err != nil {
					return nil, err
				}
				candidates = append(candidates, o)
			} else {
				// A gateway is global: its VIFs are in every region.
				var err error
				if candidates, err = vifs.List(ctx, r, store.ListQuery{VisibleTo: caller.From(ctx).Account}); err != nil {
					return nil, err
				}
			}
			var found []*dxapi.DirectConnectGatewayAttachment
			for _, o := range candidates {
				if a := attachment(o); a != nil && (dxgw == "" || o.Doc.DXGateway == dxgw) {
					found = append(found, a)
				}
			}
			return found, nil
		}, func(a *dxapi.DirectConnectGatewayAttachment) string { return *a.VirtualInterfaceId },
		func(a *dxapi.DirectConnectGatewayAttachment) *dxapi.DirectConnectGatewayAttachment { return a })
	if err != nil {
		return nil, err
	}
	return &dxapi.DescribeDirectConnectGatewayAttachmentsResult{DirectConnectGatewayAttachments: list, NextToken: next}, nil
}
