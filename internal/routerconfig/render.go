package routerconfig

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode"
)

// Render returns the configuration of r's vendor for v: the VLAN
// subinterface with the customer's addresses, the MTU when it is not 1500,
// a BGP session per peer to Amazon's address (remote AS v.AmazonASN, local
// AS the peer's ASN, the MD5 key) and, for a public VIF, the route filter
// prefixes announced through an outbound filter. r must be one of Routers():
// its ID chooses the template. Render fails on an unknown router type and
// on an Interface no VIF could have (no peers, two of one family, addresses
// that are not CIDRs of their family, an unknown type), so that a
// configuration is never written with holes in it.
func Render(r Router, v Interface) (string, error) {
	e, ok := find(r.ID)
	if !ok {
		return "", fmt.Errorf("routerconfig: unknown router type %q", r.ID)
	}
	d, err := newView(e, v)
	if err != nil {
		return "", fmt.Errorf("routerconfig: %s: %w", v.ID, err)
	}
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, e.template+".tmpl", d); err != nil {
		return "", fmt.Errorf("routerconfig: %s for %s: %w", e.template, v.ID, err)
	}
	return b.String(), nil
}

// view is what the templates see: the Interface checked and taken apart
// into the pieces vendor syntaxes need (bare addresses, netmasks), so that
// the templates hold no logic beyond "if" and "range".
type view struct {
	Router       Router
	Port         string // the physical interface
	SecurityZone string // "" unless the router is a firewall
	ID           string
	Name         string // on one line: it is printed in comments and descriptions
	Type         string
	Public       bool
	Announces    bool // a public VIF with a prefix to announce over one of its sessions
	VLAN         int
	AmazonASN    int64
	// LocalASN is the router's own AS: the IPv4 peer's ASN, else the IPv6
	// peer's. A peer with another ASN gets a per-session local-as.
	LocalASN int64
	MTU      int        // 0 when it is 1500, the default every template leaves out
	V4, V6   *session   // nil without a peer of that family
	Sessions []*session // V4 and V6 that are not nil, in that order
}

// session is one BGP peer, in the forms the templates print.
type session struct {
	Family       string // ipv4 or ipv6
	ASN          int64
	LocalAS      int64  // ASN when it differs from view.LocalASN, else 0
	AuthKey      string // on one line, unquoted: templates quote it as their syntax needs
	CustomerCIDR string // 169.254.255.2/30
	CustomerIP   string // 169.254.255.2
	Netmask      string // 255.255.255.252; IPv4 only
	AmazonIP     string // 169.254.255.1
	// FilterName names the outbound prefix list or policy of a public
	// VIF's session, per family as vendors keep them apart.
	FilterName string
	Announce   []announce // public VIFs: the route filter prefixes of this family
}

// announce is one prefix a public VIF announces.
type announce struct {
	Seq     int    // prefix-list sequence number: 10, 20, ...
	CIDR    string // 203.0.113.0/30, 2001:db8::/56
	Network string // 203.0.113.0
	Netmask string // 255.255.255.252; IPv4 only
}

