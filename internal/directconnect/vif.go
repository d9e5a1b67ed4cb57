package directconnect

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/routerconfig"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/vpc"
)

// A virtual interface lives on a connection, LAG, interconnect or hosted
// connection (its parent), and belongs to its creator, or, allocated for
// another account (a hosted VIF), to that account, seen by the parent's
// owner too:
//
//	confirming -> pending    the owner confirms a hosted VIF (private,
//	           -> verifying  transit; public: verifying)
//	           -> rejected   the owner deletes it instead
//	verifying  -> pending    AWS verifies a public VIF's prefixes (staff)
//	pending    -> available  AWS provisions it (automation), or down when
//	           -> down       its parent is not available
//	available <-> down       its parent goes down and comes back
//	any        -> deleting -> deleted   the owner deletes it; listed for 15
//	                                    minutes more, then forgotten
const (
	vifConfirming = dxapi.VirtualInterfaceStateConfirming
	vifVerifying  = dxapi.VirtualInterfaceStateVerifying
	vifPending    = dxapi.VirtualInterfaceStatePending
	vifAvailable  = dxapi.VirtualInterfaceStateAvailable
	vifDown       = dxapi.VirtualInterfaceStateDown
	vifDeleting   = dxapi.VirtualInterfaceStateDeleting
	vifDeleted    = dxapi.VirtualInterfaceStateDeleted
	vifRejected   = dxapi.VirtualInterfaceStateRejected
)

const (
	stepVifVerify    = "vif.verify"
	stepVifProvision = "vif.provision"
	stepVifDelete    = "vif.delete"
	stepVifForget    = "vif.forget"
)

// publicAmazonASN is the Amazon side ASN of public virtual interfaces, as
// AWS's examples show it.
const publicAmazonASN = 7224

type vif struct {
	Name          string                      `json:"name"`
	Type          string                      `json:"type"` // private, public, transit
	State         dxapi.VirtualInterfaceState `json:"state"`
	Vlan          int                         `json:"vlan"`
	Location      string                      `json:"location"`
	Device        string                      `json:"device"`
	AmazonSideASN int64                       `json:"amazonSideAsn"`
	MTU           int                         `json:"mtu"`
	VGW           string                      `json:"vgw,omitempty"`
	DXGateway     string                      `json:"dxGateway,omitempty"`
	SiteLink      bool                        `json:"siteLink,omitempty"`
	RateLimit     string                      `json:"rateLimit,omitempty"`
	Prefixes      []string                    `json:"prefixes,omitempty"`
	Peers         []bgpPeer                   `json:"peers"`
	Tags          []tag                       `json:"tags"`
	CreatedAt     time.Time                   `json:"createdAt"`
}

func (v *vif) TagList() *[]tag { return &v.Tags }

// vifs are seen by their owner and by their parent's owner (the allocator
// of a hosted VIF).
var vifs = &resource.Kind[vif]{
	Name:     "dx.vif",
	Noun:     "Virtual interface",
	State:    func(v *vif) string { return string(v.State) },
	Sharing:  resource.Sharing[vif]{ParentOwner: true},
	NotFound: func(id string) error { return fault.New(fault.NotFound, "Virtual interface %s does not exist.", id) },
}

func checkVifID(id string) error {
	if !vifIDPattern.MatchString(id) {
		return invalid("Virtual interface ID %s has an invalid format.", id)
	}
	return nil
}

// vifRequest is what the three Create and three Allocate forms ask, in one
// shape.
type vifRequest struct {
	typ             string
	name            string
	vlan            int
	family          string
	asn             *int32
	asnLong         *int64
	authKey         string
	amazonAddress   string
	customerAddress string
	mtu             *int32
	vgw, dxGateway  string
	siteLink        bool
	rateLimit       string
	prefixes        []dxapi.RouteFilterPrefix
	tags            []dxapi.Tag
}

// vifParent is what a VIF needs of the resource it sits on.
type vifParent struct {
	ref      resource.Ref
	owner    string
	location string
	device   string
	state    string
	hosted   bool
	vlan     int // a hosted connection's own VLAN
}

// loadVifParent reads the connection, LAG or interconnect a VIF goes on;
// only its owner may put one there.
func (s *Service) loadVifParent(ctx context.Context, r store.Reader, id string) (vifParent, error) {
	if strings.HasPrefix(id, "dxlag-") {
		if err := checkLagID(id); err != nil {
			return vifParent{}, err
		}
		l, err := lags.LoadAs(ctx, r, id, resource.Owner)
		if err != nil {
			return vifParent{}, err
		}
		return vifParent{lagRef(id), l.Account, l.Doc.Location, l.Doc.Device, string(l.Doc.State), false, 0}, nil
	}
	if err := checkConnectionID(id); err != nil {
		return vifParent{}, err
	}
	c, err := connections.LoadAs(ctx, r, id, resource.Owner)
	if err == nil {
		return vifParent{resource.Ref{Kind: connections.Name, ID: id}, c.Account, c.Doc.Location, c.Doc.Device, string(c.Doc.State), c.Doc.Hosted, c.Doc.Vlan}, nil
	}
	i, ierr := interconnects.LoadAs(ctx, r, id, resource.Owner)
	if ierr != nil {
		return vifParent{}, err
	}
	return vifParent{resource.Ref{Kind: interconnects.Name, ID: id}, i.Account, i.Doc.Location, i.Doc.Device, string(i.Doc.State), false, 0}, nil
}

var mtus = map[string][]int{"private": {1500, 9001}, "transit": {1500, 8500}, "public": {1500}}

// asns reads asn and asnLong as the model documents them: asnLong wins; a
// 4-byte value belongs in asnLong.
func asns(asn *int32, asnLong *int64) (int64, error) {
	switch {
	case asnLong != nil:
		if *asnLong < 1 || *asnLong > 4294967294 {
			return 0, invalid("asnLong %d is not valid: 1-4294967294.", *asnLong)
		}
		return *asnLong, nil
	case asn != nil:
		if *asn < 1 || *asn > 65535 {
			return 0, invalid("asn %d is not a 2-byte ASN: give a 4-byte ASN in asnLong.", *asn)
		}
		return int64(*asn), nil
	}
	return 0, invalid("Give the customer side ASN in asn or asnLong.")
}

