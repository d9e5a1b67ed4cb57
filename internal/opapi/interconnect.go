package opapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/dxlab/dxlab/internal/interconnect"
)

// Interconnect is what operators do as the other side of AWS Interconnect
// connections: the partner's portal taking or refusing an activation key,
// the partner proposing a connection, the other cloud announcing routes.
type Interconnect interface {
	Activate(ctx context.Context, key string, refuse bool, reason string) (*interconnect.View, error)
	Propose(ctx context.Context, p interconnect.Proposal) (string, error)
	Connection(ctx context.Context, id string) (*interconnect.View, error)
	SetRemoteRoutes(ctx context.Context, id string, routes []string) (*interconnect.View, error)
}

func (a *api) routeInterconnect(mux *http.ServeMux) {
	mux.Handle("POST /_dxlab/v1/interconnect/portal/activate", a.wrap(a.portalActivate))
	mux.Handle("POST /_dxlab/v1/interconnect/proposals", a.wrap(a.propose))
	mux.Handle("GET /_dxlab/v1/interconnect/connections/{id}", a.wrap(a.icConnection))
	mux.Handle("PUT /_dxlab/v1/interconnect/connections/{id}/remote-routes", a.wrap(a.remoteRoutes))
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
	var body interconnect.Proposal
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
