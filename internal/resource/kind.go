package resource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/fault"
	"github.com/dxlab/dxlab/internal/store"
)

// Kind declares one kind of resource: its name in the store, the noun its
// messages use, how to read its state, and who besides its owner sees it.
// Its methods are the only way records are written.
type Kind[T any] struct {
	// Name is the store kind, e.g. "dx.connection".
	Name string
	// Noun names the resource in messages: "Could not find <Noun> with ID
	// <id>" unless NotFound says otherwise.
	Noun string
	// NotFound, if set, is the error for an id the caller cannot see.
	NotFound func(id string) error
	// State reads a document's state for the event timeline.
	State   func(doc *T) string
	Sharing Sharing[T]
}

// Ref names a record of some kind: a resource's parent.
type Ref struct {
	Kind, ID string
}

func (r Ref) String() string {
	if r.ID == "" {
		return ""
	}
	return r.Kind + "/" + r.ID
}

func parseRef(s string) Ref {
	kind, id, _ := strings.Cut(s, "/")
	return Ref{Kind: kind, ID: id}
}

// Meta is what the store keeps about a resource beside its document: who
// owns it, where it lives, who else sees it. The document never repeats it.
type Meta struct {
	ID string
	// Account owns the resource.
	Account string
	Region  string
	// Parent is the resource this one hangs off, if any.
	Parent Ref
	// Viewers are computed from the kind's Sharing on every save.
	Viewers []string
	Version int64
}

// Object is a loaded resource: its meta and its document.
type Object[T any] struct {
	Meta
	Doc *T
	// loaded is the state when read, the from-state of the next event.
	loaded string
}

// Missing is the error for an id the caller cannot see.
func (k *Kind[T]) Missing(id string) error {
	if k.NotFound != nil {
		return k.NotFound(id)
	}
	return fault.New(fault.NotFound, "Could not find %s with ID %s", k.Noun, id)
}

func (k *Kind[T]) state(doc *T) string {
	if k.State == nil {
		return ""
	}
	return k.State(doc)
}

// maxIDTries bounds how often Create draws a new id after a collision.
const maxIDTries = 16

// Create stores a new resource. With newID, it draws ids until one is free;
// without, m.ID is used and a taken one answers store.ErrExists.
func (k *Kind[T]) Create(ctx context.Context, tx *Tx, m Meta, doc *T, newID func() string) (*Object[T], error) {
	o := &Object[T]{Meta: m, Doc: doc}
	for try := 0; ; try++ {
		if newID != nil {
			o.ID = newID()
		}
		rec, err := k.record(ctx, tx, o)
		if err != nil {
			return nil, err
		}
		err = tx.w.Insert(ctx, rec)
		if errors.Is(err, store.ErrExists) && newID != nil && try < maxIDTries {
			continue
		}
		if err != nil {
			return nil, err
		}
		o.Version = 1
		o.Viewers = rec.Viewers
		return o, k.event(ctx, tx, o, "create", "", k.state(doc))
	}
}

// Save writes back a changed resource, over the version it was loaded at.
func (k *Kind[T]) Save(ctx context.Context, tx *Tx, o *Object[T]) error {
	rec, err := k.record(ctx, tx, o)
	if err != nil {
		return err
	}
	// o.Viewers are the stored ones (sorted, as the store reads them and
	// as record works them out): most saves change a state, not who sees.
	rec.KeepViewers = slices.Equal(rec.Viewers, o.Viewers)
	if err := tx.w.Update(ctx, rec); err != nil {
		return err
	}
	o.Version++
	o.Viewers = rec.Viewers
	from := o.loaded
	o.loaded = k.state(o.Doc)
	return k.event(ctx, tx, o, "update", from, o.loaded)
}

// Delete removes a resource with its claims and pending transitions.
func (k *Kind[T]) Delete(ctx context.Context, tx *Tx, o *Object[T]) error {
	if err := tx.w.Delete(ctx, k.Name, o.ID); err != nil {
		return err
	}
	return k.event(ctx, tx, o, "delete", o.loaded, "")
}

