// Package gateway is the Direct Connect gateway as a resource kind: global
// (owned by one account, seen from every region), the target of private and
// transit virtual interfaces, and the attach point of AWS Interconnect
// connections. Both services reach it here, so that Interconnect does not
// import Direct Connect's internals; the Direct Connect operations on it
// live in internal/directconnect.
package gateway

import (
	"fmt"
	"time"

	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
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

// ARN is a gateway's ARN: global, so without a region.
func ARN(account, id string) string {
	return fmt.Sprintf("arn:aws:directconnect::%s:dx-gateway/%s", account, id)
}
