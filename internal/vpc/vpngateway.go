package vpc

// A VPN gateway (VGW), as EC2 serves it. Created available (EC2's own
// pending phase is not simulated); its VPC attachment likewise:
//
//	available -> (deleted)          DeleteVpnGateway, once no VPC is attached
//	attachment: attached -> detached   AttachVpnGateway, DetachVpnGateway
//
// A VGW Direct Connect registered on first use is the same record.

import (
	"context"
	"strconv"

	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/resource"
)

const (
	stateAvailable = "available"
	stateAttached  = "attached"
	stateDetached  = "detached"
	stateDeleting  = "deleting"
)

func stateOr(s string) string {
	if s == "" {
		return stateAvailable
	}
	return s
}

func apiVGW(o *resource.Object[Gateway]) ec2api.VpnGateway {
	g := o.Doc
	out := ec2api.VpnGateway{
		VpnGatewayID: o.ID, State: stateOr(g.State), Type: "ipsec.1", AvailabilityZone: g.Zone,
		AmazonSideAsn: g.ASN, Tags: apiTags(g.Tags),
	}
	for _, a := range g.VPCs {
		out.Attachments = append(out.Attachments, ec2api.VpcAttachment{VpcID: a.VPC, State: a.State})
	}
	return out
}

// attached is the VPC a VGW is attached to, or "".
func (g *Gateway) attached() string {
	for _, a := range g.VPCs {
		if a.State == stateAttached {
			return a.VPC
		}
	}
	return ""
}

