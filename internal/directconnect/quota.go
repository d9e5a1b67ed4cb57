package directconnect

import (
	"cmp"
	"context"
	"errors"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
)

// Quota is one of AWS's Direct Connect quotas that dxlab enforces. Default
// is AWS's default; an operator raises it as a Service Quotas increase
// would (Options.Quotas, the --quota flag).
type Quota struct {
	Name        string
	Description string
	Default     int
	// Global quotas count across regions (Direct Connect gateways).
	Global bool
}

// The quotas, as AWS's Direct Connect quotas page gives them.
var quotas = []Quota{
	{quotaConnectionsPerLocation, "active dedicated connections per location per Region per account", 10, false},
	{quotaLagsPerRegion, "link aggregation groups (LAGs) per Region per account", 10, false},
	{quotaConnectionsPerLag, "dedicated connections per LAG (1 and 10 Gbps; 100 and 400 Gbps LAGs take 2)", 4, false},
	{quotaGatewaysPerAccount, "Direct Connect gateways per account", 200, true},
	{quotaVifsPerConnection, "private and public virtual interfaces per dedicated connection", 50, false},
	{quotaTransitVifsPerConnection, "transit virtual interfaces per dedicated connection or LAG", 4, false},
	{quotaVifsPerLag, "virtual interfaces per LAG", 51, false},
	{quotaVifsPerHosted, "virtual interfaces per hosted connection", 1, false},
	{quotaVifsPerGateway, "private and transit virtual interfaces per Direct Connect gateway", 30, true},
	{quotaVgwsPerGateway, "virtual private gateways per Direct Connect gateway", 20, true},
	{quotaTgwsPerGateway, "transit gateways per Direct Connect gateway", 6, true},
}

const (
	quotaConnectionsPerLocation   = "connections-per-location"
	quotaLagsPerRegion            = "lags-per-region"
	quotaConnectionsPerLag        = "connections-per-lag"
	quotaGatewaysPerAccount       = "gateways-per-account"
	quotaVifsPerConnection        = "vifs-per-connection"
	quotaTransitVifsPerConnection = "transit-vifs-per-connection"
	quotaVifsPerLag               = "vifs-per-lag"
	quotaVifsPerHosted            = "vifs-per-hosted-connection"
	quotaVifsPerGateway           = "vifs-per-gateway"
	quotaVgwsPerGateway           = "vgws-per-gateway"
	quotaTgwsPerGateway           = "tgws-per-gateway"
)

// QuotaNames are the names of Direct Connect's quotas, for the --quota flag.
func QuotaNames() []string {
	names := make([]string, len(quotas))
	for i, q := range quotas {
		names[i] = q.Name
	}
	return names
}

// findQuota finds a quota of the table; names are the package's constants,
// so every lookup finds one.
func findQuota(name string) Quota {
	for _, q := range quotas {
		if q.Name == name {
			return q
		}
	}
	return Quota{Name: name, Description: name}
}

func (s *Service) quota(name string) int {
	return s.quotas.Or(name, findQuota(name).Default)
}

func quotaError(name string, limit int, what string) error {
	return fault.New(fault.QuotaExceeded, "%s would exceed the quota of %d %s (quota %s).",
		what, limit, findQuota(name).Description, name)
}

// takeQuota takes one unit of a quota for a new resource of the caller's
// (owner), by a claim in the resource's transaction: units are released
// with the resource's other claims when it is deleted, and two concurrent
// requests can never both take the last one. where scopes the quota
// (a location, for connections per location).
func (s *Service) takeQuota(ctx context.Context, tx *resource.Tx, name, where string, owner resource.Ref) error {
	who := caller.From(ctx)
	limit := s.quota(name)
	region := who.Region
	if findQuota(name).Global {
		region = ""
	}
	scope := "quota:" + name + ":" + who.Account + ":" + region + ":" + where
	_, err := tx.ClaimAny(ctx, scope, limit, owner)
	if errors.Is(err, resource.ErrNoSlot) {
		what := map[string]string{
			quotaLagsPerRegion:          "Another LAG in " + who.Region,
			quotaConnectionsPerLocation: "Another dedicated connection at " + where,
			quotaGatewaysPerAccount:     "Another Direct Connect gateway",
		}[name]
		return quotaError(name, limit, what)
	}
	return err
}

// takeScopedQuota takes one unit of a quota counted per resource (VIFs
// per connection, per gateway), whoever's the units are.
func (s *Service) takeScopedQuota(ctx context.Context, tx *resource.Tx, name, of string, owner resource.Ref) error {
	limit := s.quota(name)
	_, err := tx.ClaimAny(ctx, "quota:"+name+":"+of, limit, owner)
	if errors.Is(err, resource.ErrNoSlot) {
		what := map[string]string{
			quotaVgwsPerGateway: "Another virtual private gateway association on Direct Connect gateway " + of,
			quotaTgwsPerGateway: "Another transit gateway association on Direct Connect gateway " + of,
		}[name]
		return quotaError(name, limit, cmp.Or(what, "Another virtual interface on "+of))
	}
	return err
}
