package opapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/opclient"
)

// resource reads one resource by id, whoever owns it: its status (what
// `dxlab wait` watches) and what operators see of it beside (the console's
// resource page).
func (a *api) resource(r *http.Request) (any, error) {
	id := r.PathValue("id")
	in, err := a.opts.Facility.Inspect(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{http.StatusNotFound, fmt.Sprintf("no resource %s", id)}
	}
	if err != nil {
		return nil, err
	}
	return detail(in)
}

// detail renders an inspected resource for the operator API.
func detail(in resource.Inspected) (opclient.Detail, error) {
	out := opclient.Detail{
		Resource: opclient.Resource{Kind: in.Kind, ID: in.ID, Account: in.Account, Region: in.Region, State: in.State, Version: in.Version},
		Name:     in.Name, Parent: in.Parent.ID, Viewers: in.Viewers,
		Location: in.Location, Device: in.Device, Port: in.Port, Bandwidth: in.Bandwidth, Vlan: in.Vlan,
	}
	for _, l := range in.Links {
		out.Links = append(out.Links, opclient.Link{Rel: l.Rel, ID: l.ID})
	}
	if in.View != nil {
		view, err := json.Marshal(in.View)
		if err != nil {
			return opclient.Detail{}, fmt.Errorf("rendering %s %s: %w", in.Kind, in.ID, err)
		}
		out.View = view
	}
	return out, nil
}
