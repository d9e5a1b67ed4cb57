package routerconfig

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// Interface is what a configuration is written for: one virtual interface
// and its BGP peers, as the service holds them.
type Interface struct {
	ID   string // dxvif-...
	Name string // virtualInterfaceName; free text, only ever printed in comments and descriptions
	Type string // private, public or transit: AWS's connection_type
	VLAN int
	// AmazonASN is the Amazon side's ASN: the virtual or Direct Connect
	// gateway's, or 7224 and kin for public and legacy VIFs.
	AmazonASN int64
	// Peers has one peer per address family, at most two; their order does
	// not matter (IPv4 is always written first, as AWS does).
	Peers []Peer
	// MTU is the VIF's MTU; 0 means 1500, and 1500 is left out of the
	// vendor configurations, as it is every router's default.
	MTU int
	// RouteFilterPrefixes are, for a public VIF, the CIDRs the customer
	// announces to Amazon; each is announced over the peer of its address
	// family. Ignored for other types.
	RouteFilterPrefixes []string
}

// Peer is one BGP session of a virtual interface.
type Peer struct {
	AddressFamily   string // ipv4 or ipv6
	ASN             int64  // the customer's ASN, the router's local AS for this session
	AuthKey         string // the MD5 password
	CustomerAddress string // CIDR, e.g. 169.254.255.2/30 or 2001:db8::2/125
	AmazonAddress   string // CIDR, as CustomerAddress
}

// peers returns the first IPv4 and the first IPv6 peer of v, or nil where
// it has none: a VIF has at most one peer per family.
func (v Interface) peers() (v4, v6 *Peer) {
	for i := range v.Peers {
		p := &v.Peers[i]
		switch {
		case p.AddressFamily == "ipv4" && v4 == nil:
			v4 = p
		case p.AddressFamily == "ipv6" && v6 == nil:
			v6 = p
		}
	}
	return v4, v6
}

// XML returns v as AWS's customerRouterConfig: the generic XML every
// vendor template starts from, which CreateXVirtualInterface and
// DescribeVirtualInterfaces return. Its elements come in AWS's order (VLAN,
// the IPv4 session, the IPv6 session, the Amazon ASN, the type), two-space
// indented, ending in a newline. A family without a peer is left out: AWS
// examples show the IPv6 elements only with an IPv6 peer, and dxlab
// assumes the same of IPv4 for an IPv6-only VIF. XML does not check v
// (Render does); it writes what it is given, escaped.
func XML(v Interface) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<logical_connection id="` + escape(v.ID) + `">` + "\n")
	element(&b, "vlan", strconv.Itoa(v.VLAN))
	v4, v6 := v.peers()
	if v4 != nil {
		element(&b, "customer_address", v4.CustomerAddress)
		element(&b, "amazon_address", v4.AmazonAddress)
		element(&b, "bgp_asn", strconv.FormatInt(v4.ASN, 10))
		element(&b, "bgp_auth_key", v4.AuthKey)
	}
	if v6 != nil {
		element(&b, "ipv6_customer_address", v6.CustomerAddress)
		element(&b, "ipv6_amazon_address", v6.AmazonAddress)
		element(&b, "ipv6_bgp_asn", strconv.FormatInt(v6.ASN, 10))
		element(&b, "ipv6_bgp_auth_key", v6.AuthKey)
	}
	element(&b, "amazon_bgp_asn", strconv.FormatInt(v.AmazonASN, 10))
	element(&b, "connection_type", v.Type)
	b.WriteString("</logical_connection>\n")
	return b.String()
}

func element(b *strings.Builder, name, value string) {
	b.WriteString("  <" + name + ">" + escape(value) + "</" + name + ">\n")
}

// escape is encoding/xml's escaping, which is safe in text and in
// double-quoted attributes alike.
func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}
