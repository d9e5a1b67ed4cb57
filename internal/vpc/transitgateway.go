package vpc

// A transit gateway (TGW), as EC2 serves it. Created available, modified
// at once (EC2's pending and modifying phases are not simulated):
//
//	available -> (deleted)   DeleteTransitGateway, once no Direct Connect
//	                         gateway association uses it
//
// A TGW Direct Connect registered on first use is the same record, with
// EC2's default options.

import (
	"context"
	"net/netip"
	"slices"
	"strconv"

	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/resource"
)

// TGWOptions are a TGW's options but its ASN (Gateway.ASN), each "enable"
// or "disable".
type TGWOptions struct {
	AutoAcceptSharedAttachments     string   `json:"autoAccept"`
	DefaultRouteTableAssociation    string   `json:"association"`
	DefaultRouteTablePropagation    string   `json:"propagation"`
	DNSSupport                      string   `json:"dns"`
	MulticastSupport                string   `json:"multicast"`
	SecurityGroupReferencingSupport string   `json:"sgReferencing"`
	VpnEcmpSupport                  string   `json:"vpnEcmp"`
	EncryptionSupport               string   `json:"encryption,omitempty"`
	CIDRs                           []string `json:"cidrs,omitempty"`
}

// defaultTGWOptions are EC2's.
func defaultTGWOptions() *TGWOptions {
	return &TGWOptions{
		AutoAcceptSharedAttachments: "disable", DefaultRouteTableAssociation: "enable", DefaultRouteTablePropagation: "enable",
		DNSSupport: "enable", MulticastSupport: "disable", SecurityGroupReferencingSupport: "disable", VpnEcmpSupport: "enable",
	}
}

// setOption sets one enable/disable option when the request names it.
func setOption(dst *string, name, value string) error {
	switch value {
	case "":
		return nil
	case "enable", "disable":
		*dst = value
		return nil
	}
	return invalidValue("Value (%s) for parameter %s is invalid. Valid values are enable, disable.", limits.Echo(value), name)
}

func checkCIDRs(list []string) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, c := range list {
		p, err := netip.ParsePrefix(c)
		if err != nil || p.Masked() != p {
			return nil, invalidValue("%s is not a valid CIDR block.", limits.Echo(c))
		}
		out = append(out, p.String())
	}
	return out, nil
}

func apiTGW(o *resource.Object[Gateway]) ec2api.TransitGateway {
	g := o.Doc
	opts := g.Options
	if opts == nil {
		opts = defaultTGWOptions()
	}
	out := ec2api.TransitGateway{
		TransitGatewayID:  o.ID,
		TransitGatewayArn: "arn:aws:ec2:" + o.Region + ":" + o.Account + ":transit-gateway/" + o.ID,
		State:             stateOr(g.State),
		OwnerID:           o.Account,
		Description:       g.Description,
		CreationTime:      ec2api.Timestamp(g.Registered),
		Options: ec2api.TransitGatewayOptions{
			AmazonSideAsn: g.ASN, TransitGatewayCidrBlocks: opts.CIDRs,
			AutoAcceptSharedAttachments: opts.AutoAcceptSharedAttachments, DefaultRouteTableAssociation: opts.DefaultRouteTableAssociation,
			DefaultRouteTablePropagation: opts.DefaultRouteTablePropagation, VpnEcmpSupport: opts.VpnEcmpSupport,
			DNSSupport: opts.DNSSupport, SecurityGroupReferencingSupport: opts.SecurityGroupReferencingSupport,
			MulticastSupport: opts.MulticastSupport,
		},
		Tags: apiTags(g.Tags),
	}
	// The default route table exists while either default is enabled.
	if opts.DefaultRouteTableAssociation == "enable" || opts.DefaultRouteTablePropagation == "enable" {
		table := derivedID("tgw-rtb", o.ID)
		if opts.DefaultRouteTableAssociation == "enable" {
			out.Options.AssociationDefaultRouteTableID = table
		}
		if opts.DefaultRouteTablePropagation == "enable" {
			out.Options.PropagationDefaultRouteTableID = table
		}
	}
	if opts.EncryptionSupport != "" {
		out.Options.EncryptionSupport = &ec2api.EncryptionSupport{EncryptionState: opts.EncryptionSupport + "d"}
	}
	return out
}

