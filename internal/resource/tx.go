// Package resource is the one way the services load, change and save their
// resources, and the one rule of who may see them. Every change goes
// through a Kind's methods inside a Tx, which bumps the record's version
// (so a concurrent change fails instead of being lost) and appends an event
// of the change, with its cause, in the same transaction.
//
// Resource kinds both services use (Direct Connect gateways are
// Interconnect's attach points) are declared here too, so that Interconnect
// reaches them without importing Direct Connect's internals.
package resource

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/store"
)

// Tx is one write transaction as the services see it: records change only
// through a Kind, so that every change is versioned and recorded. Claims and
// transitions go through Tx directly.
type Tx struct {
	w         store.Writer
	now       time.Time
	cause     store.Cause
	scheduled []store.Transition
}

// Update runs fn in one store transaction at dxlab time now, recording the
// cause ctx carries (WithCause, or else the API caller). It returns the Tx
// so that the caller can see what fn scheduled once it has committed.
//
// fn must do nothing outside the transaction: when a record it read was
// changed by another transaction meanwhile (store.ErrStale), the whole of fn
// runs again on fresh reads, up to staleRetries times.
func Update(ctx context.Context, st store.Store, now time.Time, fn func(*Tx) error) (*Tx, error) {
	var tx *Tx
	var err error
	for range staleRetries {
		err = st.Update(ctx, func(w store.Writer) error {
			tx = &Tx{w: w, now: now, cause: CauseOf(ctx)}
			return fn(tx)
		})
		if !errors.Is(err, store.ErrStale) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	return tx, nil
}

// staleRetries bounds how often Update reruns a transaction that lost a race.
const staleRetries = 3

// Now is dxlab's time of the transaction: when the change happens.
func (tx *Tx) Now() time.Time { return tx.now }

// Reader reads within the transaction.
func (tx *Tx) Reader() store.Reader { return tx.w }

// Scheduled lists the transitions this transaction scheduled.
func (tx *Tx) Scheduled() []store.Transition { return tx.scheduled }

// Schedule adds a transition.
func (tx *Tx) Schedule(ctx context.Context, t store.Transition) error {
	if err := tx.w.Schedule(ctx, t); err != nil {
		return err
	}
	tx.scheduled = append(tx.scheduled, t)
	return nil
}

// Unschedule drops one pending transition.
func (tx *Tx) Unschedule(ctx context.Context, id string) error { return tx.w.Unschedule(ctx, id) }

// UnscheduleFor drops every pending transition of a resource.
func (tx *Tx) UnscheduleFor(ctx context.Context, kind, id string) error {
	return tx.w.UnscheduleFor(ctx, kind, id)
}

// ErrUndoFailed wraps a failure to undo a failed Within: the transaction as
// a whole must fail.
var ErrUndoFailed = errors.New("resource: undoing part of a transaction failed")

// Within runs fn as a part of the transaction that fails alone: its changes
// are recorded as caused by cause, and if it fails they are undone (rolled
// back to a savepoint), what it scheduled is forgotten, and its error
// returned while the transaction goes on. An error wrapping ErrUndoFailed
// means the undo itself failed and the transaction cannot go on.
func (tx *Tx) Within(ctx context.Context, cause store.Cause, fn func() error) error {
	const name = "part"
	if err := tx.w.Savepoint(ctx, name); err != nil {
		return fmt.Errorf("%w: %w", ErrUndoFailed, err)
	}
	outer, n := tx.cause, len(tx.scheduled)
	tx.cause = cause
	err := fn()
	tx.cause = outer
	if err != nil {
		tx.scheduled = tx.scheduled[:n]
		if rerr := tx.w.RollbackTo(ctx, name); rerr != nil {
			return fmt.Errorf("%w: %w (after %w)", ErrUndoFailed, rerr, err)
		}
		return err
	}
	if err := tx.w.Forget(ctx, name); err != nil {
		return fmt.Errorf("%w: %w", ErrUndoFailed, err)
	}
	return nil
}

// Claim reserves a key for a resource (a port, a VLAN).
func (tx *Tx) Claim(ctx context.Context, c store.Claim) error { return tx.w.Claim(ctx, c) }

// Release drops every claim of a resource.
func (tx *Tx) Release(ctx context.Context, kind, id string) error { return tx.w.Release(ctx, kind, id) }

// Store is the raw writer, for the facility's bookkeeping of transitions
// (holds, retries); services never write records through it.
func (tx *Tx) Store() store.Writer { return tx.w }

type causeKey struct{}

// WithCause returns a context whose changes are recorded as caused by c (a
// facility step), whatever API caller it carries.
func WithCause(ctx context.Context, c store.Cause) context.Context {
	return context.WithValue(ctx, causeKey{}, c)
}

// CauseOf is what ctx's changes are recorded as caused by.
func CauseOf(ctx context.Context) store.Cause {
	if c, ok := ctx.Value(causeKey{}).(store.Cause); ok {
		return c
	}
	who := caller.From(ctx)
	return store.Cause{Type: store.CauseAPI, RequestID: who.RequestID, Account: who.Account, Operation: who.Operation}
}

// ErrNoSlot means every key of a ClaimAny scope is held.
var ErrNoSlot = errors.New("resource: every slot is taken")

// randomProbes is how many random keys ClaimAny tries before it scans the
// scope in order: cheap while the scope is far from full, complete when it
// is nearly so.
const randomProbes = 8

// ClaimAny claims one free key of 1..n in scope for owner (a block of
// addresses on a device) and returns it, or ErrNoSlot. Like every claim it
// holds against concurrent transactions. It tries random keys first, then
// every key in turn.
func (tx *Tx) ClaimAny(ctx context.Context, scope string, n int, owner Ref) (int, error) {
	return tx.claimAny(ctx, scope, n, owner, false)
}

// ClaimNext is ClaimAny for keys that are taken in order (a device's
// ports, a quota's units): it tries first the key after the one it last
// took in the scope (claimHints).
func (tx *Tx) ClaimNext(ctx context.Context, scope string, n int, owner Ref) (int, error) {
	return tx.claimAny(ctx, scope, n, owner, true)
}

func (tx *Tx) claimAny(ctx context.Context, scope string, n int, owner Ref, next bool) (int, error) {
	try := func(i int) (bool, error) {
		err := tx.w.Claim(ctx, store.Claim{Scope: scope, Key: strconv.Itoa(i), OwnerKind: owner.Kind, OwnerID: owner.ID})
		if errors.Is(err, store.ErrConflict) {
			return false, nil
		}
		if err == nil && next {
			claimHints.took(scope, i)
		}
		return err == nil, err
	}
	if n <= 0 {
		return 0, ErrNoSlot
	}
	if next {
		if i := claimHints.next(scope); i <= n {
			if ok, err := try(i); ok || err != nil {
				return i, err
			}
		}
	}
	for range min(randomProbes, n) {
		i := 1 + rand.IntN(n)
		if ok, err := try(i); ok || err != nil {
			return i, err
		}
	}
	start := rand.IntN(n)
	for k := range n {
		i := 1 + (start+k)%n
		if ok, err := try(i); ok || err != nil {
			return i, err
		}
	}
	return 0, ErrNoSlot
}

// claimHints remembers, per scope, the key ClaimNext last took in this
// process, so that the next claim tries the key after it first. Keys are
// then taken in order and their rows land side by side, where random keys
// put each claim of a batch of creates on a page of its own, every one of
// them written at the commit. A hint only says where to look first: the
// claim decides, so a hint that is stale (the key since taken by another
// replica, or released) costs one more probe.
var claimHints = hints{last: map[string]int{}}

type hints struct {
	mu   sync.Mutex
	last map[string]int
}

// maxHints bounds the scopes remembered; past it they are forgotten at once.
const maxHints = 10000

// next is the key to try first in scope: 1 for a scope not seen.
func (h *hints) next(scope string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last[scope] + 1
}

func (h *hints) took(scope string, key int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.last) >= maxHints {
		clear(h.last)
	}
	h.last[scope] = key
}