// authKeyAlphabet is what generated BGP keys are made of.
const authKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

// newAuthKey makes a BGP MD5 key as AWS does: "0x" and 22 characters.
func newAuthKey() string {
	b := []byte(rand.Text()) // 26 base32 characters
	out := make([]byte, 22)
	for i := range out {
		out[i] = authKeyAlphabet[int(b[i])%len(authKeyAlphabet)]
	}
	return "0x" + string(out)
}

func checkAuthKey(k string) error {
	if k != "" && (len(k) < 6 || len(k) > 80) {
		return invalid("authKey must be 6 to 80 characters.")
	}
	return nil
}

// peerAddresses checks or assigns a new peer's addresses. IPv4 private and
// transit peers take both or neither (AWS then assigns a /30 from
// 169.254.0.0/16, never one already used on the device); public ones need
// both, and public. IPv6 addresses are always assigned (a /125).
func peerAddresses(ctx context.Context, tx *resource.Tx, typ, family, amazon, customer, device string, owner resource.Ref) (string, string, error) {
	switch family {
	case "ipv6":
		if amazon != "" || customer != "" {
			return "", "", invalid("IPv6 peer addresses are assigned by AWS: leave amazonAddress and customerAddress out.")
		}
		n, err := tx.ClaimAny(ctx, "bgp-v6:"+device, 1<<16, owner)
		if err != nil {
			return "", "", fault.New(fault.LimitExceeded, "Device %s has no free IPv6 /125 left.", device)
		}
		return v6Block(n - 1)
	case "ipv4":
	default:
		return "", "", invalid("addressFamily %s is not ipv4 or ipv6.", family)
	}
	if (amazon == "") != (customer == "") {
		return "", "", invalid("Give both amazonAddress and customerAddress, or neither.")
	}
	if amazon == "" {
		if typ == "public" {
			return "", "", invalid("A public virtual interface needs its public amazonAddress and customerAddress.")
		}
		n, err := tx.ClaimAny(ctx, "bgp-v4:"+device, 1<<14, owner)
		if err != nil {
			return "", "", fault.New(fault.LimitExceeded, "Device %s has no free 169.254.0.0/16 /30 left.", device)
		}
		return v4Block(n - 1)
	}
	a, errA := netip.ParsePrefix(amazon)
	c, errC := netip.ParsePrefix(customer)
	if errA != nil || errC != nil || !a.Addr().Is4() || !c.Addr().Is4() {
		return "", "", invalid("amazonAddress and customerAddress must be IPv4 addresses with a prefix length, e.g. 169.254.255.1/30.")
	}
	if a.Bits() != c.Bits() || (a.Bits() != 30 && a.Bits() != 31) || a.Masked() != c.Masked() || a.Addr() == c.Addr() {
		return "", "", invalid("amazonAddress and customerAddress must be two addresses of one /30 or /31.")
	}
	if typ == "public" && (a.Addr().IsPrivate() || a.Addr().IsLinkLocalUnicast() || c.Addr().IsPrivate() || c.Addr().IsLinkLocalUnicast()) {
		return "", "", invalid("A public virtual interface needs public IPv4 addresses.")
	}
	return amazon, customer, nil
}

// vifLimit is how many VIFs (of a type) a parent takes.
func (s *Service) vifQuotas(p vifParent, typ string) []string {
	switch {
	case p.hosted:
		return []string{quotaVifsPerHosted}
	case p.ref.Kind == lags.Name && typ == "transit":
		return []string{quotaVifsPerLag, quotaTransitVifsPerConnection}
	case p.ref.Kind == lags.Name:
		return []string{quotaVifsPerLag}
	case typ == "transit":
		return []string{quotaTransitVifsPerConnection}
	}
	return []string{quotaVifsPerConnection}
}