// CreateTransitGateway creates a TGW of the caller's, available at once.
func (e *EC2) CreateTransitGateway(ctx context.Context, in *ec2api.CreateTransitGatewayInput) (*ec2api.TransitGatewayOutput, error) {
	opts := defaultTGWOptions()
	o := in.Options
	for _, set := range []struct {
		dst         *string
		name, value string
	}{
		{&opts.AutoAcceptSharedAttachments, "AutoAcceptSharedAttachments", o.AutoAcceptSharedAttachments},
		{&opts.DefaultRouteTableAssociation, "DefaultRouteTableAssociation", o.DefaultRouteTableAssociation},
		{&opts.DefaultRouteTablePropagation, "DefaultRouteTablePropagation", o.DefaultRouteTablePropagation},
		{&opts.DNSSupport, "DnsSupport", o.DNSSupport},
		{&opts.MulticastSupport, "MulticastSupport", o.MulticastSupport},
		{&opts.SecurityGroupReferencingSupport, "SecurityGroupReferencingSupport", o.SecurityGroupReferencingSupport},
		{&opts.VpnEcmpSupport, "VpnEcmpSupport", o.VpnEcmpSupport},
	} {
		if err := setOption(set.dst, set.name, set.value); err != nil {
			return nil, err
		}
	}
	asn := int64(DefaultASN)
	if o.AmazonSideAsn != nil {
		asn = *o.AmazonSideAsn
		if !privateASN(asn) {
			return nil, invalidValue("The amazonSideAsn %d is invalid: use a private ASN, 64512-65534 or 4200000000-4294967294.", asn)
		}
	}
	cidrs, err := checkCIDRs(o.TransitGatewayCidrBlocks)
	if err != nil {
		return nil, err
	}
	opts.CIDRs = cidrs
	if len(in.Description) > 255 {
		return nil, invalidValue("The description is longer than 255 characters.")
	}
	tags, err := creationTags(in.TagSpecifications, ec2TGW.resourceType)
	if err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	who := caller.From(ctx)
	var out ec2api.TransitGateway
	err = e.update(ctx, func(tx *resource.Tx) error {
		o, err := tgws.Create(ctx, tx, resource.Meta{Account: who.Account, Region: who.Region},
			&Gateway{ASN: asn, Registered: tx.Now(), Description: in.Description, Options: opts, Tags: tags},
			func() string { return newEC2ID("tgw") })
		if err == nil {
			out = apiTGW(o)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.TransitGatewayOutput{TransitGateway: out}, nil
}

// DescribeTransitGateways lists the caller's TGWs of its region, or those
// named (every one must exist), that match the filters, in one page.
func (e *EC2) DescribeTransitGateways(ctx context.Context, in *ec2api.DescribeTransitGatewaysInput) (*ec2api.DescribeTransitGatewaysOutput, error) {
	q := describeQuery{ids: in.TransitGatewayIDs, filters: in.Filters, maxResults: in.MaxResults, dryRun: in.DryRun}
	list, err := ec2TGW.describe(ctx, e.Store, q, []string{"transit-gateway-id", "state", "owner-id", "options.amazon-side-asn"},
		func(o *resource.Object[Gateway]) map[string][]string {
			return map[string][]string{
				"transit-gateway-id": {o.ID}, "state": {stateOr(o.Doc.State)}, "owner-id": {o.Account},
				"options.amazon-side-asn": {strconv.FormatInt(o.Doc.ASN, 10)},
			}
		})
	if err != nil {
		return nil, err
	}
	out := &ec2api.DescribeTransitGatewaysOutput{TransitGateways: []ec2api.TransitGateway{}}
	for _, o := range list {
		out.TransitGateways = append(out.TransitGateways, apiTGW(o))
	}
	return out, nil
}

// checkMaxResults checks EC2's page size bounds; dxlab answers in one page
// whatever the size (docs/behavior.md).
func checkMaxResults(n *int32) error {
	if n != nil && (*n < 5 || *n > 1000) {
		return invalidValue("Value ( %d ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", *n)
	}
	return nil
}

// ModifyTransitGateway changes a TGW's description and the options named.
func (e *EC2) ModifyTransitGateway(ctx context.Context, in *ec2api.ModifyTransitGatewayInput) (*ec2api.TransitGatewayOutput, error) {
	if err := ec2TGW.check(in.TransitGatewayID); err != nil {
		return nil, err
	}
	add, err := checkCIDRs(in.Options.AddTransitGatewayCidrBlocks)
	if err != nil {
		return nil, err
	}
	remove, err := checkCIDRs(in.Options.RemoveTransitGatewayCidrBlocks)
	if err != nil {
		return nil, err
	}
	if in.Options.AmazonSideAsn != nil && !privateASN(*in.Options.AmazonSideAsn) {
		return nil, invalidValue("The amazonSideAsn %d is invalid: use a private ASN, 64512-65534 or 4200000000-4294967294.", *in.Options.AmazonSideAsn)
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	var out ec2api.TransitGateway
	err = e.update(ctx, func(tx *resource.Tx) error {
		o, err := ec2TGW.load(ctx, tx.Reader(), in.TransitGatewayID)
		if err != nil {
			return err
		}
		if o.Doc.Options == nil {
			o.Doc.Options = defaultTGWOptions()
		}
		opts, m := o.Doc.Options, in.Options
		for _, set := range []struct {
			dst         *string
			name, value string
		}{
			{&opts.AutoAcceptSharedAttachments, "AutoAcceptSharedAttachments", m.AutoAcceptSharedAttachments},
			{&opts.DefaultRouteTableAssociation, "DefaultRouteTableAssociation", m.DefaultRouteTableAssociation},
			{&opts.DefaultRouteTablePropagation, "DefaultRouteTablePropagation", m.DefaultRouteTablePropagation},
			{&opts.DNSSupport, "DnsSupport", m.DNSSupport},
			{&opts.SecurityGroupReferencingSupport, "SecurityGroupReferencingSupport", m.SecurityGroupReferencingSupport},
			{&opts.VpnEcmpSupport, "VpnEcmpSupport", m.VpnEcmpSupport},
			{&opts.EncryptionSupport, "EncryptionSupport", m.EncryptionSupport},
		} {
			if err := setOption(set.dst, set.name, set.value); err != nil {
				return err
			}
		}
		opts.CIDRs = slices.DeleteFunc(opts.CIDRs, func(c string) bool { return slices.Contains(remove, c) })
		for _, c := range add {
			if !slices.Contains(opts.CIDRs, c) {
				opts.CIDRs = append(opts.CIDRs, c)
			}
		}
		if in.Options.AmazonSideAsn != nil {
			o.Doc.ASN = *in.Options.AmazonSideAsn
		}
		if in.Description != nil {
			o.Doc.Description = *in.Description
		}
		if err := tgws.Save(ctx, tx, o); err != nil {
			return err
		}
		out = apiTGW(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.TransitGatewayOutput{TransitGateway: out}, nil
}

// DeleteTransitGateway deletes a TGW no Direct Connect gateway association
// uses. The answer says deleting; describing it by id afterwards answers
// InvalidTransitGatewayID.NotFound.
func (e *EC2) DeleteTransitGateway(ctx context.Context, in *ec2api.DeleteTransitGatewayInput) (*ec2api.TransitGatewayOutput, error) {
	if err := ec2TGW.check(in.TransitGatewayID); err != nil {
		return nil, err
	}
	if err := dryRun(in.DryRun); err != nil {
		return nil, err
	}
	var out ec2api.TransitGateway
	err := e.update(ctx, func(tx *resource.Tx) error {
		o, err := ec2TGW.load(ctx, tx.Reader(), in.TransitGatewayID)
		if err != nil {
			return err
		}
		// Read in the deleting transaction, so that no association can
		// come between the check and the delete.
		list, err := e.associations(ctx, tx.Reader())
		if err != nil {
			return err
		}
		for _, a := range list {
			if a.TGW == o.ID {
				return fault.Coded(fault.Conflict, ec2api.ErrIncorrectState,
					"%s has non-deleted Transit Gateway Attachments: %s.", o.ID, attachmentID(a))
			}
		}
		out = apiTGW(o)
		out.State = stateDeleting
		return tgws.Delete(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return &ec2api.TransitGatewayOutput{TransitGateway: out}, nil
}