// CreateVpnGateway creates a VGW of the caller's, available at once. Its
// Amazon side ASN is the one asked for or 64512; its VPC's CIDR (what a
// Direct Connect gateway association allows by default) is DefaultCIDR.
func (e *EC2) CreateVpnGateway(ctx context.Context, in *ec2api.CreateVpnGatewayInput) (*ec2api.CreateVpnGatewayOutput, error) {
	if in.Type == "" {
		return nil, missingParameter("Type")
	}
	if in.Type != "ipsec.1" {
		return nil, invalidValue("Value (%s) for parameter type is invalid. Valid value is ipsec.1.", limits.Echo(in.Type))
	}
	asn := int64(DefaultASN)
	if in.AmazonSideAsn != nil {
		asn = *in.AmazonSideAsn
		if !privateASN(asn) {
			return nil, invalidValue("The amazonSideAsn %d is invalid: use a private ASN, 64512-65534 or 4200000000-4294967294.", asn)
		}
	}
	tags, err := creationTags(in.TagSpecifications, ec2VGW.resourceType)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	who := caller.From(ctx)
	var out ec2api.VpnGateway
	err = e.update(ctx, func(tx *resource.Tx) error {
		o, err := vgws.Create(ctx, tx, resource.Meta{Account: who.Account, Region: who.Region},
			&Gateway{ASN: asn, CIDRs: []string{DefaultCIDR}, Registered: tx.Now(), Zone: in.AvailabilityZone, Tags: tags},
			func() string { return newEC2ID("vgw") })
		if err == nil {
			out = apiVGW(o)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.CreateVpnGatewayOutput{VpnGateway: out}, nil
}

func privateASN(asn int64) bool {
	return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294)
}

// DescribeVpnGateways lists the caller's VGWs of its region, or those
// named (every one must exist), that match the filters.
func (e *EC2) DescribeVpnGateways(ctx context.Context, in *ec2api.DescribeVpnGatewaysInput) (*ec2api.DescribeVpnGatewaysOutput, error) {
	q := describeQuery{ids: in.VpnGatewayIDs, filters: in.Filters, dryRun: in.DryRun}
	list, err := ec2VGW.describe(ctx, e.Store, q,
		[]string{"vpn-gateway-id", "state", "type", "availability-zone", "amazon-side-asn", "attachment.vpc-id", "attachment.state"},
		func(o *resource.Object[Gateway]) map[string][]string {
			attrs := map[string][]string{
				"vpn-gateway-id": {o.ID}, "state": {stateOr(o.Doc.State)}, "type": {"ipsec.1"},
				"availability-zone": {o.Doc.Zone}, "amazon-side-asn": {strconv.FormatInt(o.Doc.ASN, 10)},
			}
			for _, a := range o.Doc.VPCs {
				attrs["attachment.vpc-id"] = append(attrs["attachment.vpc-id"], a.VPC)
				attrs["attachment.state"] = append(attrs["attachment.state"], a.State)
			}
			return attrs
		})
	if err != nil {
		return nil, err
	}
	out := &ec2api.DescribeVpnGatewaysOutput{VpnGateways: []ec2api.VpnGateway{}}
	for _, o := range list {
		out.VpnGateways = append(out.VpnGateways, apiVGW(o))
	}
	return out, nil
}

func checkVPCID(id string) error {
	if id == "" {
		return missingParameter("VpcId")
	}
	if !vpcIDPattern.MatchString(id) {
		return fault.Coded(fault.Invalid, "InvalidVpcID.Malformed", "Invalid id: \"%s\" (expecting \"vpc-...\")", limits.Echo(id))
	}
	return nil
}

// changeAttachment checks an Attach or DetachVpnGateway request and
// applies change to its VGW's attachments, saving the VGW if it changed.
func (e *EC2) changeAttachment(ctx context.Context, in *ec2api.VpnGatewayVpcInput, change func(g *resource.Object[Gateway]) (bool, error)) error {
	if err := checkVPCID(in.VpcID); err != nil {
		return err
	}
	if err := ec2VGW.check(in.VpnGatewayID); err != nil {
		return err
	}
	if err := dryRun(in.DryRun); err != nil {
		return err
	}
	return e.update(ctx, func(tx *resource.Tx) error {
		o, err := ec2VGW.load(ctx, tx.Reader(), in.VpnGatewayID)
		if err != nil {
			return err
		}
		if changed, err := change(o); err != nil || !changed {
			return err
		}
		return vgws.Save(ctx, tx, o)
	})
}

// AttachVpnGateway attaches a VGW to a VPC: any well-formed VPC id, as
// dxlab keeps no VPCs. A VGW is attached to one VPC at a time; attaching it
// to the one it is attached to again changes nothing.
func (e *EC2) AttachVpnGateway(ctx context.Context, in *ec2api.VpnGatewayVpcInput) (*ec2api.AttachVpnGatewayOutput, error) {
	err := e.changeAttachment(ctx, in, func(o *resource.Object[Gateway]) (bool, error) {
		switch vpc := o.Doc.attached(); vpc {
		case in.VpcID:
			return false, nil
		case "":
		default:
			return false, fault.Coded(fault.LimitExceeded, "VpnGatewayAttachmentLimitExceeded",
				"The VPN gateway %s is already attached to %s: detach it first.", o.ID, vpc)
		}
		// Detached attachments of other VPCs are forgotten once the VGW is
		// attached again.
		o.Doc.VPCs = []VPCAttachment{{VPC: in.VpcID, State: stateAttached}}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.AttachVpnGatewayOutput{Attachment: ec2api.VpcAttachment{VpcID: in.VpcID, State: stateAttached}}, nil
}

// DetachVpnGateway detaches a VGW from the VPC it is attached to; the
// attachment stays listed as detached.
func (e *EC2) DetachVpnGateway(ctx context.Context, in *ec2api.VpnGatewayVpcInput) (*ec2api.Return, error) {
	err := e.changeAttachment(ctx, in, func(o *resource.Object[Gateway]) (bool, error) {
		if o.Doc.attached() != in.VpcID {
			return false, fault.Coded(fault.NotFound, "InvalidVpnGatewayAttachment.NotFound",
				"The attachment with vpn gateway ID '%s' and vpc ID '%s' does not exist", o.ID, in.VpcID)
		}
		o.Doc.VPCs = []VPCAttachment{{VPC: in.VpcID, State: stateDetached}}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.Return{Return: true}, nil
}

// DeleteVpnGateway deletes a VGW that no VPC is attached to. It is gone at
// once: describing it by id answers InvalidVpnGatewayID.NotFound.
func (e *EC2) DeleteVpnGateway(ctx context.Context, in *ec2api.DeleteVpnGatewayInput) (*ec2api.Return, error) {
	if err := ec2VGW.check(in.VpnGatewayID); err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	err := e.update(ctx, func(tx *resource.Tx) error {
		o, err := ec2VGW.load(ctx, tx.Reader(), in.VpnGatewayID)
		if err != nil {
			return err
		}
		if vpc := o.Doc.attached(); vpc != "" {
			return fault.Coded(fault.Conflict, ec2api.ErrIncorrectState,
				"The VPN gateway %s is attached to %s: detach it before deleting it.", o.ID, vpc)
		}
		return vgws.Delete(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.Return{Return: true}, nil
}
