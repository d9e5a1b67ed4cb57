package opapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/dxlab/dxlab/internal/vpc"
)

// Gateways is the registry of the EC2 side that Direct Connect reaches:
// virtual private gateways and transit gateways, per account and region.
type Gateways interface {
	// Put registers a gateway (or changes its ASN and CIDRs) and answers
	// whether it was new.
	Put(ctx context.Context, g vpc.Registration) (vpc.Registration, bool, error)
	// List lists them, of one account and region when given.
	List(ctx context.Context, account, region string) ([]vpc.Registration, error)
	// Remove forgets one.
	Remove(ctx context.Context, id string) error
}

func (a *api) gatewayRoutes() []route {
	if a.opts.Gateways == nil {
		return nil
	}
	return []route{
		{"GET", "/_dxlab/v1/gateways", "the registered VGWs and TGWs: ?account=&region=", a.listGateways},
		{"PUT", "/_dxlab/v1/gateways/{id}", `register a VGW or TGW: {"account", "region", "asn", "cidrs"}`, a.putGateway},
		{"DELETE", "/_dxlab/v1/gateways/{id}", "remove a registered VGW or TGW", a.removeGateway},
	}
}

// GatewayList is the registered gateways.
type GatewayList struct {
	Gateways []vpc.Registration `json:"gateways"`
}

// listGateways: ?account=<12 digits>&region=<region>, both optional.
func (a *api) listGateways(r *http.Request) (any, error) {
	q := r.URL.Query()
	list, err := a.opts.Gateways.List(r.Context(), q.Get("account"), q.Get("region"))
	if err != nil {
		return nil, worldError(err)
	}
	return GatewayList{Gateways: list}, nil
}

// putGateway registers {"account", "region", "asn", "cidrs"} as the id.
func (a *api) putGateway(r *http.Request) (any, error) {
	var g vpc.Registration
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&g); err != nil {
		return nil, &Error{http.StatusBadRequest, `the body must be JSON: {"account": "111122223333", "region": "us-east-1", "asn": 64512, "cidrs": ["10.1.0.0/16"]}`}
	}
	g.ID = r.PathValue("id")
	out, created, err := a.opts.Gateways.Put(r.Context(), g)
	if err != nil {
		return nil, worldError(err)
	}
	return map[string]any{"gateway": out, "created": created}, nil
}

func (a *api) removeGateway(r *http.Request) (any, error) {
	if err := a.opts.Gateways.Remove(r.Context(), r.PathValue("id")); err != nil {
		return nil, worldError(err)
	}
	return map[string]any{"removed": r.PathValue("id")}, nil
}
