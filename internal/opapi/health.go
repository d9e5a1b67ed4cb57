package opapi

import (
	"net/http"
	"time"

	"github.com/dxlab/dxlab/opclient"
)

func (a *api) health(r *http.Request) (any, error) {
	census, err := a.opts.Facility.Census(r.Context())
	if err != nil {
		return nil, err
	}
	steps, err := a.opts.Facility.PendingCounts(r.Context())
	if err != nil {
		return nil, err
	}
	h := opclient.Health{
		Status:                "ok",
		Version:               a.opts.Version,
		DataDir:               a.opts.DataDir,
		Store:                 a.opts.Store,
		Provisioning:          string(a.opts.Facility.Profile()),
		Auth:                  a.opts.Auth,
		OperatorToken:         a.opts.Token != "",
		UptimeSeconds:         time.Since(a.opts.Started).Round(time.Millisecond).Seconds(),
		EventRetentionSeconds: a.opts.Facility.EventRetention().Seconds(),
		Resources:             []opclient.ResourceCount{},
	}
	if a.opts.Addr != nil {
		h.Addr = a.opts.Addr()
	}
	for _, c := range census {
		h.Resources = append(h.Resources, opclient.ResourceCount{Kind: c.Kind, State: c.State, Count: c.N})
	}
	for _, s := range steps {
		h.PendingSteps += s.Pending
		h.WaitingSteps += s.Waiting
	}
	return h, nil
}
