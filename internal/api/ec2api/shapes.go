// Package ec2api is the slice of EC2 that dxlab serves: the VPN gateway,
// transit gateway, attachment and tag actions that Direct Connect users'
// tools (Terraform's aws_vpn_gateway, aws_vpn_gateway_attachment and
// aws_ec2_transit_gateway; the Direct Connect gateway association's lookup
// of its transit gateway attachment) call. EC2's model is not among the
// models dxlab generates from, so these shapes are written by hand, with
// the parameter names of the ec2Query protocol (`query` tags, lists
// flattened as Name.1) and the element names of its answers (`xml` tags).
package ec2api

import "time"

// Version and Namespace are what EC2 requests and answers name.
const (
	Version   = "2016-11-15"
	Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"
)

// Timestamp is a time as EC2 writes it: UTC, to the millisecond.
type Timestamp time.Time

func (t Timestamp) MarshalText() ([]byte, error) {
	return []byte(time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z")), nil
}

// Filter is one Filter.N of a Describe request.
type Filter struct {
	Name   string   `query:"Name"`
	Values []string `query:"Value"`
}

// Tag is a key and value, in requests and answers.
type Tag struct {
	Key   string `query:"Key" xml:"key"`
	Value string `query:"Value" xml:"value"`
}

// TagSpecification tags a resource as it is created.
type TagSpecification struct {
	ResourceType string `query:"ResourceType"`
	Tags         []Tag  `query:"Tag"`
}

// Return is the answer of actions that answer only that they succeeded.
type Return struct {
	Return bool `xml:"return"`
}

// VPN gateways.

type CreateVpnGatewayInput struct {
	Type              string             `query:"Type"`
	AvailabilityZone  string             `query:"AvailabilityZone"`
	AmazonSideAsn     *int64             `query:"AmazonSideAsn"`
	TagSpecifications []TagSpecification `query:"TagSpecification"`
	DryRun            bool               `query:"DryRun"`
}

type VpcAttachment struct {
	VpcID string `xml:"vpcId"`
	State string `xml:"state"`
}

type VpnGateway struct {
	VpnGatewayID     string          `xml:"vpnGatewayId"`
	State            string          `xml:"state"`
	Type             string          `xml:"type"`
	AvailabilityZone string          `xml:"availabilityZone,omitempty"`
	Attachments      []VpcAttachment `xml:"attachments>item"`
	AmazonSideAsn    int64           `xml:"amazonSideAsn"`
	Tags             []Tag           `xml:"tagSet>item"`
}

type CreateVpnGatewayOutput struct {
	VpnGateway VpnGateway `xml:"vpnGateway"`
}

type DescribeVpnGatewaysInput struct {
	VpnGatewayIDs []string `query:"VpnGatewayId"`
	Filters       []Filter `query:"Filter"`
	DryRun        bool     `query:"DryRun"`
}

type DescribeVpnGatewaysOutput struct {
	VpnGateways []VpnGateway `xml:"vpnGatewaySet>item"`
}

type VpnGatewayVpcInput struct {
	VpcID        string `query:"VpcId"`
	VpnGatewayID string `query:"VpnGatewayId"`
	DryRun       bool   `query:"DryRun"`
}

type AttachVpnGatewayOutput struct {
	Attachment VpcAttachment `xml:"attachment"`
}

type DeleteVpnGatewayInput struct {
	VpnGatewayID string `query:"VpnGatewayId"`
	DryRun       bool   `query:"DryRun"`
}

// Transit gateways.

type TransitGatewayRequestOptions struct {
	AmazonSideAsn                   *int64   `query:"AmazonSideAsn"`
	AutoAcceptSharedAttachments     string   `query:"AutoAcceptSharedAttachments"`
	DefaultRouteTableAssociation    string   `query:"DefaultRouteTableAssociation"`
	DefaultRouteTablePropagation    string   `query:"DefaultRouteTablePropagation"`
	DNSSupport                      string   `query:"DnsSupport"`
	MulticastSupport                string   `query:"MulticastSupport"`
	SecurityGroupReferencingSupport string   `query:"SecurityGroupReferencingSupport"`
	VpnEcmpSupport                  string   `query:"VpnEcmpSupport"`
	TransitGatewayCidrBlocks        []string `query:"TransitGatewayCidrBlocks"`
}

type CreateTransitGatewayInput struct {
	Description       string                       `query:"Description"`
	Options           TransitGatewayRequestOptions `query:"Options"`
	TagSpecifications []TagSpecification           `query:"TagSpecification"`
	DryRun            bool                         `query:"DryRun"`
}

type EncryptionSupport struct {
	EncryptionState string `xml:"encryptionState"`
}

type TransitGatewayOptions struct {
	AmazonSideAsn                   int64              `xml:"amazonSideAsn"`
	TransitGatewayCidrBlocks        []string           `xml:"transitGatewayCidrBlocks>item"`
	AutoAcceptSharedAttachments     string             `xml:"autoAcceptSharedAttachments"`
	DefaultRouteTableAssociation    string             `xml:"defaultRouteTableAssociation"`
	AssociationDefaultRouteTableID  string             `xml:"associationDefaultRouteTableId,omitempty"`
	DefaultRouteTablePropagation    string             `xml:"defaultRouteTablePropagation"`
	PropagationDefaultRouteTableID  string             `xml:"propagationDefaultRouteTableId,omitempty"`
	VpnEcmpSupport                  string             `xml:"vpnEcmpSupport"`
	DNSSupport                      string             `xml:"dnsSupport"`
	SecurityGroupReferencingSupport string             `xml:"securityGroupReferencingSupport"`
	MulticastSupport                string             `xml:"multicastSupport"`
	EncryptionSupport               *EncryptionSupport `xml:"encryptionSupport,omitempty"`
}

type TransitGateway struct {
	TransitGatewayID  string                `xml:"transitGatewayId"`
	TransitGatewayArn string                `xml:"transitGatewayArn"`
	State             string                `xml:"state"`
	OwnerID           string                `xml:"ownerId"`
	Description       string                `xml:"description,omitempty"`
	CreationTime      Timestamp             `xml:"creationTime"`
	Options           TransitGatewayOptions `xml:"options"`
	Tags              []Tag                 `xml:"tagSet>item"`
}

type TransitGatewayOutput struct {
	TransitGateway TransitGateway `xml:"transitGateway"`
}

type DescribeTransitGatewaysInput struct {
	TransitGatewayIDs []string `query:"TransitGatewayIds"`
	Filters           []Filter `query:"Filter"`
	MaxResults        *int32   `query:"MaxResults"`
	NextToken         string   `query:"NextToken"`
	DryRun            bool     `query:"DryRun"`
}

type DescribeTransitGatewaysOutput struct {
	TransitGateways []TransitGateway `xml:"transitGatewaySet>item"`
	NextToken       string           `xml:"nextToken,omitempty"`
}

type ModifyTransitGatewayRequestOptions struct {
	AddTransitGatewayCidrBlocks     []string `query:"AddTransitGatewayCidrBlocks"`
	RemoveTransitGatewayCidrBlocks  []string `query:"RemoveTransitGatewayCidrBlocks"`
	VpnEcmpSupport                  string   `query:"VpnEcmpSupport"`
	DNSSupport                      string   `query:"DnsSupport"`
	SecurityGroupReferencingSupport string   `query:"SecurityGroupReferencingSupport"`
	AutoAcceptSharedAttachments     string   `query:"AutoAcceptSharedAttachments"`
	DefaultRouteTableAssociation    string   `query:"DefaultRouteTableAssociation"`
	DefaultRouteTablePropagation    string   `query:"DefaultRouteTablePropagation"`
	AmazonSideAsn                   *int64   `query:"AmazonSideAsn"`
	EncryptionSupport               string   `query:"EncryptionSupport"`
}

type ModifyTransitGatewayInput struct {
	TransitGatewayID string                             `query:"TransitGatewayId"`
	Description      *string                            `query:"Description"`
	Options          ModifyTransitGatewayRequestOptions `query:"Options"`
	DryRun           bool                               `query:"DryRun"`
}

type DeleteTransitGatewayInput struct {
	TransitGatewayID string `query:"TransitGatewayId"`
	DryRun           bool   `query:"DryRun"`
}

// Transit gateway attachments (those Direct Connect gateway associations make).

type DescribeTransitGatewayAttachmentsInput struct {
	TransitGatewayAttachmentIDs []string `query:"TransitGatewayAttachmentIds"`
	Filters                     []Filter `query:"Filter"`
	MaxResults                  *int32   `query:"MaxResults"`
	NextToken                   string   `query:"NextToken"`
	DryRun                      bool     `query:"DryRun"`
}

type TransitGatewayAttachmentAssociation struct {
	TransitGatewayRouteTableID string `xml:"transitGatewayRouteTableId"`
	State                      string `xml:"state"`
}

type TransitGatewayAttachment struct {
	TransitGatewayAttachmentID string                               `xml:"transitGatewayAttachmentId"`
	TransitGatewayID           string                               `xml:"transitGatewayId"`
	TransitGatewayOwnerID      string                               `xml:"transitGatewayOwnerId"`
	ResourceOwnerID            string                               `xml:"resourceOwnerId"`
	ResourceType               string                               `xml:"resourceType"`
	ResourceID                 string                               `xml:"resourceId"`
	State                      string                               `xml:"state"`
	Association                *TransitGatewayAttachmentAssociation `xml:"association,omitempty"`
	CreationTime               Timestamp                            `xml:"creationTime"`
	Tags                       []Tag                                `xml:"tagSet>item"`
}

type DescribeTransitGatewayAttachmentsOutput struct {
	TransitGatewayAttachments []TransitGatewayAttachment `xml:"transitGatewayAttachments>item"`
	NextToken                 string                     `xml:"nextToken,omitempty"`
}

// Tags.

type CreateTagsInput struct {
	ResourceIDs []string `query:"ResourceId"`
	Tags        []Tag    `query:"Tag"`
	DryRun      bool     `query:"DryRun"`
}

// DeleteTagsInput's tags may leave out their values: a key alone deletes
// the tag whatever its value. Value is then a pointer, to tell "" apart.
type DeleteTagsInput struct {
	ResourceIDs []string    `query:"ResourceId"`
	Tags        []DeleteTag `query:"Tag"`
	DryRun      bool        `query:"DryRun"`
}

type DeleteTag struct {
	Key   string  `query:"Key"`
	Value *string `query:"Value"`
}

type DescribeTagsInput struct {
	Filters    []Filter `query:"Filter"`
	MaxResults *int32   `query:"MaxResults"`
	NextToken  string   `query:"NextToken"`
	DryRun     bool     `query:"DryRun"`
}

type TagDescription struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

type DescribeTagsOutput struct {
	Tags      []TagDescription `xml:"tagSet>item"`
	NextToken string           `xml:"nextToken,omitempty"`
}
