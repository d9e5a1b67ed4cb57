package opapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/dxlab/dxlab/opclient"
)

// Interconnect is what operators do as the other side of AWS Interconnect
// connections: the partner's portal taking or refusing an activation key,
// the partner proposing a connection, the other cloud announcing routes.
type Interconnect interface {
	Activate(ctx context.Context, key string, refuse bool, reason string) (*InterconnectView, error)
	Propose(ctx context.Context, p InterconnectProposal) (string, error)
	Connection(ctx context.Context, id string) (*InterconnectView, error)
	SetRemoteRoutes(ctx context.Context, id string, routes []string) (*InterconnectView, error)
}

// InterconnectView and InterconnectProposal are the operator API's answer
// and request types (opclient's), which the server adapts the service's to.
type (
	InterconnectView     = opclient.InterconnectConnection
	InterconnectProposal = opclient.InterconnectProposal
)

// interconnectRoutes play the other side of AWS Interconnect connections.
func (a *api) interconnectRoutes() []route {
	if a.opts.Interconnect == nil {
		return nil
	}
	return []route{
		{"POST", "/_dxlab/v1/interconnect/portal/activate", `the partner's portal takes an activation key: {"activationKey": "...", "refuse": false}`, a.portalActivate},
		{"POST", "/_dxlab/v1/interconnect/proposals", `a partner starts a connection for an account: {"environmentId", "bandwidth", "account", "region"}`, a.propose},
		{"GET", "/_dxlab/v1/interconnect/connections/{id}", "an Interconnect connection as the operator sees it, with the routes each side learns", a.icConnection},
		{"PUT", "/_dxlab/v1/interconnect/connections/{id}/remote-routes", `the routes the other cloud announces: {"routes": [...]}`, a.remoteRoutes},
	}
}

func decodeBody(r *http.Request, v any, example string) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &Error{http.StatusBadRequest, "the body must be JSON: " + example}
	}
	return nil
}

// portalActivate is the partner's portal given a key:
// {"activationKey": "...", "refuse": false, "reason": "..."}.
func (a *api) portalActivate(r *http.Request) (any, error) {
	var body struct {
		ActivationKey string `json:"activationKey"`
		Refuse        bool   `json:"refuse"`
		Reason        string `json:"reason"`
	}
	if err := decodeBody(r, &body, `{"activationKey": "...", "refuse": false}`); err != nil {
		return nil, err
	}
	v, err := a.opts.Interconnect.Activate(r.Context(), body.ActivationKey, body.Refuse, body.Reason)
	if err != nil {
		return nil, worldError(err)
	}
	return map[string]any{"connection": v}, nil
}

// propose is the partner starting a connection:
// {"environmentId", "bandwidth", "account", "region"} -> {"activationKey"}.
func (a *api) propose(r *http.Request) (any, error) {
	var body InterconnectProposal
	if err := decodeBody(r, &body, `{"environmentId": "mce-aws-gcp-iad", "bandwidth": "1Gbps", "account": "111122223333", "region": "us-east-1"}`); err != nil {
		return nil, err
	}
	key, err := a.opts.Interconnect.Propose(r.Context(), body)
	if err != nil {
		return nil, worldError(err)
	}
	return map[string]string{"activationKey": key}, nil
}

func (a *api) icConnection(r *http.Request) (any, error) {
	v, err := a.opts.Interconnect.Connection(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, worldError(err)
	}
	return map[string]any{"connection": v}, nil
}

// remoteRoutes sets what the other cloud announces: {"routes": ["10.128.0.0/20"]}.
func (a *api) remoteRoutes(r *http.Request) (any, error) {
	var body struct {
		Routes []string `json:"routes"`
	}
	if err := decodeBody(r, &body, `{"routes": ["10.128.0.0/20"]}`); err != nil {
		return nil, err
	}
	v, err := a.opts.Interconnect.SetRemoteRoutes(r.Context(), r.PathValue("id"), body.Routes)
	if err != nil {
		return nil, worldError(err)
	}
	return map[string]any{"connection": v}, nil
}
