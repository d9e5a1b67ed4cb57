package routerconfig

import (
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The reference's table (Terraform's d/dx_router_configuration docs), in
// its order: the data file must say exactly this.
var referenceRouters = []Router{
	{"CiscoSystemsInc-2900SeriesRouters-IOS124", "Cisco Systems, Inc.", "2900 Series Routers", "IOS 12.4+", "customer-router-cisco-generic.xslt", ""},
	{"CiscoSystemsInc-3700SeriesRouters-IOS124", "Cisco Systems, Inc.", "3700 Series Routers", "IOS 12.4+", "customer-router-cisco-generic.xslt", ""},
	{"CiscoSystemsInc-7200SeriesRouters-IOS124", "Cisco Systems, Inc.", "7200 Series Routers", "IOS 12.4+", "customer-router-cisco-generic.xslt", ""},
	{"CiscoSystemsInc-Nexus7000SeriesSwitches-NXOS51", "Cisco Systems, Inc.", "Nexus 7000 Series Switches", "NX-OS 5.1+", "customer-switch-cisco-nexus-generic.xslt", ""},
	{"CiscoSystemsInc-Nexus9KSeriesSwitches-NXOS93", "Cisco Systems, Inc.", "Nexus 9K+ Series Switches", "NX-OS 9.3+", "customer-switch-cisco-nexus-generic.xslt", "customer-switch-cisco-nexus-generic-macsec.xslt"},
	{"JuniperNetworksInc-MMXSeriesRouters-JunOS95", "Juniper Networks, Inc.", "M/MX Series Routers", "JunOS 9.5+", "customer-router-juniper-generic.xslt", "customer-router-juniper-generic-macsec.xslt"},
	{"JuniperNetworksInc-SRXSeriesRouters-JunOS95", "Juniper Networks, Inc.", "SRX Series Routers", "JunOS 9.5+", "customer-router-juniper-generic.xslt", ""},
	{"JuniperNetworksInc-TSeriesRouters-JunOS95", "Juniper Networks, Inc.", "T Series Routers", "JunOS 9.5+", "customer-router-juniper-generic.xslt", ""},
	{"PaloAltoNetworks-PA3000and5000series-PANOS803", "Palo Alto Networks", "PA-3000+ and 5000+ series", "PAN-OS 8.0.3+", "customer-router-palo-alto-generic.xslt", ""},
}

func TestRoutersAreTheReferenceTable(t *testing.T) {
	got := Routers()
	if !slices.Equal(got, referenceRouters) {
		t.Fatalf("Routers() =\n%v\nwant\n%v", got, referenceRouters)
	}
	// The caller's slice is its own.
	got[0].Vendor = "changed"
	if Routers()[0].Vendor != "Cisco Systems, Inc." {
		t.Error("changing Routers()' result changed the catalogue")
	}
	for _, want := range referenceRouters {
		if r, ok := Find(want.ID); !ok || r != want {
			t.Errorf("Find(%q) = %+v, %v; want %+v, true", want.ID, r, ok, want)
		}
	}
}

