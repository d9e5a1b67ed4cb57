// Package interconnect is the AWS Interconnect service's rules. It
// implements the generated icapi.Handler and knows nothing of the wire.
package interconnect

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
)

// Options configures a Service; Facility is required.
type Options struct {
	Facility *facility.Facility
}

// Service implements AWS Interconnect.
type Service struct {
	// Unimplemented answers the operations this package does not have yet.
	icapi.Unimplemented

	facility *facility.Facility
}

var _ icapi.Handler = (*Service)(nil)

// New returns a Service.
func New(opts Options) *Service {
	return &Service{facility: opts.Facility}
}

// DefaultPageSize is how many items a List returns without maxResults.
const DefaultPageSize = 100

func environment(e facility.Environment) icapi.Environment {
	out := icapi.Environment{
		EnvironmentId: ptr(e.EnvironmentID),
		Type:          ptr(e.Type),
		Location:      ptr(e.Location),
		State:         ptr(icapi.EnvironmentState(e.State)),
		Provider:      &icapi.Provider{},
		Bandwidths: &icapi.Bandwidths{
			Available: append([]string{}, e.Bandwidths.Available...),
			Supported: append([]string{}, e.Bandwidths.Supported...),
		},
	}
	if v, ok := e.Provider["cloudServiceProvider"]; ok {
		out.Provider.CloudServiceProvider = ptr(v)
	}
	if v, ok := e.Provider["lastMileProvider"]; ok {
		out.Provider.LastMileProvider = ptr(v)
	}
	if e.ActivationPageURL != "" {
		out.ActivationPageUrl = ptr(e.ActivationPageURL)
	}
	if e.RemoteIdentifierType != "" {
		out.RemoteIdentifierType = ptr(icapi.RemoteAccountIdentifierType(e.RemoteIdentifierType))
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
	start, err := readOffset(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := DefaultPageSize
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	out := &icapi.ListEnvironmentsResponse{Environments: []icapi.Environment{}}
	for i := start; i < len(matched) && i < start+limit; i++ {
		out.Environments = append(out.Environments, environment(matched[i]))
	}
	if start+limit < len(matched) {
		out.NextToken = ptr(offsetToken(start + limit))
	}
	return out, nil
}

func (s *Service) GetEnvironment(ctx context.Context, in *icapi.GetEnvironmentRequest) (*icapi.GetEnvironmentResponse, error) {
	region := caller.From(ctx).Region
	for _, e := range s.facility.Environments() {
		if e.Region == region && e.EnvironmentID == *in.Id {
			env := environment(e)
			return &icapi.GetEnvironmentResponse{Environment: &env}, nil
		}
	}
	return nil, fault.New(fault.NotFound, "Environment %s does not exist in %s.", *in.Id, region)
}

const offsetPrefix = "dxlab1:"

func offsetToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(offsetPrefix + strconv.Itoa(n)))
}

func readOffset(token *string) (int, error) {
	if token == nil {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*token)
	s, ok := strings.CutPrefix(string(raw), offsetPrefix)
	n, convErr := strconv.Atoi(s)
	if err != nil || !ok || convErr != nil || n < 0 {
		return 0, fault.New(fault.Invalid, "The pagination token is invalid.")
	}
	return n, nil
}

func ptr[T any](v T) *T { return &v }
