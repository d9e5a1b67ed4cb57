package directconnect

import (
	"context"
	"slices"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
)

// A BGP peer of a virtual interface, one per address family:
//
//	pending   -> available  provisioned with its VIF (or, added later, at
//	                        once on a provisioned VIF)
//	available -> deleting   DeleteBGPPeer; gone from the VIF at once after
//	                        the answer (the last peer cannot be deleted)
//
// Its bgpStatus is up while its VIF is available, it is available, and the
// customer's side of the session is up (an operator can take that down).
type bgpPeer struct {
	ID              string `json:"id"`
	Family          string `json:"family"`
	ASN             int64  `json:"asn"`
	AuthKey         string `json:"authKey"`
	AmazonAddress   string `json:"amazonAddress"`
	CustomerAddress string `json:"customerAddress"`
	State           string `json:"state"`
	// CustomerDown: an operator took the customer's router session down.
	CustomerDown bool `json:"customerDown,omitempty"`
	// Testing: a failover test holds the session down.
	Testing bool `json:"testing,omitempty"`
	// Routes are what the customer announces over the session (operator).
	Routes []string `json:"routes,omitempty"`
}

// status is the session's bgpStatus. A customer announcing more routes than
// AWS's per-session limit takes the session down, as AWS documents.
func (p *bgpPeer) status(v *vif) dxapi.BGPStatus {
	if v.State == vifAvailable && p.State == string(dxapi.BGPPeerStateAvailable) && !p.CustomerDown && !p.Testing && len(p.Routes) <= routeLimit(v.Type) {
		return dxapi.BGPStatusUp
	}
	return dxapi.BGPStatusDown
}

func (s *Service) CreateBGPPeer(ctx context.Context, in *dxapi.CreateBGPPeerRequest) (*dxapi.CreateBGPPeerResponse, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	n := smithy.Deref(ptrOr(in.NewBGPPeer))
	family := string(smithy.Deref(n.AddressFamily))
	asn, err := asns(n.Asn, n.AsnLong)
	if err != nil {
		return nil, err
	}
	authKey := smithy.Deref(n.AuthKey)
	if err := checkAuthKey(authKey); err != nil {
		return nil, err
	}
	if authKey == "" {
		authKey = newAuthKey()
	}
	var out *dxapi.VirtualInterface
	err = s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := vifs.LoadAs(ctx, tx.Reader(), id, resource.Owner)
		if err != nil {
			return err
		}
		v := o.Doc
		if !live(string(v.State)) {
			return fault.New(fault.Conflict, "Virtual interface %s is %s.", id, v.State)
		}
		if slices.ContainsFunc(v.Peers, func(p bgpPeer) bool { return p.Family == family && p.State != string(dxapi.BGPPeerStateDeleting) }) {
			return invalid("Virtual interface %s already has a BGP peer of address family %s: one per family.", id, family)
		}
		_, _, addrs := vifClaims(id)
		amazon, customer, err := peerAddresses(ctx, tx, v.Type, family, smithy.Deref(n.AmazonAddress), smithy.Deref(n.CustomerAddress), v.Device, addrs)
		if err != nil {
			return err
		}
		// On a provisioned VIF (a failover test's too) the peer is
		// provisioned at once; otherwise with its VIF.
		state := dxapi.BGPPeerStatePending
		if v.State == vifAvailable || v.State == vifDown || v.State == dxapi.VirtualInterfaceStateTesting {
			state = dxapi.BGPPeerStateAvailable
		}
		v.Peers = append(v.Peers, bgpPeer{ID: newID("dxpeer"), Family: family, ASN: asn, AuthKey: authKey, AmazonAddress: amazon, CustomerAddress: customer, State: string(state)})
		if err := vifs.Save(ctx, tx, o); err != nil {
			return err
		}
		out = apiVif(o)
		// The new peer shows pending in the answer, as AWS's does.
		out.BgpPeers[len(out.BgpPeers)-1].BgpPeerState = smithy.Ptr(dxapi.BGPPeerStatePending)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.CreateBGPPeerResponse{VirtualInterface: out}, nil
}

func (s *Service) DeleteBGPPeer(ctx context.Context, in *dxapi.DeleteBGPPeerRequest) (*dxapi.DeleteBGPPeerResponse, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	var asn int64
	if in.Asn != nil || in.AsnLong != nil {
		var err error
		if asn, err = asns(in.Asn, in.AsnLong); err != nil {
			return nil, err
		}
	}
	var out *dxapi.VirtualInterface
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		o, err := vifs.LoadAs(ctx, tx.Reader(), id, resource.Owner)
		if err != nil {
			return err
		}
		v := o.Doc
		i := slices.IndexFunc(v.Peers, func(p bgpPeer) bool {
			if in.BgpPeerId != nil {
				return p.ID == *in.BgpPeerId
			}
			return p.ASN == asn && p.CustomerAddress == smithy.Deref(in.CustomerAddress)
		})
		if i < 0 {
			return fault.New(fault.NotFound, "The BGP peer does not exist on virtual interface %s.", id)
		}
		if len(v.Peers) == 1 {
			return invalid("The last BGP Peer on a Virtual Interface cannot be deleted.")
		}
		v.Peers[i].State = string(dxapi.BGPPeerStateDeleting)
		out = apiVif(o)
		// The answer shows it deleting; it is gone from the VIF after.
		v.Peers = slices.Delete(v.Peers, i, i+1)
		return vifs.Save(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return &dxapi.DeleteBGPPeerResponse{VirtualInterface: out}, nil
}
