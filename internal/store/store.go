// Package store is the persistence contract dxlab's services are written
// against: resources as opaque versioned documents scoped by account and
// region, the accounts besides the owner who may see each, uniqueness
// claims, the scheduled transitions the simulated facility executes, the
// event timeline of every change, and a few settings that must outlive a
// process (the clock's offset). It knows nothing of the wire or of Direct
// Connect; what a document holds is its owner's business.
//
// Backends live in subpackages (sqlite, embedded; postgres, shared by
// replicas) and must all pass storetest.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors every backend returns, matched with errors.Is.
var (
	// ErrNotFound: no record, transition, claim or setting of that key.
	ErrNotFound = errors.New("store: not found")
	// ErrExists: Insert of a kind and id, or Schedule of a transition id,
	// that already exist.
	ErrExists = errors.New("store: already exists")
	// ErrConflict: a Claim on a key someone else holds, or Take of a
	// transition another driver holds.
	ErrConflict = errors.New("store: claimed by another owner")
	// ErrStale: Update of a record whose version is not the stored one:
	// someone changed it since it was read. Nothing was written.
	ErrStale = errors.New("store: record changed since it was read")
)

// Record is one resource.
type Record struct {
	Kind string
	ID   string
	// Account owns the record; Region scopes it.
	Account string
	Region  string
	// Viewers are the other accounts that may see the record (a partner
	// seeing a hosted connection on its interconnect). The store indexes
	// them so that List can answer "what may this account see".
	Viewers []string
	// Parent optionally names the record this one hangs off (an
	// interconnect for a hosted connection, say), for List by parent.
	Parent string
	// Version is 1 after Insert and grows by one with every Update. Update
	// writes only over the version it names.
	Version int64
	// Data is the owner's serialised document.
	Data []byte
	// KeepViewers tells Update that Viewers are the ones the record has,
	// so that they need not be written again.
	KeepViewers bool
	// State is the document's state as its kind reads it, kept beside it
	// so that counting resources by state reads no document. Insert and
	// Update write it; Get and List leave it empty.
	State string
}

// StateCount is how many records of a kind are in a state.
type StateCount struct {
	Kind, State string
	N           int
}

// StepCount is how many transitions of a step are pending, and how many
// of them wait for an operator (no due time).
type StepCount struct {
	Step             string
	Pending, Waiting int
}

// ListQuery selects records of one kind. Empty fields match any. Records
// come in ascending ID order, starting after After.
type ListQuery struct {
	Kind string
	// Account matches the owner only.
	Account string
	// VisibleTo matches records the account owns or is a viewer of.
	VisibleTo string
	Region    string
	Parent    string
	After     string
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
	// Attempts counts the firings that failed; LastError says why the last
	// one did.
	Attempts  int
	LastError string
	// HeldBy names the driver that took the transition to fire it, until
	// HeldUntil; after that anyone may take it again (its driver died).
	HeldBy    string
	HeldUntil time.Time
}

// TransitionKey is a position in the order Transitions lists: by due time,
// operator-driven ones (zero DueAt) last, then by ID.
type TransitionKey struct {
	DueAt time.Time
	ID    string
}

// TransitionQuery selects transitions; zero fields match any.
type TransitionQuery struct {
	// DueBy selects automatic transitions due at or before it.
	DueBy        time.Time
	ResourceKind string
	ResourceID   string
	// After continues a listing after this position.
	After *TransitionKey
	Limit int
}

// TakeQuery selects the transitions a driver takes to fire.
type TakeQuery struct {
	// Owner names the taker; Until is when its hold lapses.
	Owner string
	Until time.Time
	// Now: automatic transitions due by Now, not held by anyone or whose
	// hold lapsed by Now.
	Now time.Time
	// Steps: only these steps (those the taker knows how to carry out).
	Steps []string
	Limit int
}

// Cause says who or what made a change.
type Cause struct {
	// Type is CauseAPI, CauseStep or CauseOperator.
	Type string `json:"type"`
	// An API call: its request id, the calling account and the operation.
	RequestID string `json:"requestId,omitempty"`
	Account   string `json:"account,omitempty"`
	Operation string `json:"operation,omitempty"`
	// A facility step: the step, who carries it out, and the transition.
	Step       string `json:"step,omitempty"`
	Actor      string `json:"actor,omitempty"`
	Transition string `json:"transition,omitempty"`
}

// The types of Cause.
const (
	CauseAPI  = "api"
	CauseStep = "step"
	// CauseOperator is a step an operator fired by hand.
	CauseOperator = "operator"
)

// Event is one change of one resource, appended in the transaction that
// makes the change.
type Event struct {
	// Seq orders events; the store assigns it, increasing.
	Seq int64
	// At is dxlab's time of the change.
	At           time.Time
	ResourceKind string
	ResourceID   string
	// Account owns the resource; Viewers may see it too.
	Account string
	Viewers []string
	Region  string
	// Action is what happened: "create", "update", "delete".
	Action string
	// From and To are the resource's states before and after ("" before a
	// create and after a delete).
	From  string
	To    string
	Cause Cause
}

