// Package store is the persistence contract dxlab's services are written
// against: resources as opaque documents scoped by account and region,
// uniqueness claims, and the scheduled transitions the simulated facility
// executes. It knows nothing of the wire or of Direct Connect; what a
// document holds is its owner's business.
//
// Backends live in subpackages (sqlite today) and must all pass storetest.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every backend returns, matched with errors.Is.
var (
	// ErrNotFound: no record, transition or claim of that key.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: Insert of a kind and id that already exist.
	ErrExists = errors.New("store: already exists")
	// ErrConflict: a Claim on a key someone else holds.
	ErrConflict = errors.New("store: claimed by another owner")
)

// Record is one resource.
type Record struct {
	Kind string
	ID   string
	// Account and Region scope the record; List filters on them.
	Account string
	Region  string
	// Parent optionally names the record this one hangs off (an
	// interconnect for a hosted connection, say), for List by parent.
	Parent string
	// Data is the owner's serialised document.
	Data []byte
}

// ListQuery selects records of one kind. Empty Account, Region or Parent
// match any. Records come in ascending ID order, starting after After.
type ListQuery struct {
	Kind    string
	Account string
	Region  string
	Parent  string
	After   string
	// Limit caps the result; zero means no cap.
	Limit int
}

// Claim reserves Key within Scope for one owner, inside the transaction that
// makes it, so two transactions can never both hold it (a VLAN on an
// interconnect, a port on a device).
type Claim struct {
	Scope     string
	Key       string
	OwnerKind string
	OwnerID   string
}

// Transition is a state change the facility will carry out on a resource.
type Transition struct {
	ID string
	// Step names what happens, e.g. "connection.approve"; the facility
	// dispatches on it.
	Step         string
	ResourceKind string
	ResourceID   string
	Account      string
	Region       string
	// DueAt is when the facility fires it; zero means it waits for an
	// operator to fire it.
	DueAt     time.Time
	CreatedAt time.Time
	// Note says in words what firing it does, for operators.
	Note string
}

// TransitionQuery selects transitions; zero fields match any.
type TransitionQuery struct {
	// DueBy selects automatic transitions due at or before it.
	DueBy        time.Time
	ResourceKind string
	ResourceID   string
	Limit        int
}

// Reader reads within a transaction.
type Reader interface {
	Get(ctx context.Context, kind, id string) (Record, error)
	List(ctx context.Context, q ListQuery) ([]Record, error)
	// Transitions come ordered by due time (operator-driven ones last), then
	// by ID.
	Transitions(ctx context.Context, q TransitionQuery) ([]Transition, error)
	Transition(ctx context.Context, id string) (Transition, error)
	// NextDue is the due time of the earliest automatic transition, or zero.
	NextDue(ctx context.Context) (time.Time, error)
}

// Writer changes state within a transaction. Nothing it does is visible to
// anyone else until the transaction commits, and none of it survives a
// transaction that fails.
type Writer interface {
	Reader
	Insert(ctx context.Context, r Record) error
	Update(ctx context.Context, r Record) error
	// Delete removes a record with its claims and pending transitions.
	Delete(ctx context.Context, kind, id string) error
	Claim(ctx context.Context, c Claim) error
	// Release drops every claim an owner holds.
	Release(ctx context.Context, ownerKind, ownerID string) error
	Schedule(ctx context.Context, t Transition) error
	Unschedule(ctx context.Context, id string) error
	// UnscheduleFor drops every pending transition of a resource.
	UnscheduleFor(ctx context.Context, kind, id string) error
}

// Store runs transactions. It is safe for concurrent use. Update commits
// when fn returns nil and rolls back otherwise; a committed Update is durable
// once it returns.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
	// Describe names the backend for health reports, e.g. "sqlite".
	Describe() string
	Close() error
}
