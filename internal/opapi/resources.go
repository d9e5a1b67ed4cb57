package opapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/opclient"
)

// resource reads one resource by id, whoever owns it: what `dxlab wait`
// watches.
func (a *api) resource(r *http.Request) (any, error) {
	id := r.PathValue("id")
	s, err := a.opts.Facility.Lookup(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &Error{http.StatusNotFound, fmt.Sprintf("no resource %s", id)}
	}
	if err != nil {
		return nil, err
	}
	return opclient.Resource{Kind: s.Kind, ID: s.ID, Account: s.Account, Region: s.Region, State: s.State, Version: s.Version}, nil
}
