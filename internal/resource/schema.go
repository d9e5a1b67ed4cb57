package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/dxlab/dxlab/internal/store"
)

// Schema is what dxlab knows of a kind without its document's type: its
// store name and how to read a record's state. Every *Kind is one.
type Schema interface {
	KindName() string
	StateOf(rec store.Record) (string, error)
}

// KindName is the store kind.
func (k *Kind[T]) KindName() string { return k.Name }

// StateOf reads the state of a record of this kind.
func (k *Kind[T]) StateOf(rec store.Record) (string, error) {
	doc := new(T)
	if err := json.Unmarshal(rec.Data, doc); err != nil {
		return "", fmt.Errorf("decoding %s %s: %w", k.Name, rec.ID, err)
	}
	return k.state(doc), nil
}

// Status is a resource as operators see it: what it is, whose, and its
// state, whoever owns it.
type Status struct {
	Kind, ID, Account, Region, State string
	Version                          int64
}

// Registry knows the kinds of resource a dxlab has, so that operators can
// look a resource up by id alone and count resources by state. The services
// register their kinds as they register their steps. Its zero value is
// empty and ready; it is safe for concurrent use.
type Registry struct {
	mu    sync.RWMutex
	kinds []Schema
}

// Register adds kinds; a kind registered twice is a wiring bug and panics.
func (g *Registry) Register(kinds ...Schema) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range kinds {
		if slices.ContainsFunc(g.kinds, func(s Schema) bool { return s.KindName() == k.KindName() }) {
			panic("resource: kind registered twice: " + k.KindName())
		}
		g.kinds = append(g.kinds, k)
	}
}

// Kinds lists the registered kinds in registration order.
func (g *Registry) Kinds() []Schema {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return slices.Clone(g.kinds)
}

// Count is how many resources of a kind are in a state.
type Count struct {
	Kind, State string
	N           int
}

// Census counts every resource of a registered kind by state, in kind then
// state order, from the states the store keeps beside the documents.
func (g *Registry) Census(ctx context.Context, r store.Reader) ([]Count, error) {
	known := map[string]bool{}
	for _, k := range g.Kinds() {
		known[k.KindName()] = true
	}
	counts, err := r.Census(ctx)
	if err != nil {
		return nil, err
	}
	var out []Count
	for _, c := range counts {
		if known[c.Kind] {
			out = append(out, Count{Kind: c.Kind, State: c.State, N: c.N})
		}
	}
	return out, nil
}

// restateBatch is how many records one transaction of Restate gives their
// state.
const restateBatch = 500

// Restate gives the records of every registered kind that a store older
// than its state column holds their state, a batch a transaction, and
// answers how many it gave one. Run once at start: afterwards every write
// keeps the state, and it finds nothing.
func (g *Registry) Restate(ctx context.Context, st store.Store) (int, error) {
	n := 0
	for _, k := range g.Kinds() {
		for {
			var recs []store.Record
			if err := st.View(ctx, func(r store.Reader) (err error) {
				recs, err = r.Unstated(ctx, k.KindName(), restateBatch)
				return err
			}); err != nil {
				return n, err
			}
			if len(recs) == 0 {
				break
			}
			err := st.Update(ctx, func(w store.Writer) error {
				for _, rec := range recs {
					state, err := k.StateOf(rec)
					if err != nil {
						return err
					}
					if err := w.SetState(ctx, rec.Kind, rec.ID, state); err != nil && !errors.Is(err, store.ErrNotFound) {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return n, err
			}
			n += len(recs)
		}
	}
	return n, nil
}
