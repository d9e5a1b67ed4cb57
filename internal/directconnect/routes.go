package directconnect

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/vpc"
)

// Routes on a virtual interface's BGP sessions: advertised ones are what
// AWS sends (the VPC CIDRs of its VGW, the allowed prefixes of its DX
// gateway's associations, or for a public VIF a small fixed set of the
// region's AWS prefixes); accepted ones are what the customer announces,
// which an operator sets per session. A session announcing more than AWS's
// limit (100 a family for private and transit, 1,000 for public) goes down.
func routeLimit(vifType string) int {
	if vifType == "public" {
		return 1000
	}
	return 100
}

// publicPrefixes stand for the region's AWS prefixes a public VIF receives
// (AWS sends thousands; dxlab a documented few, from documentation space).
var publicPrefixes = []string{"198.18.0.0/15", "203.0.113.0/24", "2001:db8:a5::/48"}

// advertised is what AWS advertises over a VIF.
func (s *Service) advertised(ctx context.Context, r store.Reader, o *resource.Object[vif]) ([]string, error) {
	v := o.Doc
	switch {
	case v.Type == "public":
		return publicPrefixes, nil
	case v.VGW != "":
		g, err := vpc.Get(ctx, r, v.VGW)
		if err != nil {
			return nil, ignoreGone(err)
		}
		return g.Doc.CIDRs, nil
	case v.DXGateway != "":
		return gatewayAllowedPrefixes(ctx, r, v.DXGateway)
	}
	return nil, nil
}

var routePages = page.Options{Max: MaxPageSize}

func (s *Service) ListVirtualInterfaceRoutes(ctx context.Context, in *dxapi.ListVirtualInterfaceRoutesRequest) (*dxapi.ListVirtualInterfaceRoutesResponse, error) {
	id := smithy.Deref(in.VirtualInterfaceId)
	if err := checkVifID(id); err != nil {
		return nil, err
	}
	f := smithy.Deref(ptrOr(in.Filters))
	scope := pageScope(ctx, "ListVirtualInterfaceRoutes", id+"|"+string(smithy.Deref(f.RouteDirection))+"|"+string(smithy.Deref(f.AddressFamily))+"|"+strings.Join(f.Cidrs, ","))
	req, err := page.Read(scope, routePages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &dxapi.ListVirtualInterfaceRoutesResponse{VirtualInterfaceId: smithy.Ptr(id), Routes: []dxapi.Route{}}
	err = s.view(ctx, func(r store.Reader) error {
		o, err := vifs.Load(ctx, r, id)
		if err != nil {
			return err
		}
		var routes []dxapi.Route
		add := func(dir dxapi.RouteDirection, cidrs []string, asn int64) {
			for _, c := range cidrs {
				family := dxapi.AddressFamilyIpv4
				if strings.Contains(c, ":") {
					family = dxapi.AddressFamilyIpv6
				}
				routes = append(routes, dxapi.Route{Cidr: smithy.Ptr(c), AddressFamily: smithy.Ptr(family), RouteDirection: smithy.Ptr(dir),
					AwsLogicalDeviceId: smithy.Ptr(o.Doc.Device), Communities: []string{},
					AsPath: []dxapi.AsPathSegment{{Path: []int64{asn}, PathType: smithy.Ptr(dxapi.AsPathTypeSeq)}}})
			}
		}
		if o.Doc.State == vifAvailable {
			adv, err := s.advertised(ctx, r, o)
			if err != nil {
				return err
			}
			add(dxapi.RouteDirectionAdvertised, adv, o.Doc.AmazonSideASN)
			for _, p := range o.Doc.Peers {
				if p.status(o.Doc) == dxapi.BGPStatusUp {
					add(dxapi.RouteDirection("accepted"), p.Routes, p.ASN)
				}
			}
		}
		routes = slices.DeleteFunc(routes, func(rt dxapi.Route) bool {
			return (f.RouteDirection != nil && *rt.RouteDirection != *f.RouteDirection) ||
				(f.AddressFamily != nil && *rt.AddressFamily != *f.AddressFamily) ||
				(len(f.Cidrs) > 0 && !slices.Contains(f.Cidrs, *rt.Cidr))
		})
		key := func(rt dxapi.Route) string { return string(*rt.RouteDirection) + " " + *rt.Cidr }
		slices.SortFunc(routes, func(a, b dxapi.Route) int { return strings.Compare(key(a), key(b)) })
		routes, out.NextToken = page.Slice(scope, req, routes, key)
		out.Routes = append(out.Routes, routes...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetBgpDown takes the customer's side of a BGP session down, or back up
// (operator). peerID names the session.
func (s *Service) SetBgpDown(ctx context.Context, peerID string, down bool) (string, error) {
	action := "bgp-up"
	if down {
		action = "bgp-down"
	}
	return s.changePeer(operatorCause(ctx, action), peerID, func(p *bgpPeer) error {
		p.CustomerDown = down
		return nil
	})
}

// SetCustomerRoutes sets the routes the customer announces over a BGP
// session (operator).
func (s *Service) SetCustomerRoutes(ctx context.Context, peerID string, routes []string) (string, error) {
	var clean []string
	for _, r := range routes {
		p, err := netip.ParsePrefix(r)
		if err != nil {
			return "", fault.New(fault.Invalid, "Route %q is not a CIDR.", r)
		}
		clean = append(clean, p.Masked().String())
	}
	return s.changePeer(operatorCause(ctx, "customer-routes"), peerID, func(p *bgpPeer) error {
		p.Routes = clean
		return nil
	})
}

// changePeer changes a BGP peer, found by id in any account's VIFs, and
// answers its bgpStatus.
func (s *Service) changePeer(ctx context.Context, peerID string, change func(*bgpPeer) error) (string, error) {
	var status string
	err := s.facility.Update(ctx, func(tx *resource.Tx) error {
		list, err := vifs.List(ctx, tx.Reader(), store.ListQuery{})
		if err != nil {
			return err
		}
		for _, o := range list {
			for i := range o.Doc.Peers {
				if o.Doc.Peers[i].ID != peerID {
					continue
				}
				if err := change(&o.Doc.Peers[i]); err != nil {
					return err
				}
				status = string(o.Doc.Peers[i].status(o.Doc))
				return vifs.Save(ctx, tx, o)
			}
		}
		return fault.New(fault.NotFound, "No BGP peer %s.", peerID)
	})
	return status, err
}
