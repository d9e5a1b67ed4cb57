package opapi

import (
	"maps"
	"net/http"

	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/opclient"
)

// Topology answers are capped: the console draws a sandbox, not a fleet.
const (
	defaultTopologyLimit = 2000
	maxTopologyLimit     = 10000
)

// topology is the simulated world as the console draws it: every resource
// an account owns or sees in a region (all of them, for the operator), with
// its place and links, and the region's devices.
// ?account=<account>&region=<region>&limit=<n>.
func (a *api) topology(r *http.Request) (any, error) {
	q := r.URL.Query()
	out := opclient.Topology{Account: q.Get("account"), Region: q.Get("region"), Resources: []opclient.Detail{}, Devices: []opclient.Device{}}
	limit, err := limitParam(r)
	if err != nil {
		return nil, err
	}
	n := defaultTopologyLimit
	if limit != nil {
		if *limit < 1 || *limit > maxTopologyLimit {
			return nil, badRequest("limit must be between 1 and %d", maxTopologyLimit)
		}
		n = int(*limit)
	}
	found, truncated, err := a.opts.Facility.Survey(r.Context(), resource.SurveyQuery{VisibleTo: out.Account, Region: out.Region, Limit: n})
	if err != nil {
		return nil, err
	}
	out.Truncated = truncated
	for _, in := range found {
		d, err := detail(in)
		if err != nil {
			return nil, err
		}
		out.Resources = append(out.Resources, d)
	}
	devices, err := a.opts.Facility.Devices(r.Context(), out.Region)
	if err != nil {
		return nil, err
	}
	for _, d := range devices {
		out.Devices = append(out.Devices, opclient.Device{ID: d.ID, Location: d.Location, Region: d.Region, Ports: maps.Clone(d.Ports), MacSec: d.MacSec, Down: d.Down})
	}
	return out, nil
}
