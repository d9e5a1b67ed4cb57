package opapi

import (
	"context"
	"net/http"

	"github.com/dxlab/dxlab/internal/quota"
	"github.com/dxlab/dxlab/opclient"
)

// Quotas is a service's account of its quotas.
type Quotas interface {
	QuotaUsage(ctx context.Context, account, region string) ([]quota.Use, error)
}

// quotas tells how much of each quota an account takes in a region, every
// service's: ?account=<account>&region=<region>.
func (a *api) quotas(r *http.Request) (any, error) {
	q := r.URL.Query()
	out := opclient.QuotaUsage{Account: q.Get("account"), Region: q.Get("region"), Quotas: []opclient.QuotaUse{}}
	if out.Account == "" || out.Region == "" {
		return nil, badRequest("quotas are an account's in a region: ?account=<account>&region=<region>")
	}
	for _, svc := range a.opts.Quotas {
		uses, err := svc.QuotaUsage(r.Context(), out.Account, out.Region)
		if err != nil {
			return nil, err
		}
		for _, u := range uses {
			out.Quotas = append(out.Quotas, opclient.QuotaUse{Service: u.Service, Name: u.Name, Description: u.Description, Limit: u.Limit, Used: u.Used, Where: u.Where})
		}
	}
	return out, nil
}
