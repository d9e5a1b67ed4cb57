package opclient

import (
	"context"
	"net/http"
	"net/url"
)

// The facility's actions: what operators do to the simulated world beside
// firing steps and moving the clock.

// downUp is the last part of a down-or-up endpoint.
func downUp(down bool) string {
	if down {
		return "/down"
	}
	return "/up"
}

// CrossConnect says the cross-connect of a connection, interconnect or LAG
// member is done: it fires the resource's pending cross-connect step and
// answers it.
func (c *Client) CrossConnect(ctx context.Context, id string) (Transition, error) {
	var out Fired
	err := c.do(ctx, http.MethodPost, "/_dxlab/v1/resources/"+url.PathEscape(id)+"/cross-connect", nil, &out)
	return out.Fired, err
}

// SetPortDown takes the port of a connection or interconnect down (or,
// with down false, brings it back).
func (c *Client) SetPortDown(ctx context.Context, id string, down bool) (PortState, error) {
	var out PortState
	return out, c.do(ctx, http.MethodPost, "/_dxlab/v1/ports/"+url.PathEscape(id)+downUp(down), nil, &out)
}

// SetDeviceDown takes a whole AWS device down (maintenance) or back up.
func (c *Client) SetDeviceDown(ctx context.Context, device string, down bool) (DeviceState, error) {
	var out DeviceState
	return out, c.do(ctx, http.MethodPost, "/_dxlab/v1/devices/"+url.PathEscape(device)+downUp(down), nil, &out)
}

// SetBgpDown takes the customer's side of a BGP session down or back up.
func (c *Client) SetBgpDown(ctx context.Context, peerID string, down bool) (BgpState, error) {
	var out BgpState
	return out, c.do(ctx, http.MethodPost, "/_dxlab/v1/bgp-peers/"+url.PathEscape(peerID)+downUp(down), nil, &out)
}

// SetCustomerRoutes sets the routes the customer announces over a BGP
// session; none announces nothing.
func (c *Client) SetCustomerRoutes(ctx context.Context, peerID string, routes []string) (CustomerRoutes, error) {
	var out CustomerRoutes
	return out, c.send(ctx, http.MethodPut, "/_dxlab/v1/bgp-peers/"+url.PathEscape(peerID)+"/routes", nil, routeList{nonNil(routes)}, &out)
}

// routeList is the body of the routes endpoints.
type routeList struct {
	Routes []string `json:"routes"`
}

// ActivatePortal is the Interconnect partner's portal given an activation
// key: it takes it (the connection goes on to provisioning) or, with
// Refuse, refuses it (the connection fails with Reason).
func (c *Client) ActivatePortal(ctx context.Context, a PortalActivation) (InterconnectConnection, error) {
	var out InterconnectAnswer
	err := c.send(ctx, http.MethodPost, "/_dxlab/v1/interconnect/portal/activate", nil, a, &out)
	return out.Connection, err
}

// Propose is a partner starting an Interconnect connection for an
// account; it answers the activation key the account accepts it with.
func (c *Client) Propose(ctx context.Context, p InterconnectProposal) (string, error) {
	var out ActivationKey
	err := c.send(ctx, http.MethodPost, "/_dxlab/v1/interconnect/proposals", nil, p, &out)
	return out.ActivationKey, err
}

// InterconnectConnection reads an Interconnect connection as the other
// side sees it, with the routes each side learns.
func (c *Client) InterconnectConnection(ctx context.Context, id string) (InterconnectConnection, error) {
	var out InterconnectAnswer
	err := c.do(ctx, http.MethodGet, "/_dxlab/v1/interconnect/connections/"+url.PathEscape(id), nil, &out)
	return out.Connection, err
}

// SetRemoteRoutes sets the routes the other cloud announces over an
// Interconnect connection; none announces nothing.
func (c *Client) SetRemoteRoutes(ctx context.Context, id string, routes []string) (InterconnectConnection, error) {
	var out InterconnectAnswer
	err := c.send(ctx, http.MethodPut, "/_dxlab/v1/interconnect/connections/"+url.PathEscape(id)+"/remote-routes", nil, routeList{nonNil(routes)}, &out)
	return out.Connection, err
}

// Gateways lists the registered VGWs and TGWs, of one account and one
// region when given.
func (c *Client) Gateways(ctx context.Context, account, region string) ([]Gateway, error) {
	v := url.Values{}
	setIf(v, "account", account)
	setIf(v, "region", region)
	var out GatewayList
	return out.Gateways, c.do(ctx, http.MethodGet, "/_dxlab/v1/gateways", v, &out)
}

// RegisterGateway registers a VGW or TGW (g.ID), or changes the ASN and
// CIDRs of one registered to the same account and region; ASN 0 means the
// default.
func (c *Client) RegisterGateway(ctx context.Context, g Gateway) (GatewayRegistered, error) {
	var out GatewayRegistered
	return out, c.send(ctx, http.MethodPut, "/_dxlab/v1/gateways/"+url.PathEscape(g.ID), nil, g, &out)
}

// RemoveGateway forgets a registered VGW or TGW.
func (c *Client) RemoveGateway(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/_dxlab/v1/gateways/"+url.PathEscape(id), nil, nil)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