// As terraform-provider-aws's router_configuration_data_source_test.go
// asserts of the real API.
func TestCisco2900(t *testing.T) {
	r, ok := Find("CiscoSystemsInc-2900SeriesRouters-IOS124")
	if !ok {
		t.Fatal("Find(CiscoSystemsInc-2900SeriesRouters-IOS124) found nothing")
	}
	for _, c := range []struct{ field, got, want string }{
		{"routerTypeIdentifier", r.ID, "CiscoSystemsInc-2900SeriesRouters-IOS124"},
		{"platform", r.Platform, "2900 Series Routers"},
		{"software", r.Software, "IOS 12.4+"},
		{"vendor", r.Vendor, "Cisco Systems, Inc."},
		{"xsltTemplateName", r.XSLTTemplateName, "customer-router-cisco-generic.xslt"},
		{"xsltTemplateNameForMacSec", r.XSLTTemplateNameForMacSec, ""},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
}

func TestFindUnknown(t *testing.T) {
	for _, id := range []string{"", "CiscoSystemsInc-2900SeriesRouters", "ciscosystemsinc-2900seriesrouters-ios124", "CiscoSystemsInc-2900SeriesRouters-IOS124 "} {
		if r, ok := Find(id); ok || r != (Router{}) {
			t.Errorf("Find(%q) = %+v, %v; want the zero Router, false", id, r, ok)
		}
	}
}

// Every template is some router's, so none rots unrendered.
func TestEveryTemplateIsUsed(t *testing.T) {
	files, err := fs.Glob(templateFS, "templates/*.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".tmpl")
		if !slices.ContainsFunc(catalogue, func(e entry) bool { return e.template == name }) {
			t.Errorf("%s is no router's template", f)
		}
	}
}

// The interfaces the tests render: AWS CLI examples' VIFs
// (create-private-virtual-interface, create-bgp-peer,
// create-public-virtual-interface) and a transit VIF whose IPv6 peer has
// another ASN, as create-bgp-peer's has.
var (
	privateV4 = Interface{
		ID: "dxvif-ffhhk74f", Name: "PrivateVirtualInterface", Type: "private", VLAN: 101, AmazonASN: 64512, MTU: 9001,
		Peers: []Peer{{AddressFamily: "ipv4", ASN: 65000, AuthKey: "0xxacZ9nrPsSHBIc0UT3aQ7n", CustomerAddress: "169.254.247.2/30", AmazonAddress: "169.254.247.1/30"}},
		// Not a public VIF: these must not be announced.
		RouteFilterPrefixes: []string{"198.51.100.0/24"},
	}
	transitDual = Interface{
		ID: "dxvif-fEXAMPLE", Name: "Example Transit Virtual Interface", Type: "transit", VLAN: 126, AmazonASN: 4200000000, MTU: 8500,
		Peers: []Peer{
			{AddressFamily: "ipv6", ASN: 64600, AuthKey: "0xS27kAIU_VHPjjAexample", CustomerAddress: "2001:db8:1100:2f0:0:1:9cb4:4216/125", AmazonAddress: "2001:db8:1100:2f0:0:1:9cb4:4211/125"},
			{AddressFamily: "ipv4", ASN: 65110, AuthKey: "0xzxgA9YoW9h58u8SvOmXRTw", CustomerAddress: "192.168.1.2/30", AmazonAddress: "192.168.1.1/30"},
		},
	}
	publicV4 = Interface{
		ID: "dxvif-fgh0hcrk", Name: "PublicVirtualInterface", Type: "public", VLAN: 2000, AmazonASN: 7224,
		Peers:               []Peer{{AddressFamily: "ipv4", ASN: 65000, AuthKey: "asdf34example", CustomerAddress: "203.0.113.2/30", AmazonAddress: "203.0.113.1/30"}},
		RouteFilterPrefixes: []string{"203.0.113.0/30", "203.0.113.4/30"},
	}
)

// AWS's create-public-virtual-interface example, byte for byte.
func TestXMLIPv4(t *testing.T) {
	want := `<?xml version="1.0" encoding="UTF-8"?>
<logical_connection id="dxvif-fgh0hcrk">
  <vlan>2000</vlan>
  <customer_address>203.0.113.2/30</customer_address>
  <amazon_address>203.0.113.1/30</amazon_address>
  <bgp_asn>65000</bgp_asn>
  <bgp_auth_key>asdf34example</bgp_auth_key>
  <amazon_bgp_asn>7224</amazon_bgp_asn>
  <connection_type>public</connection_type>
</logical_connection>
`
	if got := XML(publicV4); got != want {
		t.Errorf("XML =\n%s\nwant\n%s", got, want)
	}
}

// AWS's create-bgp-peer example, byte for byte: the IPv6 elements after the
// IPv4 ones, whatever the order of the peers.
func TestXMLDualStack(t *testing.T) {
	v := Interface{
		ID: "dxvif-fg1vuj3d", Name: "Test", Type: "private", VLAN: 125, AmazonASN: 7224,
		Peers: []Peer{
			{AddressFamily: "ipv6", ASN: 64600, AuthKey: "0xS27kAIU_VHPjjAexample", CustomerAddress: "2001:db8:1100:2f0:0:1:9cb4:4216/125", AmazonAddress: "2001:db8:1100:2f0:0:1:9cb4:4211/125"},
			{AddressFamily: "ipv4", ASN: 65000, AuthKey: "0xC_ukbCerl6EYA0uexample", CustomerAddress: "169.254.255.2/30", AmazonAddress: "169.254.255.1/30"},
		},
	}
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<logical_connection id=\"dxvif-fg1vuj3d\">\n  <vlan>125</vlan>\n  <customer_address>169.254.255.2/30</customer_address>\n  <amazon_address>169.254.255.1/30</amazon_address>\n  <bgp_asn>65000</bgp_asn>\n  <bgp_auth_key>0xC_ukbCerl6EYA0uexample</bgp_auth_key>\n  <ipv6_customer_address>2001:db8:1100:2f0:0:1:9cb4:4216/125</ipv6_customer_address>\n  <ipv6_amazon_address>2001:db8:1100:2f0:0:1:9cb4:4211/125</ipv6_amazon_address>\n  <ipv6_bgp_asn>64600</ipv6_bgp_asn>\n  <ipv6_bgp_auth_key>0xS27kAIU_VHPjjAexample</ipv6_bgp_auth_key>\n  <amazon_bgp_asn>7224</amazon_bgp_asn>\n  <connection_type>private</connection_type>\n</logical_connection>\n"
	if got := XML(v); got != want {
		t.Errorf("XML =\n%s\nwant\n%s", got, want)
	}
}

func TestXMLEscapes(t *testing.T) {
	v := privateV4
	v.ID = `dxvif-"<x>"`
	v.Name = `<name> & "friends"`
	v.Peers = []Peer{{AddressFamily: "ipv4", ASN: 65000, AuthKey: `k<e>y&"'`, CustomerAddress: "169.254.247.2/30", AmazonAddress: "169.254.247.1/30"}}
	got := XML(v)
	for _, want := range []string{
		`<logical_connection id="dxvif-&#34;&lt;x&gt;&#34;">`,
		`<bgp_auth_key>k&lt;e&gt;y&amp;&#34;&#39;</bgp_auth_key>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("XML lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "name") {
		t.Errorf("XML carries the VIF's name, which AWS's does not:\n%s", got)
	}
	if strings.Count(got, "<") != strings.Count(got, ">") || strings.Contains(got, `k<e`) {
		t.Errorf("XML has unescaped markup:\n%s", got)
	}
}

// checks are, per template family, lines (after trimming) that must be in
// every configuration, with {asn}, {amazonASN}, {amazon}, {key} and
// {customer} standing for the IPv4 or only peer's values.
var checks = map[string][]string{
	"cisco-ios": {
		"router bgp {asn}",
		"neighbor {amazon} remote-as {amazonASN}",
		"neighbor {amazon} password {key}",
		"neighbor {amazon} activate",
		"encapsulation dot1Q {vlan}",
	},
	"cisco-nxos": {
		"router bgp {asn}",
		"neighbor {amazon}",
		"remote-as {amazonASN}",
		"password 0 {key}",
		"encapsulation dot1q {vlan}",
	},
	"juniper-junos": {
		"autonomous-system {asn};",
		"peer-as {amazonASN};",
		"neighbor {amazon} {",
		`authentication-key "{key}";`,
		"vlan-id {vlan};",
		"address {customer};",
	},
	"paloalto-panos": {
		"set network virtual-router default protocol bgp local-as {asn}",
		"peer-as {amazonASN}",
		"peer-address ip {amazon}",
		`secret "{key}"`,
		"tag {vlan}",
	},
}

func TestRender(t *testing.T) {
	for _, r := range Routers() {
		for _, v := range []Interface{privateV4, transitDual, publicV4} {
			t.Run(r.ID+"/"+v.Type, func(t *testing.T) {
				out, err := Render(r, v)
				if err != nil {
					t.Fatal(err)
				}
				v4, v6 := v.peers()
				first := v4
				if first == nil {
					first = v6
				}
				lines := map[string]bool{}
				for l := range strings.Lines(out) {
					lines[strings.TrimSpace(l)] = true
				}
				e, _ := find(r.ID)
				if len(checks[e.template]) == 0 {
					t.Fatalf("no checks for template %s", e.template)
				}
				repl := strings.NewReplacer(
					"{asn}", strconv.FormatInt(first.ASN, 10),
					"{amazonASN}", strconv.FormatInt(v.AmazonASN, 10),
					"{amazon}", addr(first.AmazonAddress),
					"{customer}", first.CustomerAddress,
					"{key}", first.AuthKey,
					"{vlan}", strconv.Itoa(v.VLAN),
				)
				for _, c := range checks[e.template] {
					if want := repl.Replace(c); !lines[want] && !strings.Contains(out, want) {
						t.Errorf("no %q in\n%s", want, out)
					}
				}

				// What every configuration must carry, whatever its syntax.
				for _, want := range []string{
					v.ID, r.ID, "Generated by dxlab",
					strconv.Itoa(v.VLAN), strconv.FormatInt(v.AmazonASN, 10),
				} {
					if !strings.Contains(out, want) {
						t.Errorf("no %q in\n%s", want, out)
					}
				}
				for _, p := range v.Peers {
					for _, want := range []string{addr(p.CustomerAddress), addr(p.AmazonAddress), strconv.FormatInt(p.ASN, 10), p.AuthKey} {
						if !strings.Contains(out, want) {
							t.Errorf("%s peer: no %q in\n%s", p.AddressFamily, want, out)
						}
					}
				}

				// IPv6 only with an IPv6 peer.
				hasV6 := strings.Contains(out, "ipv6") || strings.Contains(out, "inet6")
				if hasV6 != (v6 != nil) {
					t.Errorf("IPv6 peer: %v, IPv6 configuration: %v\n%s", v6 != nil, hasV6, out)
				}
				// A second ASN is the session's local AS.
				if v6 != nil && v4 != nil && v6.ASN != v4.ASN && !strings.Contains(out, "local-as "+strconv.FormatInt(v6.ASN, 10)) && e.template != "paloalto-panos" {
					t.Errorf("no local-as %d for the IPv6 session in\n%s", v6.ASN, out)
				}

				// Announced prefixes only for public VIFs.
				for _, p := range v.RouteFilterPrefixes {
					if strings.Contains(out, p) != (v.Type == "public") {
						t.Errorf("%s VIF: prefix %s announced: %v\n%s", v.Type, p, !(v.Type == "public"), out)
					}
				}
				if strings.Contains(out, "-OUT") != (v.Type == "public") {
					t.Errorf("%s VIF: outbound filter: %v\n%s", v.Type, v.Type != "public", out)
				}

				// MTU only when it is not 1500.
				hasMTU := strings.Contains(out, "mtu "+strconv.Itoa(v.MTU))
				if hasMTU != (v.MTU != 0 && v.MTU != 1500) || (v.MTU == 0) && strings.Contains(out, "mtu ") {
					t.Errorf("MTU %d: mtu lines %v\n%s", v.MTU, hasMTU, out)
				}
			})
		}
	}
}

// Every template renders every kind of VIF, without holes.
func TestRenderEveryRouterEveryVIF(t *testing.T) {
	v6only := Interface{
		ID: "dxvif-fg000v6o", Name: "v6 only", Type: "private", VLAN: 4094, AmazonASN: 64512,
		Peers: []Peer{{AddressFamily: "ipv6", ASN: 4200000001, AuthKey: "0xabc", CustomerAddress: "2001:db8::6/125", AmazonAddress: "2001:db8::1/125"}},
	}
	publicDual := publicV4
	publicDual.Peers = append(slices.Clone(publicV4.Peers), Peer{AddressFamily: "ipv6", ASN: 65000, AuthKey: "0xv6key", CustomerAddress: "2001:db8:1::2/125", AmazonAddress: "2001:db8:1::1/125"})
	publicDual.RouteFilterPrefixes = []string{"203.0.113.0/30", "2001:db8:100::/56"}
	jumbo1500 := privateV4
	jumbo1500.MTU = 1500
	for _, r := range Routers() {
		for name, v := range map[string]Interface{
			"private v4": privateV4, "transit dual stack": transitDual, "public v4": publicV4,
			"private v6 only": v6only, "public dual stack": publicDual, "mtu 1500": jumbo1500,
		} {
			out, err := Render(r, v)
			switch {
			case err != nil:
				t.Errorf("%s, %s: %v", r.ID, name, err)
			case strings.Contains(out, "<no value>"), strings.Contains(out, "<nil>"):
				t.Errorf("%s, %s: a hole in\n%s", r.ID, name, out)
			case strings.Contains(out, "\n\n\n"), !strings.HasSuffix(out, "\n"), strings.HasSuffix(out, "\n\n"):
				t.Errorf("%s, %s: ragged blank lines in\n%s", r.ID, name, out)
			case name == "mtu 1500" && strings.Contains(out, "mtu "):
				t.Errorf("%s, %s: an MTU of 1500 is written out:\n%s", r.ID, name, out)
			case name == "public dual stack" && !strings.Contains(out, "2001:db8:100::/56"):
				t.Errorf("%s, %s: the IPv6 prefix is not announced:\n%s", r.ID, name, out)
			}
		}
	}
}

// Free text never leaves the comment or description it is printed in.
func TestRenderKeepsNamesOnTheirLine(t *testing.T) {
	v := privateV4
	v.Name = "evil\nrouter bgp 1\r\n}"
	v.Peers = []Peer{{AddressFamily: "ipv4", ASN: 65000, AuthKey: "k\"e\\y\nshutdown", CustomerAddress: "169.254.247.2/30", AmazonAddress: "169.254.247.1/30"}}
	for _, r := range Routers() {
		out, err := Render(r, v)
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		for l := range strings.Lines(out) {
			if l := strings.TrimSpace(l); l == "router bgp 1" || l == "shutdown" {
				t.Errorf("%s: the name or key broke out onto a line of its own:\n%s", r.ID, out)
			}
		}
		if e, _ := find(r.ID); e.template == "juniper-junos" && !strings.Contains(out, `authentication-key "k\"e\\y shutdown";`) {
			t.Errorf("%s: the key is not quoted:\n%s", r.ID, out)
		}
	}
}

func TestRenderRefuses(t *testing.T) {
	r := Routers()[0]
	if _, err := Render(Router{ID: "Acme-Router-1"}, privateV4); err == nil {
		t.Error("Render of an unknown router type succeeded")
	}
	for name, change := range map[string]func(*Interface){
		"no peers":          func(v *Interface) { v.Peers = nil },
		"two ipv4 peers":    func(v *Interface) { v.Peers = append(v.Peers, v.Peers[0]) },
		"unknown family":    func(v *Interface) { v.Peers[0].AddressFamily = "ipx" },
		"unknown type":      func(v *Interface) { v.Type = "hosted" },
		"VLAN 0":            func(v *Interface) { v.VLAN = 0 },
		"VLAN 4095":         func(v *Interface) { v.VLAN = 4095 },
		"ID with spaces":    func(v *Interface) { v.ID = "dxvif-a b" },
		"bare address":      func(v *Interface) { v.Peers[0].CustomerAddress = "169.254.247.2" },
		"IPv6 in IPv4 peer": func(v *Interface) { v.Peers[0].AmazonAddress = "2001:db8::1/125" },
		"ASN 0":             func(v *Interface) { v.Peers[0].ASN = 0 },
		"bad route filter":  func(v *Interface) { v.Type = "public"; v.RouteFilterPrefixes = []string{"203.0.113.0"} },
		"empty customer IP": func(v *Interface) { v.Peers[0].CustomerAddress = "" },
		"4-in-6 IPv6 amazon": func(v *Interface) {
			v.Peers = slices.Clone(transitDual.Peers[:1])
			v.Peers[0].AmazonAddress = "::ffff:169.254.0.1/125"
		},
	} {
		v := privateV4
		v.Peers = slices.Clone(v.Peers)
		change(&v)
		if out, err := Render(r, v); err == nil {
			t.Errorf("%s: Render succeeded:\n%s", name, out)
		}
	}
}

// addr is a peer address without its prefix length, as BGP neighbours are
// written.
func addr(cidr string) string {
	a, _, _ := strings.Cut(cidr, "/")
	return a
}
