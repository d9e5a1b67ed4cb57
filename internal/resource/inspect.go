package resource

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/dxlab/dxlab/internal/store"
)

// Inspection is what operators see of a resource beyond its status: where
// it sits in the physical world, what it links to, and what its owner's
// Describe answers. The web console draws the world from it.
type Inspection struct {
	Name string
	// Location, Device and Port place a resource on its own port (Port is
	// zero for one that rides its parent's); Bandwidth is its capacity or
	// its allocation, Vlan its VLAN on the parent.
	Location, Device, Bandwidth string
	Port, Vlan                  int
	// Links are the resources it points at beside its parent.
	Links []Link
	// View is what the owner's Describe call answers for it, in the wire
	// shape; a kind without one shows its stored document.
	View any
}

// Link is a resource pointing at another: a virtual interface at its
// gateway, an association at the gateways it joins.
type Link struct {
	// Rel says what the link means: "gateway", "associated", ...
	Rel string
	ID  string
}

// Inspected is a resource with its status, meta and inspection.
type Inspected struct {
	Status
	Parent  Ref
	Viewers []string
	Inspection
}

// inspector is a kind that can inspect its records. Every *Kind is one,
// showing its stored document; Inspectable gives a kind a fuller picture.
type inspector interface {
	inspect(ctx context.Context, r store.Reader, rec store.Record) (Inspected, error)
}

func (k *Kind[T]) inspect(_ context.Context, _ store.Reader, rec store.Record) (Inspected, error) {
	o, err := k.decode(rec)
	if err != nil {
		return Inspected{}, err
	}
	out := k.inspected(rec, o)
	out.View = json.RawMessage(rec.Data)
	return out, nil
}

func (k *Kind[T]) inspected(rec store.Record, o *Object[T]) Inspected {
	return Inspected{
		Status:  Status{Kind: rec.Kind, ID: rec.ID, Account: rec.Account, Region: rec.Region, State: k.state(o.Doc), Version: rec.Version},
		Parent:  o.Parent,
		Viewers: rec.Viewers,
	}
}

// Inspectable pairs a kind with how operators inspect its resources, for
// registering: the service that owns the kind knows its links and its
// Describe view.
func Inspectable[T any](k *Kind[T], fn func(ctx context.Context, r store.Reader, o *Object[T]) (Inspection, error)) Schema {
	return inspectable[T]{k, fn}
}

type inspectable[T any] struct {
	*Kind[T]
	fn func(ctx context.Context, r store.Reader, o *Object[T]) (Inspection, error)
}

func (k inspectable[T]) inspect(ctx context.Context, r store.Reader, rec store.Record) (Inspected, error) {
	o, err := k.decode(rec)
	if err != nil {
		return Inspected{}, err
	}
	out := k.inspected(rec, o)
	out.Inspection, err = k.fn(ctx, r, o)
	return out, err
}

// Inspect finds a resource of any registered kind by id and inspects it, or
// answers store.ErrNotFound.
func (g *Registry) Inspect(ctx context.Context, r store.Reader, id string) (Inspected, error) {
	for _, k := range g.Kinds() {
		rec, err := r.Get(ctx, k.KindName(), id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return Inspected{}, err
		}
		return k.(inspector).inspect(ctx, r, rec)
	}
	return Inspected{}, store.ErrNotFound
}

// SurveyQuery selects the resources of a survey; empty fields match any.
type SurveyQuery struct {
	// VisibleTo keeps what the account owns or may see.
	VisibleTo string
	// Region keeps the region's resources and the global ones (Direct
	// Connect gateways and their associations live in no region).
	Region string
	// Limit caps how many resources are inspected, over all kinds.
	Limit int
}

// surveyPage is how many records a survey reads at a time, so that a
// survey of a large store holds one page beside its answer.
const surveyPage = 500

// Survey inspects the resources of every registered kind that the query
// selects, kind by kind in registration order. It reports whether it
// stopped at the limit.
func (g *Registry) Survey(ctx context.Context, r store.Reader, q SurveyQuery) (out []Inspected, truncated bool, err error) {
	for _, k := range g.Kinds() {
		after := ""
		for {
			recs, err := r.List(ctx, store.ListQuery{Kind: k.KindName(), VisibleTo: q.VisibleTo, After: after, Limit: surveyPage})
			if err != nil {
				return nil, false, err
			}
			for _, rec := range recs {
				if q.Region != "" && rec.Region != "" && rec.Region != q.Region {
					continue
				}
				if q.Limit > 0 && len(out) == q.Limit {
					return out, true, nil
				}
				in, err := k.(inspector).inspect(ctx, r, rec)
				if err != nil {
					return nil, false, err
				}
				out = append(out, in)
			}
			if len(recs) < surveyPage {
				break
			}
			after = recs[len(recs)-1].ID
		}
	}
	return out, false, nil
}
