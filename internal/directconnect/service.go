// Package directconnect is AWS Direct Connect's rules: what each operation
// accepts, which states a resource moves through and who may see it. It
// implements the generated dxapi.Handler; it knows nothing of the wire and
// keeps its resources in a store.Store, one transaction per call.
package directconnect

import (
	"context"
	"log/slog"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/quota"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/vpc"
)

// DeletedRetention is how long a deleted resource stays visible, in its
// deleted state, before dxlab forgets it. AWS documents 15 minutes for
// virtual interfaces; dxlab uses the same for every resource.
const DeletedRetention = 15 * time.Minute

// Options configures a Service; Store and Facility are required.
type Options struct {
	Store    store.Store
	Facility *facility.Facility
	Logger   *slog.Logger
	// Partners declares which accounts are Direct Connect partners.
	Partners Partners
	// StrictPartners lets only declared partners create interconnects and
	// allocate hosted connections (--partners strict); by default any
	// account may.
	StrictPartners bool
	// Quotas raises (or lowers) quotas by name, as a Service Quotas
	// increase would (the table in quota.go).
	Quotas quota.Overrides
	// StrictGateways accepts only registered VGWs and TGWs; by default a
	// well-formed unknown one is registered on first use.
	StrictGateways bool
}

// Service implements Direct Connect.
type Service struct {
	// Unimplemented answers the operations this package does not have yet.
	dxapi.Unimplemented

	store          store.Store
	facility       *facility.Facility
	clock          clock.Clock
	log            *slog.Logger
	partners       Partners
	strictPartners bool
	quotas         quota.Overrides
	gateways       vpc.Registry
}

var _ dxapi.Handler = (*Service)(nil)

// New returns a Service and registers its steps with the facility.
func New(opts Options) *Service {
	s := &Service{
		store:    opts.Store,
		facility: opts.Facility,
		clock:    opts.Facility.Clock(),
		log:      opts.Logger,

		partners:       opts.Partners,
		strictPartners: opts.StrictPartners,
		quotas:         opts.Quotas,
		gateways:       vpc.Registry{Strict: opts.StrictGateways},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.facility.Register(s.connectionSteps()...)
	s.facility.Register(s.interconnectKind().steps(s)...)
	s.facility.Register(s.lagSteps()...)
	s.facility.Register(s.macSecSteps()...)
	s.facility.Register(s.gatewaySteps()...)
	s.facility.Register(s.vifSteps()...)
	s.facility.Register(s.associationSteps()...)
	s.facility.Register(s.testSteps()...)
	s.facility.Track(s.inspected()...)
	return s
}

func (s *Service) view(ctx context.Context, fn func(r store.Reader) error) error {
	return s.store.View(ctx, fn)
}

// peek reads one record outside a transaction (store.Store.Peek): a
// describe by id, what waiters and Terraform poll.
func (s *Service) peek(ctx context.Context, fn func(r store.Reader) error) error {
	return s.store.Peek(ctx, fn)
}

// live reports whether a resource in a state still counts: not deleted,
// rejected or being deleted.
func live(state string) bool {
	return state != "deleted" && state != "rejected" && state != "deleting"
}

// refuseGone refuses to change a resource that is no longer live: its
// attributes and its tags alike.
func refuseGone(noun, id, state string) error {
	if live(state) {
		return nil
	}
	return fault.New(fault.Conflict, "%s %s is %s and cannot be updated.", noun, id, state)
}

func invalid(format string, args ...any) error {
	return fault.New(fault.Invalid, format, args...)
}
