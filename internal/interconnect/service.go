// Package interconnect is the AWS Interconnect service's rules. It
// implements the generated icapi.Handler and knows nothing of the wire.
package interconnect

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/quota"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
)

// Options configures a Service; Store and Facility are required.
type Options struct {
	Store    store.Store
	Facility *facility.Facility
	// Quotas raise (or lower) quotas by name, as a Service Quotas increase
	// would (the table in quota.go).
	Quotas quota.Overrides
}

// Service implements AWS Interconnect.
type Service struct {
	store    store.Store
	facility *facility.Facility
	clock    clock.Clock
	quotas   quota.Overrides
}

var _ icapi.Handler = (*Service)(nil)

// New returns a Service and registers its steps with the facility.
func New(opts Options) *Service {
	s := &Service{store: opts.Store, facility: opts.Facility, clock: opts.Facility.Clock(), quotas: opts.Quotas}
	s.facility.Register(s.connectionSteps()...)
	s.facility.Track(resource.Inspectable(connections, inspectConnection), proposals)
	return s
}

func (s *Service) view(ctx context.Context, fn func(r store.Reader) error) error {
	return s.store.View(ctx, fn)
}

func invalid(format string, args ...any) error {
	return fault.New(fault.Invalid, format, args...)
}

// environmentIn finds an environment of region; any other is not found.
func (s *Service) environmentIn(region, id string) (facility.Environment, error) {
	for _, e := range s.facility.Environments() {
		if e.Region == region && e.EnvironmentID == id {
			return e, nil
		}
	}
	return facility.Environment{}, fault.New(fault.NotFound, "Environment %s does not exist in %s.", id, region)
}

// provider is an environment's provider as the API writes it.
func provider(e facility.Environment) *icapi.Provider {
	out := &icapi.Provider{}
	if v, ok := e.Provider["cloudServiceProvider"]; ok {
		out.CloudServiceProvider = smithy.Ptr(v)
	}
	if v, ok := e.Provider["lastMileProvider"]; ok {
		out.LastMileProvider = smithy.Ptr(v)
	}
	return out
}

// providerName is an environment's provider, whichever kind it is.
func providerName(e facility.Environment) string {
	for _, v := range e.Provider {
		return v
	}
	return ""
}

// environmentPages: ListEnvironments returns 100 environments a page
// without maxResults.
var environmentPages = page.Options{Default: 100, Max: 100}

func environment(e facility.Environment) icapi.Environment {
	out := icapi.Environment{
		EnvironmentId: smithy.Ptr(e.EnvironmentID),
		Type:          smithy.Ptr(e.Type),
		Location:      smithy.Ptr(e.Location),
		State:         smithy.Ptr(icapi.EnvironmentState(e.State)),
		Provider:      provider(e),
		Bandwidths: &icapi.Bandwidths{
			Available: append([]string{}, e.Bandwidths.Available...),
			Supported: append([]string{}, e.Bandwidths.Supported...),
		},
	}
	if e.ActivationPageURL != "" {
		out.ActivationPageUrl = smithy.Ptr(e.ActivationPageURL)
	}
	if e.RemoteIdentifierType != "" {
		out.RemoteIdentifierType = smithy.Ptr(icapi.RemoteAccountIdentifierType(e.RemoteIdentifierType))
	}
	return out
}

// matchesProvider reports whether an environment's provider is the one a
// filter names; a filter names exactly one kind of provider.
func matchesProvider(e facility.Environment, p *icapi.Provider) bool {
	if p == nil {
		return true
	}
	if p.CloudServiceProvider != nil {
		return e.Provider["cloudServiceProvider"] == *p.CloudServiceProvider
	}
	if p.LastMileProvider != nil {
		return e.Provider["lastMileProvider"] == *p.LastMileProvider
	}
	return true
}

func (s *Service) ListEnvironments(ctx context.Context, in *icapi.ListEnvironmentsRequest) (*icapi.ListEnvironmentsResponse, error) {
	region := caller.From(ctx).Region
	var matched []facility.Environment
	for _, e := range s.facility.Environments() {
		if e.Region != region || !matchesProvider(e, in.Provider) {
			continue
		}
		if in.Location != nil && e.Location != *in.Location {
			continue
		}
		matched = append(matched, e)
	}
	who := caller.From(ctx)
	// A token is good for the same filter only: another filter is another list.
	filter := smithy.Deref(in.Location)
	if in.Provider != nil {
		filter = fmt.Sprintf("%q %q %q", filter, smithy.Deref(in.Provider.CloudServiceProvider), smithy.Deref(in.Provider.LastMileProvider))
	}
	scope := page.Scope{List: "interconnect.ListEnvironments", Account: who.Account, Region: who.Region, Filter: filter}
	req, err := page.Read(scope, environmentPages, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(matched, func(a, b facility.Environment) int { return strings.Compare(a.EnvironmentID, b.EnvironmentID) })
	list, next := page.Slice(scope, req, matched, func(e facility.Environment) string { return e.EnvironmentID })
	out := &icapi.ListEnvironmentsResponse{Environments: []icapi.Environment{}, NextToken: next}
	for _, e := range list {
		out.Environments = append(out.Environments, environment(e))
	}
	return out, nil
}

func (s *Service) GetEnvironment(ctx context.Context, in *icapi.GetEnvironmentRequest) (*icapi.GetEnvironmentResponse, error) {
	e, err := s.environmentIn(caller.From(ctx).Region, smithy.Deref(in.Id))
	if err != nil {
		return nil, err
	}
	env := environment(e)
	return &icapi.GetEnvironmentResponse{Environment: &env}, nil
}