// EventQuery selects events in Seq order; zero fields match any.
type EventQuery struct {
	ResourceID   string
	ResourceKind string
	// VisibleTo matches events of resources the account owns or views.
	VisibleTo string
	// Since and Until bound At (inclusive, exclusive).
	Since, Until time.Time
	AfterSeq     int64
	Limit        int
	// Newest takes the most recent events first (Limit of them: the tail
	// of the timeline); otherwise events come oldest first.
	Newest bool
}

// Reader reads within a transaction.
type Reader interface {
	Get(ctx context.Context, kind, id string) (Record, error)
	List(ctx context.Context, q ListQuery) ([]Record, error)
	// Transitions come ordered by due time (operator-driven ones last), then
	// by ID.
	Transitions(ctx context.Context, q TransitionQuery) ([]Transition, error)
	Transition(ctx context.Context, id string) (Transition, error)
	// NextDue is the earliest time one of steps' automatic transitions can
	// be taken (its due time, or when its hold lapses), or zero.
	NextDue(ctx context.Context, steps []string) (time.Time, error)
	Events(ctx context.Context, q EventQuery) ([]Event, error)
	// Setting reads a value Set wrote, or ErrNotFound.
	Setting(ctx context.Context, key string) (string, error)
	// ClaimCounts counts the claims held in every scope that starts with
	// prefix, by scope: how much of each quota is taken.
	ClaimCounts(ctx context.Context, prefix string) (map[string]int, error)
	// Census counts the records of every kind by state, in kind then state
	// order; records whose state was never written (a store older than the
	// column: see Unstated) are not counted.
	Census(ctx context.Context) ([]StateCount, error)
	// Unstated lists up to limit records of kind whose state was never
	// written, so that their state can be given them (SetState).
	Unstated(ctx context.Context, kind string, limit int) ([]Record, error)
	// StepCounts counts the pending transitions by step, in step order.
	StepCounts(ctx context.Context) ([]StepCount, error)
}

// Writer changes state within a transaction. Nothing it does is visible to
// anyone else until the transaction commits, and none of it survives a
// transaction that fails.
type Writer interface {
	Reader
	// Insert stores a new record at version 1, or fails with ErrExists.
	Insert(ctx context.Context, r Record) error
	// Update replaces a record whose stored version is r.Version and moves
	// it to r.Version+1; ErrStale if the version differs, ErrNotFound if
	// there is no such record.
	Update(ctx context.Context, r Record) error
	// Delete removes a record with its viewers, claims and pending
	// transitions.
	Delete(ctx context.Context, kind, id string) error
	// SetState records a record's state without changing it otherwise (its
	// version stays): for records Unstated lists.
	SetState(ctx context.Context, kind, id, state string) error
	Claim(ctx context.Context, c Claim) error
	// Release drops every claim an owner holds.
	Release(ctx context.Context, ownerKind, ownerID string) error
	// Schedule adds a transition with every field of t, its hold included
	// (a step due at once is scheduled held by the process that will fire
	// it), or fails with ErrExists.
	Schedule(ctx context.Context, t Transition) error
	Unschedule(ctx context.Context, id string) error
	// UnscheduleFor drops every pending transition of a resource.
	UnscheduleFor(ctx context.Context, kind, id string) error
	// TakeDue holds for q.Owner the transitions q selects, the earliest due
	// first, and returns them in that order: two takers never both get the
	// same one. A hold lapses at HeldUntil (Now == HeldUntil is lapsed).
	// Empty Steps selects nothing.
	TakeDue(ctx context.Context, q TakeQuery) ([]Transition, error)
	// Take holds one transition for owner until until, due or not: an
	// operator firing it. ErrNotFound if it is gone, ErrConflict if another
	// owner holds it and the hold has not lapsed at now.
	Take(ctx context.Context, id, owner string, now, until time.Time) (Transition, error)
	// Reschedule sets a pending transition's DueAt, Attempts, LastError and
	// hold from t; ErrNotFound if it is gone.
	Reschedule(ctx context.Context, t Transition) error
	// Append adds an event and returns its Seq.
	Append(ctx context.Context, e Event) (int64, error)
	// PruneEvents drops events older than before.
	PruneEvents(ctx context.Context, before time.Time) (int, error)
	Set(ctx context.Context, key, value string) error
	// Savepoint marks a point in the transaction that RollbackTo undoes
	// back to and Forget keeps, so that part of a transaction can fail
	// alone (a facility step settled within the call that scheduled it).
	// Savepoints nest; names are plain identifiers.
	Savepoint(ctx context.Context, name string) error
	RollbackTo(ctx context.Context, name string) error
	Forget(ctx context.Context, name string) error
}

// Store runs transactions. It is safe for concurrent use. Update commits
// when fn returns nil and rolls back otherwise; a committed Update is durable
// once it returns. A backend may run fn again from the start after a
// transient failure that certainly rolled the transaction back (a deadlock,
// a serialization failure, a connection lost before commit), so fn must do
// nothing outside the transaction but record what it read.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	// Peek runs fn with a Reader whose statements each read the latest
	// commit on their own, with no transaction around them: for a read of
	// one statement (a record by id, what waiters poll), which a
	// transaction would cost more than. fn must not rely on two of its
	// statements agreeing; a backend may run it as View.
	Peek(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
	// Describe names the backend for health reports, e.g. "sqlite".
	Describe() string
	Close() error
}
