// Package directconnect is AWS Direct Connect's rules: what each operation
// accepts, which states a resource moves through and who may see it. It
// implements the generated dxapi.Handler; it knows nothing of the wire and
// keeps its resources in a store.Store, one transaction per call.
package directconnect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/store"
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
}

// Service implements Direct Connect.
type Service struct {
	// Unimplemented answers the operations this package does not have yet.
	dxapi.Unimplemented

	store    store.Store
	facility *facility.Facility
	clock    clock.Clock
	log      *slog.Logger
}

var _ dxapi.Handler = (*Service)(nil)

// New returns a Service and registers its steps with the facility.
func New(opts Options) *Service {
	s := &Service{
		store:    opts.Store,
		facility: opts.Facility,
		clock:    opts.Facility.Clock(),
		log:      opts.Logger,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.facility.Register(s.connectionSteps()...)
	return s
}

// update runs fn in a write transaction and then lets the facility settle
// what fn scheduled.
func (s *Service) update(ctx context.Context, fn func(w store.Writer) error) error {
	if err := s.store.Update(ctx, fn); err != nil {
		return err
	}
	s.facility.Poke(ctx)
	return nil
}

func (s *Service) view(ctx context.Context, fn func(r store.Reader) error) error {
	return s.store.View(ctx, fn)
}

// visible reports whether the caller may see a record: its own, in the
// region it called.
func visible(c caller.Caller, rec store.Record) bool {
	return rec.Account == c.Account && rec.Region == c.Region
}

// load reads a record of kind the caller can see into doc. A record the
// caller cannot see is reported exactly like one that does not exist.
func load(ctx context.Context, r store.Reader, kind, id string, doc any, notFound func() error) (store.Record, error) {
	rec, err := r.Get(ctx, kind, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(caller.From(ctx), rec)) {
		return store.Record{}, notFound()
	}
	if err != nil {
		return store.Record{}, err
	}
	if err := json.Unmarshal(rec.Data, doc); err != nil {
		return store.Record{}, fmt.Errorf("decoding %s %s: %w", kind, id, err)
	}
	return rec, nil
}

// save writes doc back into rec.
func save(ctx context.Context, w store.Writer, rec store.Record, doc any) error {
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	rec.Data = data
	return w.Update(ctx, rec)
}

func invalid(format string, args ...any) error {
	return fault.New(fault.Invalid, format, args...)
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