// Get reads a resource whoever may see it: for the facility's steps.
func (k *Kind[T]) Get(ctx context.Context, r store.Reader, id string) (*Object[T], error) {
	rec, err := r.Get(ctx, k.Name, id)
	if err != nil {
		return nil, err
	}
	return k.decode(rec)
}

// Load reads a resource the caller may see; any other answers the kind's
// not-found error, exactly as for an id never created.
func (k *Kind[T]) Load(ctx context.Context, r store.Reader, id string) (*Object[T], error) {
	return k.LoadAs(ctx, r, id, Viewer)
}

// LoadAs reads a resource the caller stands to at least as least (Owner:
// only its owner); to anyone else it does not exist.
func (k *Kind[T]) LoadAs(ctx context.Context, r store.Reader, id string, least Role) (*Object[T], error) {
	o, err := k.Get(ctx, r, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && o.RoleOf(caller.From(ctx)) < least) {
		return nil, k.Missing(id)
	}
	return o, err
}

// List reads the resources q selects (its Kind is this one).
func (k *Kind[T]) List(ctx context.Context, r store.Reader, q store.ListQuery) ([]*Object[T], error) {
	q.Kind = k.Name
	recs, err := r.List(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]*Object[T], 0, len(recs))
	for _, rec := range recs {
		o, err := k.decode(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Visible selects what the caller may see in its region, for List.
func Visible(ctx context.Context) store.ListQuery {
	who := caller.From(ctx)
	return store.ListQuery{VisibleTo: who.Account, Region: who.Region}
}

func (k *Kind[T]) decode(rec store.Record) (*Object[T], error) {
	doc := new(T)
	if err := json.Unmarshal(rec.Data, doc); err != nil {
		return nil, fmt.Errorf("decoding %s %s: %w", k.Name, rec.ID, err)
	}
	return &Object[T]{
		Meta: Meta{ID: rec.ID, Account: rec.Account, Region: rec.Region, Parent: parseRef(rec.Parent),
			Viewers: rec.Viewers, Version: rec.Version},
		Doc:    doc,
		loaded: k.state(doc),
	}, nil
}

// record renders o for the store, with its viewers worked out anew.
func (k *Kind[T]) record(ctx context.Context, tx *Tx, o *Object[T]) (store.Record, error) {
	data, err := json.Marshal(o.Doc)
	if err != nil {
		return store.Record{}, err
	}
	viewers, err := k.viewers(ctx, tx, o)
	if err != nil {
		return store.Record{}, err
	}
	return store.Record{Kind: k.Name, ID: o.ID, Account: o.Account, Region: o.Region, Parent: o.Parent.String(),
		Viewers: viewers, Version: o.Version, Data: data, State: k.state(o.Doc)}, nil
}

func (k *Kind[T]) viewers(ctx context.Context, tx *Tx, o *Object[T]) ([]string, error) {
	var out []string
	if k.Sharing.ParentOwner && o.Parent.ID != "" {
		parent, err := tx.w.Get(ctx, o.Parent.Kind, o.Parent.ID)
		if err != nil {
			return nil, fmt.Errorf("parent %s of %s %s: %w", o.Parent, k.Name, o.ID, err)
		}
		out = append(out, parent.Account)
	}
	if k.Sharing.With != nil {
		out = append(out, k.Sharing.With(o.Doc)...)
	}
	out = slices.DeleteFunc(out, func(a string) bool { return a == "" || a == o.Account })
	slices.Sort(out)
	return slices.Compact(out), nil
}

func (k *Kind[T]) event(ctx context.Context, tx *Tx, o *Object[T], action, from, to string) error {
	_, err := tx.w.Append(ctx, store.Event{
		At: tx.now, ResourceKind: k.Name, ResourceID: o.ID, Account: o.Account, Viewers: o.Viewers, Region: o.Region,
		Action: action, From: from, To: to, Cause: tx.cause,
	})
	return err
}
