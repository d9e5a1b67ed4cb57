package resource

import (
	"cmp"
	"context"
	"encoding/json"
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

// Census counts every resource by kind and state, in kind then state order.
func (g *Registry) Census(ctx context.Context, r store.Reader) ([]Count, error) {
	var out []Count
	for _, k := range g.Kinds() {
		recs, err := r.List(ctx, store.ListQuery{Kind: k.KindName()})
		if err != nil {
			return nil, err
		}
		by := map[string]int{}
		for _, rec := range recs {
			state, err := k.StateOf(rec)
			if err != nil {
				return nil, err
			}
			by[state]++
		}
		for state, n := range by {
			out = append(out, Count{Kind: k.KindName(), State: state, N: n})
		}
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.State, b.State))
	})
	return out, nil
}
