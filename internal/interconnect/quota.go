package interconnect

import (
	"context"
	"errors"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/quota"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Quota is a limit on the connections an account holds with one provider.
// AWS publishes no quotas page for Interconnect; the defaults are what is
// known (GCP: 2 per account; Azure's preview: 1 per region), the rest
// dxlab's choice. An operator raises one as a Service Quotas increase would
// (the --quota flag, e.g. --quota interconnect-gcp-connections=5).
type Quota struct {
	Name     string
	Provider string
	Default  int
	// PerRegion counts in each region apart; otherwise across the account.
	PerRegion   bool
	Description string
}

// The quotas, as data. A provider not listed has otherQuota.
var quotas = []Quota{
	{"interconnect-gcp-connections", "gcp", 2, false, "Google Cloud connections per account"},
	{"interconnect-oci-connections", "oci", 2, false, "Oracle Cloud Infrastructure connections per account"},
	{"interconnect-azure-connections", "azure", 1, true, "Microsoft Azure (preview) connections per Region per account"},
	{"interconnect-lumen-connections", "lumen", 2, false, "Lumen last-mile connections per account"},
	{"interconnect-aws-test-connections", "aws-test", 10, true, "test environment connections per Region per account"},
	{otherQuota, "", 2, false, "connections per account with any other provider"},
}

const otherQuota = "interconnect-other-connections"

// QuotaNames are the names of Interconnect's quotas, for the --quota flag.
func QuotaNames() []string {
	names := make([]string, len(quotas))
	for i, q := range quotas {
		names[i] = q.Name
	}
	return names
}

func findQuota(name string) (Quota, bool) {
	for _, q := range quotas {
		if q.Name == name {
			return q, true
		}
	}
	return Quota{}, false
}

func quotaFor(provider string) Quota {
	for _, q := range quotas {
		if q.Provider == provider {
			return q
		}
	}
	q, _ := findQuota(otherQuota)
	return q
}

// takeQuota takes one unit of the provider's quota for a new connection, by
// a claim in its transaction: the unit is released when the connection is
// deleted, and two concurrent creates never both take the last one.
func (s *Service) takeQuota(ctx context.Context, tx *resource.Tx, provider string, owner resource.Ref) error {
	who := caller.From(ctx)
	q := quotaFor(provider)
	limit := s.quotas.Or(q.Name, q.Default)
	region := ""
	if q.PerRegion {
		region = who.Region
	}
	scope := "quota:" + q.Name + ":" + who.Account + ":" + region
	_, err := tx.ClaimNext(ctx, scope, limit, owner)
	if errors.Is(err, resource.ErrNoSlot) {
		return fault.New(fault.QuotaExceeded, "Another %s connection would exceed the quota of %d %s (quota %s).",
			provider, limit, q.Description, q.Name)
	}
	return err
}

// QuotaUsage tells how many connections an account holds against each
// provider's quota, from the claims that enforce them; a per-Region quota
// counts in region.
func (s *Service) QuotaUsage(ctx context.Context, account, region string) ([]quota.Use, error) {
	var out []quota.Use
	err := s.store.View(ctx, func(r store.Reader) error {
		for _, q := range quotas {
			scope := "quota:" + q.Name + ":" + account + ":"
			if q.PerRegion {
				scope += region
			}
			counts, err := r.ClaimCounts(ctx, scope)
			if err != nil {
				return err
			}
			use := quota.Use{Service: "interconnect", Name: q.Name, Description: q.Description, Limit: s.quotas.Or(q.Name, q.Default), Used: counts[scope]}
			if q.PerRegion {
				use.Where = region
			}
			out = append(out, use)
		}
		return nil
	})
	return out, err
}
