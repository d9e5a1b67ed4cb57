package opapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/opclient"
)

// World is what operators do to the simulated physical world beside firing
// steps: ports and devices going down and coming back.
type World interface {
	// CrossConnect is "the cross-connect is done": it fires the pending
	// cross-connect step of a connection, interconnect or LAG member.
	CrossConnect(ctx context.Context, id string) (store.Transition, error)
	// SetPortDown takes the port of a connection or interconnect down or
	// back up, and answers the resource's state.
	SetPortDown(ctx context.Context, id string, down bool) (string, error)
	// SetDeviceDown takes a whole device down (maintenance) or back up,
	// and answers how many resources changed state.
	SetDeviceDown(ctx context.Context, device string, down bool) (int, error)
	// SetBgpDown takes the customer's side of a BGP session down or back
	// up, and answers its bgpStatus.
	SetBgpDown(ctx context.Context, peerID string, down bool) (string, error)
	// SetCustomerRoutes sets the routes the customer announces over a BGP
	// session, and answers its bgpStatus.
	SetCustomerRoutes(ctx context.Context, peerID string, routes []string) (string, error)
}

// worldRoutes are the operator's actions on the physical world.
func (a *api) worldRoutes() []route {
	if a.opts.World == nil {
		return nil
	}
	return []route{
		{"POST", "/_dxlab/v1/resources/{id}/cross-connect", "the cross-connect of a connection, interconnect or LAG member is done (fires its pending step)", a.crossConnect},
		{"POST", "/_dxlab/v1/ports/{id}/down", "the port of a connection or interconnect goes down", a.port(true)},
		{"POST", "/_dxlab/v1/ports/{id}/up", "the port of a connection or interconnect comes back", a.port(false)},
		{"POST", "/_dxlab/v1/devices/{id}/down", "a whole AWS device goes down (maintenance)", a.device(true)},
		{"POST", "/_dxlab/v1/devices/{id}/up", "a whole AWS device comes back", a.device(false)},
		{"POST", "/_dxlab/v1/bgp-peers/{id}/down", "the customer's side of a BGP session goes down", a.bgp(true)},
		{"POST", "/_dxlab/v1/bgp-peers/{id}/up", "the customer's side of a BGP session comes back", a.bgp(false)},
		{"PUT", "/_dxlab/v1/bgp-peers/{id}/routes", `the routes the customer announces over a BGP session: {"routes": ["10.1.0.0/16"]}`, a.customerRoutes},
	}
}

func (a *api) bgp(down bool) handlerFunc {
	return func(r *http.Request) (any, error) {
		status, err := a.opts.World.SetBgpDown(r.Context(), r.PathValue("id"), down)
		if err != nil {
			return nil, worldError(err)
		}
		return opclient.BgpState{BgpPeer: r.PathValue("id"), CustomerDown: down, BgpStatus: status}, nil
	}
}

// customerRoutes sets what the customer announces: {"routes": [...]}.
func (a *api) customerRoutes(r *http.Request) (any, error) {
	var body struct {
		Routes []string `json:"routes"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&body); err != nil {
		return nil, &Error{http.StatusBadRequest, "the body must be JSON: {\"routes\": [\"10.1.0.0/16\"]}"}
	}
	status, err := a.opts.World.SetCustomerRoutes(r.Context(), r.PathValue("id"), body.Routes)
	if err != nil {
		return nil, worldError(err)
	}
	return opclient.CustomerRoutes{BgpPeer: r.PathValue("id"), Routes: len(body.Routes), BgpStatus: status}, nil
}

// worldError gives a service's fault its HTTP status.
func worldError(err error) error {
	switch {
	case errors.Is(err, facility.ErrNoTransition):
		return &Error{http.StatusNotFound, "the step is no longer pending"}
	case errors.Is(err, facility.ErrHeld):
		return &Error{http.StatusConflict, err.Error()}
	}
	var f *fault.Error
	if !errors.As(err, &f) {
		return err
	}
	status := http.StatusConflict
	switch f.Kind {
	case fault.NotFound:
		status = http.StatusNotFound
	case fault.Invalid:
		status = http.StatusBadRequest
	}
	return &Error{status, f.Message}
}

func (a *api) port(down bool) handlerFunc {
	return func(r *http.Request) (any, error) {
		state, err := a.opts.World.SetPortDown(r.Context(), r.PathValue("id"), down)
		if err != nil {
			return nil, worldError(err)
		}
		return opclient.PortState{Resource: r.PathValue("id"), PortDown: down, State: state}, nil
	}
}

func (a *api) device(down bool) handlerFunc {
	return func(r *http.Request) (any, error) {
		n, err := a.opts.World.SetDeviceDown(r.Context(), r.PathValue("id"), down)
		if err != nil {
			return nil, worldError(err)
		}
		return opclient.DeviceState{Device: r.PathValue("id"), Down: down, Changed: n}, nil
	}
}

// crossConnect is "the cross-connect is done".
func (a *api) crossConnect(r *http.Request) (any, error) {
	fired, err := a.opts.World.CrossConnect(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, worldError(err)
	}
	return map[string]any{"fired": transition(fired)}, nil
}