// createVif checks and stores a virtual interface on parentID, for owner
// (the caller, or the account a hosted VIF is allocated to).
func (s *Service) createVif(ctx context.Context, parentID, owner string, in vifRequest, allocated bool) (*dxapi.VirtualInterface, error) {
	who := caller.From(ctx)
	if strings.TrimSpace(in.name) == "" {
		return nil, invalid("Virtual interface name must not be empty.")
	}
	if in.vlan < 1 || in.vlan > 4094 {
		return nil, invalid("Vlan %d is not valid: a VLAN is between 1 and 4094.", in.vlan)
	}
	asn, err := asns(in.asn, in.asnLong)
	if err != nil {
		return nil, err
	}
	if err := checkAuthKey(in.authKey); err != nil {
		return nil, err
	}
	mtu := 1500
	if in.mtu != nil {
		mtu = int(*in.mtu)
	}
	if !slices.Contains(mtus[in.typ], mtu) {
		return nil, invalid("MTU %d is not valid for a %s virtual interface: %v.", mtu, in.typ, mtus[in.typ])
	}
	if in.family == "" {
		in.family = "ipv4"
	}
	if in.typ == "public" && in.family == "ipv4" && (len(in.prefixes) < 1 || len(in.prefixes) > 1000) {
		return nil, invalid("A public virtual interface needs 1 to 1,000 routeFilterPrefixes.")
	}
	var prefixes []string
	for _, p := range in.prefixes {
		pf, err := netip.ParsePrefix(smithy.Deref(p.Cidr))
		if err != nil {
			return nil, invalid("routeFilterPrefix %s is not a CIDR.", smithy.Deref(p.Cidr))
		}
		prefixes = append(prefixes, pf.String())
	}
	if in.siteLink && (in.typ == "public" || in.dxGateway == "") {
		return nil, invalid("SiteLink is only for private virtual interfaces on a Direct Connect gateway and for transit virtual interfaces.")
	}
	tags, err := newTags(in.tags)
	if err != nil && in.tags != nil {
		return nil, err
	}
	if allocated && owner == who.Account {
		return nil, invalid("Cannot allocate VirtualInterface for the connection owner.")
	}
	if _, err := rateMbps(in.rateLimit); err != nil {
		return nil, err
	}
	var out *dxapi.VirtualInterface
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		p, err := s.loadVifParent(ctx, tx.Reader(), parentID)
		if err != nil {
			return err
		}
		if !live(p.state) {
			return fault.New(fault.Conflict, "%s is %s.", parentID, p.state)
		}
		if p.hosted && in.vlan != p.vlan {
			return invalid("Hosted connection %s carries VLAN %d: its virtual interface uses it, not %d.", parentID, p.vlan, in.vlan)
		}
		m := resource.Meta{ID: newID("dxvif"), Account: owner, Region: who.Region, Parent: p.ref}
		ref, onParent, addrs := vifClaims(m.ID)
		v := &vif{Name: in.name, Type: in.typ, Vlan: in.vlan, Location: p.location, Device: p.device, MTU: mtu,
			SiteLink: in.siteLink, RateLimit: in.rateLimit, Prefixes: prefixes, Tags: tags, CreatedAt: tx.Now()}
		if err := s.vifTarget(ctx, tx, v, in.vgw, in.dxGateway, ref); err != nil {
			return err
		}
		if !p.hosted {
			if err := claimVlan(ctx, tx, parentID, in.vlan, onParent); err != nil {
				return err
			}
		}
		for _, q := range s.vifQuotas(p, in.typ) {
			if err := s.takeScopedQuota(ctx, tx, q, parentID, onParent); err != nil {
				return err
			}
		}
		if err := s.shiftRate(ctx, tx, p.ref, "", in.rateLimit); err != nil {
			return err
		}
		authKey := in.authKey
		if authKey == "" {
			authKey = newAuthKey()
		}
		amazon, customer, err := peerAddresses(ctx, tx, in.typ, in.family, in.amazonAddress, in.customerAddress, p.device, addrs)
		if err != nil {
			return err
		}
		v.Peers = []bgpPeer{{ID: newID("dxpeer"), Family: in.family, ASN: asn, AuthKey: authKey, AmazonAddress: amazon, CustomerAddress: customer, State: string(dxapi.BGPPeerStatePending)}}
		step := stepVifProvision
		switch {
		case allocated:
			v.State = vifConfirming
			step = ""
		case in.typ == "public":
			v.State, step = vifVerifying, stepVifVerify
		default:
			v.State = vifPending
		}
		o, err := vifs.Create(ctx, tx, m, v, nil)
		if err != nil {
			return err
		}
		if step != "" {
			if err := s.facility.Schedule(ctx, tx, resourceOf(vifs.Name, o.Meta), step); err != nil {
				return err
			}
		}
		out = apiVif(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AWS assigns IPv4 peer addresses as the n-th /30 of 169.254.0.0/16 and
// IPv6 ones as the n-th /125 of a pool of its own (dxlab's: 2600:1f1e::/32);
// the block's index is the claim that keeps it unique on a device.
func v4Block(i int) (amazon, customer string, err error) {
	base := netip.AddrFrom4([4]byte{169, 254, byte(i >> 6), byte(i&63) << 2})
	return base.Next().String() + "/30", base.Next().Next().String() + "/30", nil
}

func v6Block(i int) (amazon, customer string, err error) {
	base := fmt.Sprintf("2600:1f1e:%x:%x::", i>>8, i&0xff)
	return base + "1/125", base + "2/125", nil
}

// assignedBlock says which claim an address AWS assigned came from, or
// false for an address the customer gave.
func assignedBlock(amazon string) (scope string, key int, ok bool) {
	p, err := netip.ParsePrefix(amazon)
	if err != nil {
		return "", 0, false
	}
	a := p.Addr()
	switch {
	case a.Is4() && p.Bits() == 30 && netip.MustParsePrefix("169.254.0.0/16").Contains(a):
		b := a.As4()
		return "bgp-v4:", int(b[2])<<6 | int(b[3])>>2 + 1, true
	case a.Is6() && p.Bits() == 125 && netip.MustParsePrefix("2600:1f1e::/32").Contains(a):
		b := a.As16()
		return "bgp-v6:", (int(b[4])<<8|int(b[5]))<<8 | (int(b[6])<<8 | int(b[7])) + 1, true
	}
	return "", 0, false
}

// vifClaims are the owners a VIF's claims are held under, by what they
// follow: the VIF itself (a unit of its DX gateway's quota), its place on
// its parent (its VLAN, the parent's VIF quota), and its addresses on the
// parent's device. Moving a VIF moves the last two.
func vifClaims(id string) (self, onParent, addrs resource.Ref) {
	return resource.Ref{Kind: vifs.Name, ID: id}, resource.Ref{Kind: vifs.Name + "/parent", ID: id}, resource.Ref{Kind: vifs.Name + "/addr", ID: id}
}

// releaseVif drops every claim a VIF holds.
func releaseVif(ctx context.Context, tx *resource.Tx, id string) error {
	self, onParent, addrs := vifClaims(id)
	for _, r := range []resource.Ref{self, onParent, addrs} {
		if err := tx.Release(ctx, r.Kind, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// vifTarget checks and sets what a VIF reaches: a VGW or a Direct Connect
// gateway for a private one, a Direct Connect gateway for a transit one,
// nothing for a public one (nor for a hosted VIF not yet confirmed).
func (s *Service) vifTarget(ctx context.Context, tx *resource.Tx, v *vif, vgw, dxgw string, ref resource.Ref) error {
	switch {
	case v.Type == "public":
		v.AmazonSideASN = publicAmazonASN
		return nil
	case vgw != "" && dxgw != "":
		return invalid("Give a virtualGatewayId or a directConnectGatewayId, not both.")
	case vgw != "" && v.Type == "transit":
		return invalid("A transit virtual interface attaches to a Direct Connect gateway, not a virtual private gateway.")
	case vgw != "":
		g, err := s.gateways.Find(ctx, tx, vgw)
		if err != nil {
			return err
		}
		v.VGW, v.AmazonSideASN = vgw, g.Doc.ASN
	case dxgw != "":
		if err := checkGatewayID(dxgw); err != nil {
			return err
		}
		g, err := gateway.Kind.LoadAs(ctx, tx.Reader(), dxgw, resource.Owner)
		if err != nil {
			return err
		}
		if g.Doc.State == gateway.StateDeleting {
			return fault.New(fault.Conflict, "Direct Connect Gateway %s is being deleted.", dxgw)
		}
		if err := s.takeScopedQuota(ctx, tx, quotaVifsPerGateway, dxgw, ref); err != nil {
			return err
		}
		v.DXGateway, v.AmazonSideASN = dxgw, g.Doc.AmazonSideASN
	}
	return nil
}

func (p *bgpPeer) api(v *vif) dxapi.BGPPeer {
	out := dxapi.BGPPeer{
		BgpPeerId: smithy.Ptr(p.ID), AddressFamily: smithy.Ptr(dxapi.AddressFamily(p.Family)),
		AmazonAddress: smithy.Ptr(p.AmazonAddress), CustomerAddress: smithy.Ptr(p.CustomerAddress),
		AuthKey: smithy.Ptr(p.AuthKey), BgpPeerState: smithy.Ptr(dxapi.BGPPeerState(p.State)),
		BgpStatus: smithy.Ptr(p.status(v)),
	}
	out.Asn, out.AsnLong = apiASN(p.ASN)
	return out
}

// apiASN reports an ASN in both fields, with asn 0 for a 4-byte one, as
// AWS does.
func apiASN(asn int64) (*int32, *int64) {
	if asn > 65535 {
		return smithy.Ptr(int32(0)), smithy.Ptr(asn)
	}
	return smithy.Ptr(int32(asn)), smithy.Ptr(asn)
}

func apiVif(o *resource.Object[vif]) *dxapi.VirtualInterface {
	v := o.Doc
	out := &dxapi.VirtualInterface{
		VirtualInterfaceId:    smithy.Ptr(o.ID),
		VirtualInterfaceName:  smithy.Ptr(v.Name),
		VirtualInterfaceType:  smithy.Ptr(v.Type),
		VirtualInterfaceState: smithy.Ptr(v.State),
		OwnerAccount:          smithy.Ptr(o.Account),
		Region:                smithy.Ptr(o.Region),
		ConnectionId:          smithy.Ptr(o.Parent.ID),
		Location:              smithy.Ptr(v.Location),
		Vlan:                  smithy.Ptr(int32(v.Vlan)),
		AmazonSideAsn:         smithy.Ptr(v.AmazonSideASN),
		Mtu:                   smithy.Ptr(int32(v.MTU)),
		JumboFrameCapable:     smithy.Ptr(v.Type != "public"),
		SiteLinkEnabled:       smithy.Ptr(v.SiteLink),
		AwsDeviceV2:           smithy.Ptr(v.Device),
		AwsLogicalDeviceId:    smithy.Ptr(v.Device),
		BgpPeers:              []dxapi.BGPPeer{},
		RouteFilterPrefixes:   []dxapi.RouteFilterPrefix{},
		Tags:                  apiTags(v.Tags),
	}
	if v.VGW != "" {
		out.VirtualGatewayId = smithy.Ptr(v.VGW)
	}
	if v.DXGateway != "" {
		out.DirectConnectGatewayId = smithy.Ptr(v.DXGateway)
	}
	if v.RateLimit != "" {
		out.RateLimit = smithy.Ptr(v.RateLimit)
	}
	for _, p := range v.Prefixes {
		out.RouteFilterPrefixes = append(out.RouteFilterPrefixes, dxapi.RouteFilterPrefix{Cidr: smithy.Ptr(p)})
	}
	for i := range v.Peers {
		out.BgpPeers = append(out.BgpPeers, v.Peers[i].api(v))
	}
	// The VIF's own address fields are its first peer's, as AWS shows them.
	if len(v.Peers) > 0 {
		first := v.Peers[0]
		out.AddressFamily = smithy.Ptr(dxapi.AddressFamily(first.Family))
		out.AmazonAddress, out.CustomerAddress, out.AuthKey = smithy.Ptr(first.AmazonAddress), smithy.Ptr(first.CustomerAddress), smithy.Ptr(first.AuthKey)
		out.Asn, out.AsnLong = apiASN(first.ASN)
	}
	out.CustomerRouterConfig = smithy.Ptr(routerconfig.XML(routerInterface(o)))
	return out
}

// routerInterface describes a VIF to the router configuration renderer.
func routerInterface(o *resource.Object[vif]) routerconfig.Interface {
	v := o.Doc
	ri := routerconfig.Interface{ID: o.ID, Name: v.Name, Type: v.Type, VLAN: v.Vlan, AmazonASN: v.AmazonSideASN, MTU: v.MTU, RouteFilterPrefixes: v.Prefixes}
	for _, p := range v.Peers {
		if p.State == string(dxapi.BGPPeerStateDeleting) || p.State == string(dxapi.BGPPeerStateDeleted) {
			continue
		}
		ri.Peers = append(ri.Peers, routerconfig.Peer{AddressFamily: p.Family, ASN: p.ASN, AuthKey: p.AuthKey, CustomerAddress: p.CustomerAddress, AmazonAddress: p.AmazonAddress})
	}
	return ri
}

func privateRequest(in *dxapi.NewPrivateVirtualInterface) vifRequest {
	return vifRequest{typ: "private", name: smithy.Deref(in.VirtualInterfaceName), vlan: int(smithy.Deref(in.Vlan)), family: string(smithy.Deref(in.AddressFamily)),
		asn: in.Asn, asnLong: in.AsnLong, authKey: smithy.Deref(in.AuthKey), amazonAddress: smithy.Deref(in.AmazonAddress), customerAddress: smithy.Deref(in.CustomerAddress),
		mtu: in.Mtu, vgw: smithy.Deref(in.VirtualGatewayId), dxGateway: smithy.Deref(in.DirectConnectGatewayId), siteLink: smithy.Deref(in.EnableSiteLink),
		rateLimit: smithy.Deref(in.RateLimit), tags: in.Tags}
}

func (s *Service) CreatePrivateVirtualInterface(ctx context.Context, in *dxapi.CreatePrivateVirtualInterfaceRequest) (*dxapi.VirtualInterface, error) {
	req := privateRequest(ptrOr(in.NewPrivateVirtualInterface))
	if req.vgw == "" && req.dxGateway == "" {
		return nil, invalid("A private virtual interface needs a virtualGatewayId or a directConnectGatewayId.")
	}
	return s.createVif(ctx, smithy.Deref(in.ConnectionId), caller.From(ctx).Account, req, false)
}

func (s *Service) CreatePublicVirtualInterface(ctx context.Context, in *dxapi.CreatePublicVirtualInterfaceRequest) (*dxapi.VirtualInterface, error) {
	n := smithy.Deref(ptrOr(in.NewPublicVirtualInterface))
	return s.createVif(ctx, smithy.Deref(in.ConnectionId), caller.From(ctx).Account, vifRequest{typ: "public", name: smithy.Deref(n.VirtualInterfaceName),
		vlan: int(smithy.Deref(n.Vlan)), family: string(smithy.Deref(n.AddressFamily)), asn: n.Asn, asnLong: n.AsnLong, authKey: smithy.Deref(n.AuthKey),
		amazonAddress: smithy.Deref(n.AmazonAddress), customerAddress: smithy.Deref(n.CustomerAddress), rateLimit: smithy.Deref(n.RateLimit),
		prefixes: n.RouteFilterPrefixes, tags: n.Tags}, false)
}

func (s *Service) CreateTransitVirtualInterface(ctx context.Context, in *dxapi.CreateTransitVirtualInterfaceRequest) (*dxapi.CreateTransitVirtualInterfaceResult, error) {
	n := smithy.Deref(ptrOr(in.NewTransitVirtualInterface))
	if n.DirectConnectGatewayId == nil {
		return nil, invalid("A transit virtual interface needs a directConnectGatewayId.")
	}
	v, err := s.createVif(ctx, smithy.Deref(in.ConnectionId), caller.From(ctx).Account, vifRequest{typ: "transit", name: smithy.Deref(n.VirtualInterfaceName),
		vlan: int(smithy.Deref(n.Vlan)), family: string(smithy.Deref(n.AddressFamily)), asn: n.Asn, asnLong: n.AsnLong, authKey: smithy.Deref(n.AuthKey),
		amazonAddress: smithy.Deref(n.AmazonAddress), customerAddress: smithy.Deref(n.CustomerAddress), mtu: n.Mtu, dxGateway: smithy.Deref(n.DirectConnectGatewayId),
		siteLink: smithy.Deref(n.EnableSiteLink), rateLimit: smithy.Deref(n.RateLimit), tags: n.Tags}, false)
	if err != nil {
		return nil, err
	}
	return &dxapi.CreateTransitVirtualInterfaceResult{VirtualInterface: v}, nil
}

func (s *Service) AllocatePrivateVirtualInterface(ctx context.Context, in *dxapi.AllocatePrivateVirtualInterfaceRequest) (*dxapi.VirtualInterface, error) {
	n := smithy.Deref(ptrOr(in.NewPrivateVirtualInterfaceAllocation))
	return s.createVif(ctx, smithy.Deref(in.ConnectionId), smithy.Deref(in.OwnerAccount), vifRequest{typ: "private", name: smithy.Deref(n.VirtualInterfaceName),
		vlan: int(smithy.Deref(n.Vlan)), family: string(smithy.Deref(n.AddressFamily)), asn: n.Asn, asnLong: n.AsnLong, authKey: smithy.Deref(n.AuthKey),
		amazonAddress: smithy.Deref(n.AmazonAddress), customerAddress: smithy.Deref(n.CustomerAddress), mtu: n.Mtu, rateLimit: smithy.Deref(n.RateLimit), tags: n.Tags}, true)
}

func (s *Service) AllocatePublicVirtualInterface(ctx context.Context, in *dxapi.AllocatePublicVirtualInterfaceRequest) (*dxapi.VirtualInterface, error) {
	n := smithy.Deref(ptrOr(in.NewPublicVirtualInterfaceAllocation))
	return s.createVif(ctx, smithy.Deref(in.ConnectionId), smithy.Deref(in.OwnerAccount), vifRequest{typ: "public", name: smithy.Deref(n.VirtualInterfaceName),
		vlan: int(smithy.Deref(n.Vlan)), family: string(smithy.Deref(n.AddressFamily)), asn: n.Asn, asnLong: n.AsnLong, authKey: smithy.Deref(n.AuthKey),
		amazonAddress: smithy.Deref(n.AmazonAddress), customerAddress: smithy.Deref(n.CustomerAddress), rateLimit: smithy.Deref(n.RateLimit),
		prefixes: n.RouteFilterPrefixes, tags: n.Tags}, true)
}

func (s *Service) AllocateTransitVirtualInterface(ctx context.Context, in *dxapi.AllocateTransitVirtualInterfaceRequest) (*dxapi.AllocateTransitVirtualInterfaceResult, error) {
	n := smithy.Deref(ptrOr(in.NewTransitVirtualInterfaceAllocation))
	v, err := s.createVif(ctx, smithy.Deref(in.ConnectionId), smithy.Deref(in.OwnerAccount), vifRequest{typ: "transit", name: smithy.Deref(n.VirtualInterfaceName),
		vlan: int(smithy.Deref(n.Vlan)), family: string(smithy.Deref(n.AddressFamily)), asn: n.Asn, asnLong: n.AsnLong, authKey: smithy.Deref(n.AuthKey),
		amazonAddress: smithy.Deref(n.AmazonAddress), customerAddress: smithy.Deref(n.CustomerAddress), mtu: n.Mtu, rateLimit: smithy.Deref(n.RateLimit), tags: n.Tags}, true)
	if err != nil {
		return nil, err
	}
	return &dxapi.AllocateTransitVirtualInterfaceResult{VirtualInterface: v}, nil
}

// ptrOr returns p, or a pointer to T's zero value for an absent member (the
// validators require these, but a handler must not panic without them).
func ptrOr[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// confirmVif is the owner of a hosted VIF accepting it.
func (s *Service) confirmVif(ctx context.Context, id, typ, vgw, dxgw string) (dxapi.VirtualInterfaceState, error) {
	if err := checkVifID(id); err != nil {
		return "", err
	}
	var state dxapi.VirtualInterfaceState
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := vifs.LoadAs(ctx, tx.Reader(), id, resource.Owner)
		if err != nil {
			return err
		}
		if o.Doc.Type != typ {
			return invalid("Virtual interface %s is a %s virtual interface.", id, o.Doc.Type)
		}
		if o.Doc.State != vifConfirming {
			return fault.New(fault.Conflict, "Virtual interface %s is %s; only one that is confirming can be confirmed.", id, o.Doc.State)
		}
		if err := s.vifTarget(ctx, tx, o.Doc, vgw, dxgw, resource.Ref{Kind: vifs.Name, ID: id}); err != nil {
			return err
		}
		step := stepVifProvision
		o.Doc.State = vifPending
		if typ == "public" {
			o.Doc.State, step = vifVerifying, stepVifVerify
		}
		state = o.Doc.State
		if err := vifs.Save(ctx, tx, o); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, resourceOf(vifs.Name, o.Meta), step)
	})
	return state, err
}

func (s *Service) ConfirmPrivateVirtualInterface(ctx context.Context, in *dxapi.ConfirmPrivateVirtualInterfaceRequest) (*dxapi.ConfirmPrivateVirtualInterfaceResponse, error) {
	vgw, dxgw := smithy.Deref(in.VirtualGatewayId), smithy.Deref(in.DirectConnectGatewayId)
	if vgw == "" && dxgw == "" {
		return nil, invalid("Confirm a private virtual interface to a virtualGatewayId or a directConnectGatewayId.")
	}
	st, err := s.confirmVif(ctx, smithy.Deref(in.VirtualInterfaceId), "private", vgw, dxgw)
	if err != nil {
		return nil, err
	}
	return &dxapi.ConfirmPrivateVirtualInterfaceResponse{VirtualInterfaceState: smithy.Ptr(st)}, nil
}

func (s *Service) ConfirmPublicVirtualInterface(ctx context.Context, in *dxapi.ConfirmPublicVirtualInterfaceRequest) (*dxapi.ConfirmPublicVirtualInterfaceResponse, error) {
	st, err := s.confirmVif(ctx, smithy.Deref(in.VirtualInterfaceId), "public", "", "")
	if err != nil {
		return nil, err
	}
	return &dxapi.ConfirmPublicVirtualInterfaceResponse{VirtualInterfaceState: smithy.Ptr(st)}, nil
}

func (s *Service) ConfirmTransitVirtualInterface(ctx context.Context, in *dxapi.ConfirmTransitVirtualInterfaceRequest) (*dxapi.ConfirmTransitVirtualInterfaceResponse, error) {
	dxgw := smithy.Deref(in.DirectConnectGatewayId)
	if dxgw == "" {
		return nil, invalid("Confirm a transit virtual interface to a directConnectGatewayId.")
	}
	st, err := s.confirmVif(ctx, smithy.Deref(in.VirtualInterfaceId), "transit", "", dxgw)
	if err != nil {
		return nil, err
	}
	return &dxapi.ConfirmTransitVirtualInterfaceResponse{VirtualInterfaceState: smithy.Ptr(st)}, nil
}

var vifPages = page.Options{Max: MaxPageSize}

// DescribeVirtualInterfaces lists the VIFs the caller sees (its own, and
// those allocated on its connections), of one connection or all, or the one
// named; deleted ones are listed for 15 minutes.
func (s *Service) DescribeVirtualInterfaces(ctx context.Context, in *dxapi.DescribeVirtualInterfacesRequest) (*dxapi.VirtualInterfaces, error) {
	out := &dxapi.VirtualInterfaces{VirtualInterfaces: []dxapi.VirtualInterface{}}
	if id := smithy.Deref(in.VirtualInterfaceId); id != "" {
		if err := checkVifID(id); err != nil {
			return nil, err
		}
		err := s.peek(ctx, func(r store.Reader) error {
			o, err := vifs.Load(ctx, r, id)
			if err == nil {
				out.VirtualInterfaces = append(out.VirtualInterfaces, *apiVifFor(ctx, o))
			}
			return err
		})
		return out, err
	}
	parent := smithy.Deref(in.ConnectionId)
	scope := pageScope(ctx, "DescribeVirtualInterfaces", parent)
	req, err := page.Read(scope, vifPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	err = s.view(ctx, func(r store.Reader) error {
		q := resource.Visible(ctx)
		q.After, q.Limit = req.After, req.Fetch()
		if parent != "" {
			p, err := s.findParentRef(ctx, r, parent)
			if err != nil {
				return err
			}
			q.Parent = p.String()
		}
		list, err := vifs.List(ctx, r, q)
		if err != nil {
			return err
		}
		if err := req.Whole(len(list), "virtual interfaces"); err != nil {
			return err
		}
		list, out.NextToken = page.Trim(scope, req, list, objectID[vif])
		for _, o := range list {
			out.VirtualInterfaces = append(out.VirtualInterfaces, *apiVifFor(ctx, o))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// apiVifFor renders a VIF for the caller: tags are its owner's alone.
func apiVifFor(ctx context.Context, o *resource.Object[vif]) *dxapi.VirtualInterface {
	out := apiVif(o)
	if o.RoleOf(caller.From(ctx)) != resource.Owner {
		out.Tags = []dxapi.Tag{}
	}
	return out
}

// findParentRef names the kind of a connection, LAG or interconnect id.
func (s *Service) findParentRef(ctx context.Context, r store.Reader, id string) (resource.Ref, error) {
	if strings.HasPrefix(id, "dxlag-") {
		return lagRef(id), checkLagID(id)
	}
	if err := checkConnectionID(id); err != nil {
		return resource.Ref{}, err
	}
	if _, err := interconnects.Get(ctx, r, id); err == nil {
		return resource.Ref{Kind: interconnects.Name, ID: id}, nil
	}
	return resource.Ref{Kind: connections.Name, ID: id}, nil
}

func (s *Service) UpdateVirtualInterfaceAttributes(ctx context.Context, in *dxapi.UpdateVirtualInterfaceAttributesRequest) (*dxapi.VirtualInterface, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	if in.VirtualInterfaceName != nil && strings.TrimSpace(*in.VirtualInterfaceName) == "" {
		return nil, invalid("Virtual interface name must not be empty.")
	}
	if _, err := rateMbps(smithy.Deref(in.RateLimit)); err != nil {
		return nil, err
	}
	var out *dxapi.VirtualInterface
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := vifs.LoadAs(ctx, tx.Reader(), id, resource.Owner)
		if err != nil {
			return err
		}
		v := o.Doc
		if err := refuseGone("Virtual interface", id, string(v.State)); err != nil {
			return err
		}
		if in.Mtu != nil {
			if !slices.Contains(mtus[v.Type], int(*in.Mtu)) {
				return invalid("MTU %d is not valid for a %s virtual interface: %v.", *in.Mtu, v.Type, mtus[v.Type])
			}
			v.MTU = int(*in.Mtu)
		}
		if in.EnableSiteLink != nil {
			if *in.EnableSiteLink && (v.Type == "public" || v.DXGateway == "") {
				return invalid("SiteLink is only for private virtual interfaces on a Direct Connect gateway and for transit virtual interfaces.")
			}
			v.SiteLink = *in.EnableSiteLink
		}
		if in.VirtualInterfaceName != nil {
			v.Name = *in.VirtualInterfaceName
		}
		if in.RateLimit != nil {
			// An empty rateLimit removes the VIF's rate limit.
			if err := s.shiftRate(ctx, tx, o.Parent, v.RateLimit, *in.RateLimit); err != nil {
				return err
			}
			v.RateLimit = *in.RateLimit
		}
		if err := vifs.Save(ctx, tx, o); err != nil {
			return err
		}
		out = apiVif(o)
		return nil
	})
	return out, err
}

// DeleteVirtualInterface deletes a VIF: its owner, or the owner of the
// connection it is on, may. A hosted VIF its owner declines while
// confirming is rejected.
func (s *Service) DeleteVirtualInterface(ctx context.Context, in *dxapi.DeleteVirtualInterfaceRequest) (*dxapi.DeleteVirtualInterfaceResponse, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	var state dxapi.VirtualInterfaceState
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := vifs.Load(ctx, tx.Reader(), id)
		if err != nil {
			return err
		}
		switch o.Doc.State {
		case vifDeleting, vifDeleted, vifRejected:
			return fault.New(fault.Conflict, "Virtual interface %s is already %s.", id, o.Doc.State)
		}
		step := stepVifDelete
		if o.Doc.State == vifConfirming && o.RoleOf(caller.From(ctx)) == resource.Owner {
			o.Doc.State, step = vifRejected, stepVifForget
		} else {
			o.Doc.State = vifDeleting
		}
		for i := range o.Doc.Peers {
			o.Doc.Peers[i].State = string(dxapi.BGPPeerStateDeleting)
		}
		state = o.Doc.State
		if err := tx.UnscheduleFor(ctx, vifs.Name, id); err != nil {
			return err
		}
		if err := releaseVif(ctx, tx, id); err != nil {
			return err
		}
		if err := s.shiftRate(ctx, tx, o.Parent, o.Doc.RateLimit, ""); err != nil {
			return err
		}
		if err := vifs.Save(ctx, tx, o); err != nil {
			return err
		}
		return s.facility.Schedule(ctx, tx, resourceOf(vifs.Name, o.Meta), step)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.DeleteVirtualInterfaceResponse{VirtualInterfaceState: smithy.Ptr(state)}, nil
}

// vifsFollow carries a parent's state to the provisioned VIFs on it.
func (s *Service) vifsFollow(ctx context.Context, tx *resource.Tx, p resource.Ref, parentState string) error {
	list, err := vifs.List(ctx, tx.Reader(), store.ListQuery{Parent: p.String()})
	if err != nil {
		return err
	}
	for _, o := range list {
		if st := o.Doc.State; st != vifAvailable && st != vifDown {
			continue
		}
		next := vifDown
		if parentState == "available" {
			next = vifAvailable
		}
		if next != o.Doc.State {
			o.Doc.State = next
			if err := vifs.Save(ctx, tx, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkNoVifs refuses to delete a connection, LAG or interconnect that
// still carries virtual interfaces that are not deleted.
func (s *Service) checkNoVifs(ctx context.Context, r store.Reader, p resource.Ref) error {
	list, err := vifs.List(ctx, r, store.ListQuery{Parent: p.String()})
	if err != nil {
		return err
	}
	for _, o := range list {
		if live(string(o.Doc.State)) {
			return fault.New(fault.Conflict, "%s carries virtual interface %s (%s); delete its virtual interfaces first.", p.ID, o.ID, o.Doc.State)
		}
	}
	return nil
}

// vifSteps are what AWS does to virtual interfaces on its own.
func (s *Service) vifSteps() []facility.Step {
	move := func(change func(ctx context.Context, tx *resource.Tx, o *resource.Object[vif]) (string, error)) func(context.Context, *resource.Tx, store.Transition) error {
		return func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
			o, err := vifs.Get(ctx, tx.Reader(), t.ResourceID)
			if err != nil {
				return ignoreGone(err)
			}
			next, err := change(ctx, tx, o)
			if err != nil || next == "" {
				return err
			}
			if next == "forget" {
				return vifs.Delete(ctx, tx, o)
			}
			if err := vifs.Save(ctx, tx, o); err != nil {
				return err
			}
			return s.facility.Schedule(ctx, tx, resourceOf(vifs.Name, o.Meta), next)
		}
	}
	return []facility.Step{
		{Name: stepVifVerify, Actor: facility.AWSStaff, Note: "AWS verifies the public virtual interface's prefixes and ASN (verifying -> pending)",
			Apply: move(func(ctx context.Context, tx *resource.Tx, o *resource.Object[vif]) (string, error) {
				if o.Doc.State != vifVerifying {
					return "", nil
				}
				o.Doc.State = vifPending
				return stepVifProvision, nil
			})},
		{Name: stepVifProvision, Actor: facility.Automation, Note: "AWS provisions the virtual interface and its BGP peers (pending -> available, or down if its connection is down)",
			Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
				o, err := vifs.Get(ctx, tx.Reader(), t.ResourceID)
				if err != nil || o.Doc.State != vifPending {
					return ignoreGone(err)
				}
				state, err := s.parentStateOf(ctx, tx.Reader(), o.Parent)
				if err != nil {
					return err
				}
				o.Doc.State = vifDown
				if state == "available" {
					o.Doc.State = vifAvailable
				}
				for i := range o.Doc.Peers {
					if o.Doc.Peers[i].State == string(dxapi.BGPPeerStatePending) {
						o.Doc.Peers[i].State = string(dxapi.BGPPeerStateAvailable)
					}
				}
				return vifs.Save(ctx, tx, o)
			}},
		{Name: stepVifDelete, Actor: facility.Automation, Note: "AWS removes the virtual interface (deleting -> deleted, listed 15 more minutes)",
			Apply: move(func(ctx context.Context, tx *resource.Tx, o *resource.Object[vif]) (string, error) {
				if o.Doc.State != vifDeleting {
					return "", nil
				}
				o.Doc.State = vifDeleted
				for i := range o.Doc.Peers {
					o.Doc.Peers[i].State = string(dxapi.BGPPeerStateDeleted)
				}
				return stepVifForget, nil
			})},
		{Name: stepVifForget, Actor: facility.Housekeeping, Delay: DeletedRetention, Note: "AWS stops listing the deleted virtual interface",
			Apply: move(func(ctx context.Context, tx *resource.Tx, o *resource.Object[vif]) (string, error) {
				return "forget", nil
			})},
	}
}

// parentStateOf reads the state of whatever a VIF is on.
func (s *Service) parentStateOf(ctx context.Context, r store.Reader, p resource.Ref) (string, error) {
	if p.Kind == connections.Name {
		c, err := connections.Get(ctx, r, p.ID)
		if err != nil {
			return "", err
		}
		return string(c.Doc.State), nil
	}
	return s.parentState(ctx, r, p)
}

// DescribeVirtualGateways lists the caller's virtual private gateways of
// the region, from dxlab's registry of the EC2 side.
func (s *Service) DescribeVirtualGateways(ctx context.Context, _ *dxapi.DescribeVirtualGatewaysInput) (*dxapi.VirtualGateways, error) {
	out := &dxapi.VirtualGateways{VirtualGateways: []dxapi.VirtualGateway{}}
	err := s.view(ctx, func(r store.Reader) error {
		list, err := vpc.VGWs(ctx, r)
		for _, g := range list {
			out.VirtualGateways = append(out.VirtualGateways, dxapi.VirtualGateway{VirtualGatewayId: smithy.Ptr(g.ID), VirtualGatewayState: smithy.Ptr("available")})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AssociateVirtualInterface moves a VIF to another connection or LAG at
// the same location that the caller owns (the caller owns the VIF or its
// current connection). Its VLAN must be free there, and the addresses AWS
// assigned it free on the new device. Its BGP peers are recreated on the
// new path: the answer shows the old ones deleting and new ones pending,
// with the same addresses, as AWS's example does.
func (s *Service) AssociateVirtualInterface(ctx context.Context, in *dxapi.AssociateVirtualInterfaceRequest) (*dxapi.VirtualInterface, error) {
	id, target := smithy.Deref(in.VirtualInterfaceId), smithy.Deref(in.ConnectionId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	var out *dxapi.VirtualInterface
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := vifs.Load(ctx, tx.Reader(), id)
		if err != nil {
			return err
		}
		p, err := s.loadVifParent(ctx, tx.Reader(), target)
		if err != nil {
			return err
		}
		v := o.Doc
		switch {
		case !live(string(v.State)) || v.State == vifConfirming:
			return fault.New(fault.Conflict, "Virtual interface %s is %s.", id, v.State)
		case p.ref == o.Parent:
			out = apiVif(o)
			return nil
		case p.hosted:
			return invalid("Virtual interfaces cannot be moved onto hosted connection %s.", target)
		case p.location != v.Location:
			return invalid("%s is at %s; virtual interface %s is at %s.", target, p.location, id, v.Location)
		case !live(p.state):
			return fault.New(fault.Conflict, "%s is %s.", target, p.state)
		}
		_, onParent, addrs := vifClaims(id)
		if err := tx.Release(ctx, onParent.Kind, onParent.ID); err != nil {
			return err
		}
		if err := claimVlan(ctx, tx, target, v.Vlan, onParent); err != nil {
			return err
		}
		for _, q := range s.vifQuotas(p, v.Type) {
			if err := s.takeScopedQuota(ctx, tx, q, target, onParent); err != nil {
				return err
			}
		}
		if p.device != v.Device {
			if err := tx.Release(ctx, addrs.Kind, addrs.ID); err != nil {
				return err
			}
			for _, peer := range v.Peers {
				scope, key, ok := assignedBlock(peer.AmazonAddress)
				if !ok {
					continue
				}
				err := tx.Claim(ctx, store.Claim{Scope: scope + p.device, Key: strconv.Itoa(key), OwnerKind: addrs.Kind, OwnerID: addrs.ID})
				if errors.Is(err, store.ErrConflict) {
					return invalid("Address %s of virtual interface %s is in use on device %s.", peer.AmazonAddress, id, p.device)
				}
				if err != nil {
					return err
				}
			}
		}
		if err := s.shiftRate(ctx, tx, o.Parent, v.RateLimit, ""); err != nil {
			return err
		}
		if err := s.shiftRate(ctx, tx, p.ref, "", v.RateLimit); err != nil {
			return err
		}
		old := slices.Clone(v.Peers)
		for i := range v.Peers {
			v.Peers[i].ID, v.Peers[i].State = newID("dxpeer"), string(dxapi.BGPPeerStatePending)
		}
		o.Parent, v.Device, v.State = p.ref, p.device, vifPending
		if err := tx.UnscheduleFor(ctx, vifs.Name, id); err != nil {
			return err
		}
		if err := vifs.Save(ctx, tx, o); err != nil {
			return err
		}
		out = apiVif(o)
		for i := range old {
			old[i].State = string(dxapi.BGPPeerStateDeleting)
			out.BgpPeers = append([]dxapi.BGPPeer{old[i].api(v)}, out.BgpPeers...)
		}
		return s.facility.Schedule(ctx, tx, resourceOf(vifs.Name, o.Meta), stepVifProvision)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
