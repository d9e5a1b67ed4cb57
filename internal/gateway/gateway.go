// Package gateway is the Direct Connect gateway as a resource kind: global
// (owned by one account, seen from every region), the target of private and
// transit virtual interfaces, and the attach point of AWS Interconnect
// connections. Both services reach it here, so that Interconnect does not
// import Direct Connect's internals; the Direct Connect operations on it
// live in internal/directconnect.
package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// The states of a Direct Connect gateway:
//
//	pending   -> available  AWS creates it (an automation step)
//	available -> deleting   the owner deletes it (no attachments or
//	                        associations left)
//	deleting  -> deleted    AWS removes it: deleted gateways are not
//	                        returned, so the record goes
const (
	StatePending   = "pending"
	StateAvailable = "available"
	StateDeleting  = "deleting"
	StateDeleted   = "deleted"
)

// Gateway is a Direct Connect gateway's document. Its id (a UUID) and owner
// are its record's; its region is empty: it is global.
type Gateway struct {
	Name          string         `json:"name"`
	State         string         `json:"state"`
	AmazonSideASN int64          `json:"amazonSideAsn"`
	Tags          []resource.Tag `json:"tags"`
	CreatedAt     time.Time      `json:"createdAt"`
}

// TagList is where a gateway keeps its tags, for tagging.
func (g *Gateway) TagList() *[]resource.Tag { return &g.Tags }

// Kind is the store kind of Direct Connect gateways.
var Kind = &resource.Kind[Gateway]{
	Name:  "dx.gateway",
	Noun:  "Direct Connect gateway",
	State: func(g *Gateway) string { return g.State },
	NotFound: func(id string) error {
		return fault.New(fault.NotFound, "Direct Connect Gateway %s does not exist.", id)
	},
}

// DefaultASN is the Amazon side ASN of a gateway created without one.
const DefaultASN = 64512

// CheckASN checks an Amazon side ASN: a private one, 64512-65534 or
// 4200000000-4294967294, as AWS documents.
func CheckASN(asn int64) error {
	if (asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294) {
		return nil
	}
	return fault.New(fault.Invalid, "amazonSideAsn %d is not valid: use a private ASN, 64512-65534 or 4200000000-4294967294.", asn)
}

// InterconnectKind is the store kind of AWS Interconnect connections. A
// connection's record has its attach point, a gateway, as its Parent.
const InterconnectKind = "ic.connection"

// AssociationKind is the store kind of Direct Connect gateway associations
// (with a VGW or TGW); an association's record has its gateway as Parent.
const AssociationKind = "dx.gateway-association"

// Ref names a gateway as a parent.
func Ref(id string) resource.Ref { return resource.Ref{Kind: Kind.Name, ID: id} }

// InUse answers the id of an AWS Interconnect connection attached to the
// gateway and not yet deleted, or "" when there is none: such a gateway
// cannot be deleted.
func InUse(ctx context.Context, r store.Reader, id string) (string, error) {
	recs, err := r.List(ctx, store.ListQuery{Kind: InterconnectKind, Parent: Ref(id).String()})
	if err != nil {
		return "", err
	}
	for _, rec := range recs {
		var doc struct {
			State string `json:"state"`
		}
		if err := json.Unmarshal(rec.Data, &doc); err != nil {
			return "", fmt.Errorf("decoding %s %s: %w", rec.Kind, rec.ID, err)
		}
		if doc.State != StateDeleted {
			return rec.ID, nil
		}
	}
	return "", nil
}

// AllowedPrefixes are the prefixes the gateway's live associations allow
// (what a customer's VPCs announce through it), sorted and without
// duplicates: what the other side of an AWS Interconnect connection
// attached to the gateway learns.
func AllowedPrefixes(ctx context.Context, r store.Reader, id string) ([]string, error) {
	recs, err := r.List(ctx, store.ListQuery{Kind: AssociationKind, Parent: Ref(id).String()})
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, rec := range recs {
		var doc struct {
			State    string   `json:"state"`
			Prefixes []string `json:"prefixes"`
		}
		if err := json.Unmarshal(rec.Data, &doc); err != nil {
			return nil, fmt.Errorf("decoding %s %s: %w", rec.Kind, rec.ID, err)
		}
		if doc.State == "associated" || doc.State == "updating" || doc.State == "associating" {
			out = append(out, doc.Prefixes...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
