// Package vpc is the EC2 side that Direct Connect reaches: virtual private
// gateways (VGWs, with the CIDRs of their VPC and an Amazon side ASN) and
// transit gateways (TGWs, with an ASN), per account and region. It keeps
// them in a registry, and serves the slice of EC2 that creates, describes,
// attaches, tags and deletes them (ec2.go). By default the registry is
// lenient: a well-formed id it has never seen is registered to the caller
// on first use with the defaults below. Strict, it knows only gateways
// registered by an operator or created through EC2.
package vpc

import (
	"context"
	"errors"
	"regexp"
	"time"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Gateway is a VGW or a TGW as the registry keeps it.
type Gateway struct {
	// ASN is the Amazon side ASN.
	ASN int64 `json:"asn"`
	// CIDRs are the VPC's (a VGW's): the prefixes a DX gateway association
	// allows by default.
	CIDRs      []string  `json:"cidrs,omitempty"`
	Registered time.Time `json:"registered"`

	// What EC2 shows of it. A gateway registered by an operator or on first
	// use has none of these: it is available, with EC2's defaults.

	// State is "" (available) or deleting... as EC2 names them.
	State string `json:"state,omitempty"`
	// Zone is a VGW's availability zone, if its creator named one.
	Zone string `json:"zone,omitempty"`
	// VPCs are a VGW's VPC attachments, the attached one and those
	// detached since.
	VPCs []VPCAttachment `json:"vpcs,omitempty"`
	// Description and Options are a TGW's.
	Description string      `json:"description,omitempty"`
	Options     *TGWOptions `json:"options,omitempty"`
	Tags        []Tag       `json:"tags,omitempty"`
}

// VPCAttachment is a VGW's attachment to a VPC.
type VPCAttachment struct {
	VPC   string `json:"vpc"`
	State string `json:"state"`
}

// Tag is an EC2 tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Defaults of a gateway registered on first use.
const (
	DefaultASN  = 64512
	DefaultCIDR = "10.0.0.0/16"
)

var (
	vgws = &resource.Kind[Gateway]{Name: "ec2.vgw", Noun: "VirtualGateway", State: gatewayState,
		NotFound: func(id string) error { return fault.New(fault.NotFound, "The VirtualGateway %s does not exist.", id) }}
	tgws = &resource.Kind[Gateway]{Name: "ec2.tgw", Noun: "TransitGateway", State: gatewayState,
		NotFound: func(id string) error { return fault.New(fault.NotFound, "The TransitGateway %s does not exist.", id) }}
)

func gatewayState(g *Gateway) string { return stateOr(g.State) }

// Tracked are the registry's kinds as operators inspect them: their state
// and what EC2 describes of them.
func Tracked() []resource.Schema {
	return []resource.Schema{
		resource.Inspectable(vgws, func(_ context.Context, _ store.Reader, o *resource.Object[Gateway]) (resource.Inspection, error) {
			return resource.Inspection{View: apiVGW(o)}, nil
		}),
		resource.Inspectable(tgws, func(_ context.Context, _ store.Reader, o *resource.Object[Gateway]) (resource.Inspection, error) {
			return resource.Inspection{Name: o.Doc.Description, View: apiTGW(o)}, nil
		}),
	}
}

var (
	vgwID = regexp.MustCompile(`^vgw-([0-9a-f]{8}|[0-9a-f]{17})$`)
	tgwID = regexp.MustCompile(`^tgw-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// IsVGW and IsTGW tell a gateway id's kind by its form.
func IsVGW(id string) bool { return vgwID.MatchString(id) }
func IsTGW(id string) bool { return tgwID.MatchString(id) }

// Registry finds gateways, registering unknown ones unless strict.
type Registry struct {
	Strict bool
}

func kindOf(id string) (*resource.Kind[Gateway], error) {
	switch {
	case IsVGW(id):
		return vgws, nil
	case IsTGW(id):
		return tgws, nil
	}
	return nil, fault.New(fault.Invalid, "Gateway ID %s has an invalid format: it is a vgw- or tgw- id of 8 or 17 hexadecimal digits.", id)
}

// Find returns a gateway of the caller's, registering a well-formed unknown
// one to the caller (lenient).
func (g Registry) Find(ctx context.Context, tx *resource.Tx, id string) (*resource.Object[Gateway], error) {
	k, err := kindOf(id)
	if err != nil {
		return nil, err
	}
	o, err := k.Load(ctx, tx.Reader(), id)
	if err == nil || g.Strict {
		return o, err
	}
	if _, getErr := k.Get(ctx, tx.Reader(), id); !errors.Is(getErr, store.ErrNotFound) {
		return nil, err // someone else's, or elsewhere
	}
	return g.Register(ctx, tx, id, 0, nil)
}

// Register records a gateway of the caller's (asn 0: the default; no
// cidrs: the default VPC CIDR for a VGW).
func (g Registry) Register(ctx context.Context, tx *resource.Tx, id string, asn int64, cidrs []string) (*resource.Object[Gateway], error) {
	k, err := kindOf(id)
	if err != nil {
		return nil, err
	}
	who := caller.From(ctx)
	if asn == 0 {
		asn = DefaultASN
	}
	if len(cidrs) == 0 && k == vgws {
		cidrs = []string{DefaultCIDR}
	}
	return k.Create(ctx, tx, resource.Meta{ID: id, Account: who.Account, Region: who.Region}, &Gateway{ASN: asn, CIDRs: cidrs, Registered: tx.Now()}, nil)
}

// VGWs lists the caller's VGWs of its region.
func VGWs(ctx context.Context, r store.Reader) ([]*resource.Object[Gateway], error) {
	return ec2VGW.find(ctx, r, nil)
}

// Get reads a registered gateway, whoever's it is.
func Get(ctx context.Context, r store.Reader, id string) (*resource.Object[Gateway], error) {
	k, err := kindOf(id)
	if err != nil {
		return nil, err
	}
	return k.Get(ctx, r, id)
}
