package directconnect

// Rate limits: a virtual interface may carry a rateLimit, one of the
// model's values (50Mbps ... 1.6Tbps), only on a dedicated connection or a
// LAG (not on a hosted connection, not on an interconnect). The rate limits
// on one parent never add up to more than its bandwidth (a LAG's: its live
// members times their bandwidth); a VIF, allocation or update that would
// take them over answers LimitExceededException. A VIF's share is taken
// when it is created or allocated, moves with it, changes with
// UpdateVirtualInterfaceAttributes, and is freed when it is deleted or
// rejected. The parent keeps the running total on its own document, changed
// in the same transaction as the VIF (versioned saves: no lost update), and
// reports it as rateLimiterStatus: maxAllowed rate limiters (one per VIF the
// parent may carry), inUse, remaining, and the bandwidth they take.

import (
	"context"
	"strconv"
	"strings"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
)

// rateLimitValues are the model's values of VirtualInterface.rateLimit.
var rateLimitValues = strings.Fields(`50Mbps 100Mbps 200Mbps 300Mbps 400Mbps 500Mbps 600Mbps 700Mbps 800Mbps 900Mbps
	1Gbps 1.2Gbps 1.5Gbps 1.8Gbps 2Gbps 2.1Gbps 2.4Gbps 2.7Gbps 3Gbps 3.2Gbps 3.6Gbps 4Gbps 5Gbps 6Gbps 7Gbps 8Gbps 9Gbps
	10Gbps 12Gbps 15Gbps 18Gbps 20Gbps 21Gbps 24Gbps 27Gbps 30Gbps 32Gbps 36Gbps 40Gbps 50Gbps 60Gbps 70Gbps 80Gbps
	100Gbps 120Gbps 150Gbps 180Gbps 200Gbps 210Gbps 240Gbps 270Gbps 300Gbps 320Gbps 360Gbps 400Gbps 450Gbps 480Gbps
	500Gbps 540Gbps 600Gbps 700Gbps 800Gbps 900Gbps 1Tbps 1.1Tbps 1.2Tbps 1.3Tbps 1.4Tbps 1.5Tbps 1.6Tbps`)

// rateMbps reads a rate limit in Mbps; "" is none.
func rateMbps(limit string) (int, error) {
	if limit == "" {
		return 0, nil
	}
	for _, v := range rateLimitValues {
		if v != limit {
			continue
		}
		for unit, scale := range map[string]float64{"Mbps": 1, "Gbps": 1000, "Tbps": 1000000} {
			if n, ok := strings.CutSuffix(v, unit); ok {
				f, err := strconv.ParseFloat(n, 64)
				return int(f*scale + 0.5), err
			}
		}
	}
	return 0, invalid("Rate limit %s is not valid: use one of %s.", limit, strings.Join(rateLimitValues, ", "))
}

// formatMbps writes a bandwidth as AWS does: "500Mbps", "1.2Gbps", "1.6Tbps".
func formatMbps(n int) string {
	switch {
	case n >= 1000000:
		return strconv.FormatFloat(float64(n)/1000000, 'f', -1, 64) + "Tbps"
	case n >= 1000:
		return strconv.FormatFloat(float64(n)/1000, 'f', -1, 64) + "Gbps"
	}
	return strconv.Itoa(n) + "Mbps"
}

// rateUse is the running total of a connection's or LAG's rate limiters.
type rateUse struct {
	RateLimiters  int `json:"rateLimiters,omitempty"`
	RateLimitMbps int `json:"rateLimitMbps,omitempty"`
}

// maxRateLimiters is how many rate limiters a parent may carry: one per VIF
// its quotas let it take.
func (s *Service) maxRateLimiters(kind string) int {
	if kind == lags.Name {
		return s.quota(quotaVifsPerLag)
	}
	return s.quota(quotaVifsPerConnection) + s.quota(quotaTransitVifsPerConnection)
}

// rateLimiterStatus renders a parent's running total.
func (s *Service) rateLimiterStatus(kind string, u rateUse) *dxapi.RateLimiterStatus {
	limit := s.maxRateLimiters(kind)
	return &dxapi.RateLimiterStatus{
		MaxAllowed:     smithy.Ptr(int32(limit)),
		InUse:          smithy.Ptr(int32(u.RateLimiters)),
		Remaining:      smithy.Ptr(int32(max(0, limit-u.RateLimiters))),
		TotalBandwidth: smithy.Ptr(formatMbps(u.RateLimitMbps)),
	}
}

// shiftRate moves a VIF's rate limit on parent from old to new ("" is
// none), in tx: it refuses parents that take none and totals over the
// parent's bandwidth, and keeps the parent's running total.
func (s *Service) shiftRate(ctx context.Context, tx *resource.Tx, parent resource.Ref, old, new string) error {
	if old == new {
		return nil
	}
	from, err := rateMbps(old)
	if err != nil {
		return err
	}
	to, err := rateMbps(new)
	if err != nil {
		return err
	}
	count := 0
	if old != "" {
		count--
	}
	if new != "" {
		count++
	}
	change := func(u *rateUse, capacity int) error {
		u.RateLimiters += count
		u.RateLimitMbps += to - from
		if to <= from {
			return nil
		}
		if u.RateLimitMbps > capacity {
			return fault.New(fault.LimitExceeded, "Rate limit %s would bring the rate limits on %s to %s, over its bandwidth of %s (%s available to this virtual interface).",
				new, parent.ID, formatMbps(u.RateLimitMbps), formatMbps(capacity), formatMbps(max(0, capacity-(u.RateLimitMbps-to))))
		}
		if limit := s.maxRateLimiters(parent.Kind); u.RateLimiters > limit {
			return fault.New(fault.LimitExceeded, "%s already has its %d rate limiters.", parent.ID, limit)
		}
		return nil
	}
	switch parent.Kind {
	case connections.Name:
		c, err := connections.Get(ctx, tx.Reader(), parent.ID)
		if err != nil {
			return err
		}
		if c.Doc.Hosted && new != "" {
			return noRateLimit(parent.ID, "a hosted connection")
		}
		if err := change(&c.Doc.rateUse, mbps(c.Doc.Bandwidth)); err != nil {
			return err
		}
		return connections.Save(ctx, tx, c)
	case lags.Name:
		l, err := lags.Get(ctx, tx.Reader(), parent.ID)
		if err != nil {
			return err
		}
		members, _, err := s.members(ctx, tx.Reader(), parent.ID)
		if err != nil {
			return err
		}
		if err := change(&l.Doc.rateUse, len(members)*mbps(l.Doc.Bandwidth)); err != nil {
			return err
		}
		return lags.Save(ctx, tx, l)
	}
	if new != "" {
		return noRateLimit(parent.ID, "an interconnect")
	}
	return nil
}

func noRateLimit(id, what string) error {
	return invalid("%s is %s: rate limits apply only to virtual interfaces on dedicated connections and LAGs.", id, what)
}

// apiConnectionOf renders a connection with its rateLimiterStatus (a
// dedicated connection's: hosted connections take no rate limits).
func (s *Service) apiConnectionOf(o *resource.Object[connection]) *dxapi.Connection {
	out := apiConnection(o)
	if !o.Doc.Hosted {
		out.RateLimiterStatus = s.rateLimiterStatus(connections.Name, o.Doc.rateUse)
	}
	return out
}
