package directconnect

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/gateway"
	"github.com/dxlab/dxlab/internal/quota"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
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
	_, err := tx.ClaimNext(ctx, scope, limit, owner)
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
	_, err := tx.ClaimNext(ctx, "quota:"+name+":"+of, limit, owner)
	if errors.Is(err, resource.ErrNoSlot) {
		what := map[string]string{
			quotaVgwsPerGateway: "Another virtual private gateway association on Direct Connect gateway " + of,
			quotaTgwsPerGateway: "Another transit gateway association on Direct Connect gateway " + of,
		}[name]
		return quotaError(name, limit, cmp.Or(what, "Another virtual interface on "+of))
	}
	return err
}

// QuotaUsage tells how much of each quota an account takes in a region,
// from the claims that enforce them (connections per LAG, enforced by
// counting members, from the members). A quota counted per parent tells the
// fullest parent.
func (s *Service) QuotaUsage(ctx context.Context, account, region string) ([]quota.Use, error) {
	var out []quota.Use
	err := s.store.View(ctx, func(r store.Reader) error {
		// What the account holds that scoped quotas count on.
		var mine []string
		for _, k := range []resource.Schema{connections, lags} {
			recs, err := r.List(ctx, store.ListQuery{Kind: k.KindName(), Account: account, Region: region})
			if err != nil {
				return err
			}
			for _, rec := range recs {
				mine = append(mine, rec.ID)
			}
		}
		gws, err := r.List(ctx, store.ListQuery{Kind: gateway.Kind.Name, Account: account})
		if err != nil {
			return err
		}
		for _, rec := range gws {
			mine = append(mine, rec.ID)
		}
		for _, q := range quotas {
			use := quota.Use{Service: "directconnect", Name: q.Name, Description: q.Description, Limit: s.quota(q.Name)}
			var by map[string]int
			switch q.Name {
			case quotaConnectionsPerLag:
				by, err = s.membersByLag(ctx, r, account, region)
			case quotaConnectionsPerLocation, quotaLagsPerRegion, quotaGatewaysPerAccount:
				scopeRegion := region
				if q.Global {
					scopeRegion = ""
				}
				by, err = claimsUnder(ctx, r, "quota:"+q.Name+":"+account+":"+scopeRegion+":")
			default: // counted per resource of the account's
				var all map[string]int
				all, err = claimsUnder(ctx, r, "quota:"+q.Name+":")
				by = map[string]int{}
				for _, id := range mine {
					if n := all[id]; n > 0 {
						by[id] = n
					}
				}
			}
			if err != nil {
				return err
			}
			for _, where := range slices.Sorted(maps.Keys(by)) {
				if by[where] > use.Used {
					use.Used, use.Where = by[where], where
				}
			}
			out = append(out, use)
		}
		return nil
	})
	return out, err
}

// claimsUnder counts the claims of the scopes under prefix, by what follows
// the prefix.
func claimsUnder(ctx context.Context, r store.Reader, prefix string) (map[string]int, error) {
	counts, err := r.ClaimCounts(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(counts))
	for scope, n := range counts {
		out[strings.TrimPrefix(scope, prefix)] = n
	}
	return out, nil
}

// membersByLag counts the live members of each of an account's LAGs.
func (s *Service) membersByLag(ctx context.Context, r store.Reader, account, region string) (map[string]int, error) {
	list, err := lags.List(ctx, r, store.ListQuery{Account: account, Region: region})
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, l := range list {
		members, _, err := s.members(ctx, r, l.ID)
		if err != nil {
			return nil, err
		}
		if len(members) > 0 {
			out[l.ID] = len(members)
		}
	}
	return out, nil
}