func newView(e entry, v Interface) (*view, error) {
	switch v.Type {
	case "private", "public", "transit":
	default:
		return nil, fmt.Errorf("virtual interface type %q is not private, public or transit", v.Type)
	}
	if v.VLAN < 1 || v.VLAN > 4094 {
		return nil, fmt.Errorf("VLAN %d is not in 1-4094", v.VLAN)
	}
	// The ID becomes part of filter and group names, so it must be a word.
	if v.ID == "" || strings.IndexFunc(v.ID, func(r rune) bool {
		return !(r == '-' || r == '_' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) >= 0 {
		return nil, fmt.Errorf("virtual interface ID %q is not letters, digits and hyphens", v.ID)
	}
	if len(v.Peers) == 0 {
		return nil, errors.New("no BGP peers")
	}
	d := &view{
		Router:       e.Router,
		Port:         e.port,
		SecurityZone: e.securityZone,
		ID:           v.ID,
		Name:         oneLine(v.Name),
		Type:         v.Type,
		Public:       v.Type == "public",
		VLAN:         v.VLAN,
		AmazonASN:    v.AmazonASN,
	}
	if v.MTU != 0 && v.MTU != 1500 {
		d.MTU = v.MTU
	}
	for _, p := range v.Peers {
		var slot **session
		switch p.AddressFamily {
		case "ipv4":
			slot = &d.V4
		case "ipv6":
			slot = &d.V6
		default:
			return nil, fmt.Errorf("peer address family %q is not ipv4 or ipv6", p.AddressFamily)
		}
		if *slot != nil {
			return nil, fmt.Errorf("two %s peers", p.AddressFamily)
		}
		s, err := newSession(v, p)
		if err != nil {
			return nil, err
		}
		*slot = s
	}
	for _, s := range []*session{d.V4, d.V6} {
		if s == nil {
			continue
		}
		d.Sessions = append(d.Sessions, s)
		d.Announces = d.Announces || len(s.Announce) > 0
		if d.LocalASN == 0 {
			d.LocalASN = s.ASN
		} else if s.ASN != d.LocalASN {
			s.LocalAS = s.ASN
		}
	}
	return d, nil
}

func newSession(v Interface, p Peer) (*session, error) {
	v6 := p.AddressFamily == "ipv6"
	customer, err := parsePrefix(p.CustomerAddress, v6)
	if err != nil {
		return nil, fmt.Errorf("%s customer address: %w", p.AddressFamily, err)
	}
	amazon, err := parsePrefix(p.AmazonAddress, v6)
	if err != nil {
		return nil, fmt.Errorf("%s Amazon address: %w", p.AddressFamily, err)
	}
	if p.ASN < 1 || p.ASN > 4294967294 {
		return nil, fmt.Errorf("%s peer ASN %d is not in 1-4294967294", p.AddressFamily, p.ASN)
	}
	s := &session{
		Family:       p.AddressFamily,
		ASN:          p.ASN,
		AuthKey:      oneLine(p.AuthKey),
		CustomerCIDR: customer.String(),
		CustomerIP:   customer.Addr().String(),
		Netmask:      netmask(customer),
		AmazonIP:     amazon.Addr().String(),
		FilterName:   "AWS-" + v.ID + "-" + strings.ToUpper(p.AddressFamily) + "-OUT",
	}
	if v.Type != "public" {
		return s, nil
	}
	for _, c := range v.RouteFilterPrefixes {
		pfx, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil {
			return nil, fmt.Errorf("route filter prefix %q: %w", c, err)
		}
		if pfx.Addr().Is6() != v6 {
			continue // announced over the other family's session, if any
		}
		pfx = pfx.Masked()
		s.Announce = append(s.Announce, announce{
			Seq:     10 * (len(s.Announce) + 1),
			CIDR:    pfx.String(),
			Network: pfx.Addr().String(),
			Netmask: netmask(pfx),
		})
	}
	return s, nil
}

// parsePrefix parses a peer address, which AWS writes as a CIDR with the
// address of the host (169.254.255.2/30).
func parsePrefix(s string, v6 bool) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is6() != v6 || p.Addr().Is4In6() {
		return netip.Prefix{}, fmt.Errorf("%s is not an %s address", s, map[bool]string{false: "IPv4", true: "IPv6"}[v6])
	}
	return p, nil
}

// netmask is p's mask in dotted-quad form, which IOS wants; "" for IPv6.
func netmask(p netip.Prefix) string {
	if !p.Addr().Is4() {
		return ""
	}
	m := ^uint32(0) << (32 - p.Bits()) // a shift by 32 leaves 0, the /0 mask
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)}).String()
}

// oneLine replaces control characters (a newline above all) with spaces:
// names and keys are printed in comments and on command lines, which a line
// break would end.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// funcs are the templates' helpers: quoting, the one thing the view cannot
// do for every syntax at once.
var funcs = map[string]any{
	// quote writes s as a double-quoted string, as Junos and PAN-OS read
	// them: a backslash escapes a quote or a backslash.
	"quote": func(s string) string {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	},
}
