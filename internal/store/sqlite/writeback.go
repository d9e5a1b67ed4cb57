package sqlite

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// Write-back. A call writes the same rows several times over: under the
// instant profile a CreateConnection inserts its record, and then each of
// its two steps schedules a transition, unschedules it when it fires,
// reads the record and updates it, inside a savepoint of its own. Written
// as they came, that was about thirty statements, half of them on the
// transitions table and its five indexes, for rows that end up as one
// record and three events. So the committer runs every call on a
// writeback: the records, transitions and events a call writes are held
// in memory and written once, when the call returns. A record inserted and
// updated twice is one INSERT of its last version; a transition scheduled
// and unscheduled within the call is never written.
//
// Reads see the call's writes. Get answers from what is held; a read that
// memory cannot answer (a List that a held record could match, the
// transitions' queries, the timeline) first writes what is held. Claims,
// settings and deletes are written at once: what they answer depends on
// rows the call does not hold.
//
// Savepoints are lazy: one under which nothing reached SQLite is never
// issued, and rolling back to it puts back what was held when it was
// made. One that was issued (something was written under it) is rolled
// back in SQLite as well, and what is held is put back as it was, which
// is what SQLite then holds underneath it.
//
// Nothing here is shared: a writeback lives for one call, in the
// committer's goroutine, inside the transaction that holds SQLite's one
// write lock, so what it read cannot change under it.
type writeback struct {
	t *txn

	recs  map[recKey]heldRecord
	order []recKey // as first held, so that a flush writes in call order

	trans      map[string]store.Transition // scheduled, not written yet
	transOrder []string                    // as scheduled (some since written or dropped)

	events  []store.Event // appended, with their seqs; written up to written
	written int
	seqs    *int64 // the last seq given out (the committer's); 0 before it is read

	marks []mark

	// touched lists the records written to SQLite, for the committer to
	// drop from the record cache once the transaction ends (cache.go).
	touched *[]recKey
}

type recKey struct{ kind, id string }

// heldRecord is a record the call read or wrote: cur as the call sees it,
// stored as SQLite holds it (inStore false: not there, the call inserted
// it), dirty when cur is still to be written.
type heldRecord struct {
	cur     store.Record
	stored  store.Record
	inStore bool
	dirty   bool
}

// mark is a savepoint: what was held when it was made, and whether it was
// issued to SQLite.
type mark struct {
	name       string
	issued     bool
	recs       map[recKey]heldRecord
	order      int
	trans      map[string]store.Transition
	transOrder int
	events     int
	written    int
}

func newWriteback(t *txn, seqs *int64, touched *[]recKey) *writeback {
	return &writeback{t: t, seqs: seqs, touched: touched, recs: map[recKey]heldRecord{}, trans: map[string]store.Transition{}}
}

func (w *writeback) touch(k recKey) { *w.touched = append(*w.touched, k) }

// sqlite is the transaction for a statement that writes: the savepoints
// not issued yet are issued first, so that the write falls under them.
func (w *writeback) sqlite(ctx context.Context) (*txn, error) {
	for i := range w.marks {
		if w.marks[i].issued {
			continue
		}
		if err := w.t.Savepoint(ctx, w.marks[i].name); err != nil {
			return nil, err
		}
		w.marks[i].issued = true
	}
	return w.t, nil
}

// flush writes everything held: records first, then transitions and events.
func (w *writeback) flush(ctx context.Context) error {
	if err := w.flushRecords(ctx); err != nil {
		return err
	}
	if err := w.flushTransitions(ctx); err != nil {
		return err
	}
	return w.flushEvents(ctx)
}

// Records.

// hold copies r as the call's view of it: viewers sorted and distinct as a
// read from SQLite gives them, and nothing shared with the caller.
func hold(r store.Record) store.Record {
	r.Viewers = slices.Compact(slices.Sorted(slices.Values(r.Viewers)))
	r.Data = slices.Clone(r.Data)
	r.KeepViewers = false
	return r
}

// answer is a held record as Get answers it: a copy, without its state.
func answer(r store.Record) store.Record {
	r.Viewers = slices.Clone(r.Viewers)
	r.Data = slices.Clone(r.Data)
	r.State = ""
	return r
}

func (w *writeback) keep(k recKey, h heldRecord) {
	if _, ok := w.recs[k]; !ok {
		w.order = append(w.order, k)
	}
	w.recs[k] = h
}

// held is the record as the call sees it, read from SQLite (and then held)
// when the call has not seen it yet.
func (w *writeback) held(ctx context.Context, kind, id string) (heldRecord, error) {
	k := recKey{kind, id}
	if h, ok := w.recs[k]; ok {
		return h, nil
	}
	r, err := w.t.Get(ctx, kind, id)
	if err != nil {
		return heldRecord{}, err
	}
	h := heldRecord{cur: r, stored: r, inStore: true}
	w.keep(k, h)
	return h, nil
}

func (w *writeback) Get(ctx context.Context, kind, id string) (store.Record, error) {
	h, err := w.held(ctx, kind, id)
	if err != nil {
		return store.Record{}, err
	}
	return answer(h.cur), nil
}

func (w *writeback) Insert(ctx context.Context, r store.Record) error {
	k := recKey{r.Kind, r.ID}
	if _, ok := w.recs[k]; ok {
		return store.ErrExists
	}
	exists, err := w.t.exists(ctx, r.Kind, r.ID)
	if err != nil {
		return err
	}
	if exists {
		return store.ErrExists
	}
	r = hold(r)
	r.Version = 1
	w.keep(k, heldRecord{cur: r, dirty: true})
	return nil
}

func (w *writeback) Update(ctx context.Context, r store.Record) error {
	h, err := w.held(ctx, r.Kind, r.ID)
	if err != nil {
		return err
	}
	if h.cur.Version != r.Version {
		return store.ErrStale
	}
	// KeepViewers is not needed here: the flush compares the viewers with
	// the stored ones and writes them only when they differ.
	r = hold(r)
	r.Version++
	h.cur, h.dirty = r, true
	w.keep(recKey{r.Kind, r.ID}, h)
	return nil
}

func (w *writeback) flushRecords(ctx context.Context) error {
	for _, k := range w.order {
		h, ok := w.recs[k]
		if !ok || !h.dirty {
			continue
		}
		t, err := w.sqlite(ctx)
		if err != nil {
			return err
		}
		if h.inStore {
			err = t.updateTo(ctx, h.cur, h.stored.Version)
			if err == nil && !slices.Equal(h.cur.Viewers, h.stored.Viewers) {
				err = t.setViewers(ctx, h.cur, false)
			}
		} else {
			err = t.insertAt(ctx, h.cur)
		}
		w.touch(k)
		if err != nil {
			return err
		}
		w.recs[k] = heldRecord{cur: h.cur, stored: h.cur, inStore: true}
	}
	return nil
}

// mayMatch tells whether a List for q could answer a record the call holds
// unwritten, as it is now or as SQLite holds it: then the List must read
// it from SQLite, written.
func (w *writeback) mayMatch(q store.ListQuery) bool {
	for _, h := range w.recs {
		if !h.dirty {
			continue
		}
		if matches(q, h.cur) || (h.inStore && matches(q, h.stored)) {
			return true
		}
	}
	return false
}

func matches(q store.ListQuery, r store.Record) bool {
	switch {
	case q.Kind != "" && r.Kind != q.Kind,
		q.Account != "" && r.Account != q.Account,
		q.Region != "" && r.Region != q.Region,
		q.Parent != "" && r.Parent != q.Parent,
		q.VisibleTo != "" && r.Account != q.VisibleTo && !slices.Contains(r.Viewers, q.VisibleTo),
		q.After != "" && r.ID <= q.After:
		return false
	}
	return true
}

func (w *writeback) List(ctx context.Context, q store.ListQuery) ([]store.Record, error) {
	if w.mayMatch(q) {
		if err := w.flushRecords(ctx); err != nil {
			return nil, err
		}
	}
	return w.t.List(ctx, q)
}

func (w *writeback) Census(ctx context.Context) ([]store.StateCount, error) {
	if err := w.flushRecords(ctx); err != nil {
		return nil, err
	}
	return w.t.Census(ctx)
}

func (w *writeback) Unstated(ctx context.Context, kind string, limit int) ([]store.Record, error) {
	if err := w.flushRecords(ctx); err != nil {
		return nil, err
	}
	return w.t.Unstated(ctx, kind, limit)
}

func (w *writeback) SetState(ctx context.Context, kind, id, state string) error {
	if err := w.flushRecords(ctx); err != nil {
		return err
	}
	t, err := w.sqlite(ctx)
	if err != nil {
		return err
	}
	w.touch(recKey{kind, id})
	if err := t.SetState(ctx, kind, id, state); err != nil {
		return err
	}
	if h, ok := w.recs[recKey{kind, id}]; ok {
		h.cur.State, h.stored.State = state, state
		w.recs[recKey{kind, id}] = h
	}
	return nil
}

// Delete writes everything held first: deleting a record deletes its
// pending transitions too, and those the call holds must be in SQLite for
// the delete to find them.
func (w *writeback) Delete(ctx context.Context, kind, id string) error {
	if err := w.flush(ctx); err != nil {
		return err
	}
	t, err := w.sqlite(ctx)
	if err != nil {
		return err
	}
	w.touch(recKey{kind, id})
	if err := t.Delete(ctx, kind, id); err != nil {
		return err
	}
	delete(w.recs, recKey{kind, id})
	return nil
}

// Transitions.

func (w *writeback) Schedule(ctx context.Context, tr store.Transition) error {
	if _, ok := w.trans[tr.ID]; ok {
		return store.ErrExists
	}
	// One with this id in SQLite (ids are random: never, in practice)
	// fails the write at the end of the call with ErrExists.
	w.trans[tr.ID] = tr
	w.transOrder = append(w.transOrder, tr.ID)
	return nil
}

func (w *writeback) Unschedule(ctx context.Context, id string) error {
	if _, ok := w.trans[id]; ok {
		delete(w.trans, id)
		return nil
	}
	t, err := w.sqlite(ctx)
	if err != nil {
		return err
	}
	return t.Unschedule(ctx, id)
}

func (w *writeback) Transition(ctx context.Context, id string) (store.Transition, error) {
	if tr, ok := w.trans[id]; ok {
		return tr, nil
	}
	return w.t.Transition(ctx, id)
}

func (w *writeback) flushTransitions(ctx context.Context) error {
	for _, id := range w.transOrder {
		tr, ok := w.trans[id]
		if !ok {
			continue
		}
		t, err := w.sqlite(ctx)
		if err != nil {
			return err
		}
		if err := t.Schedule(ctx, tr); err != nil {
			return err
		}
		delete(w.trans, id)
	}
	return nil
}

// transitions is the transaction for a statement on the transitions
// table, with what is held written first.
func (w *writeback) transitions(ctx context.Context) (*txn, error) {
	if err := w.flushTransitions(ctx); err != nil {
		return nil, err
	}
	return w.t, nil
}

func (w *writeback) Transitions(ctx context.Context, q store.TransitionQuery) ([]store.Transition, error) {
	t, err := w.transitions(ctx)
	if err != nil {
		return nil, err
	}
	return t.Transitions(ctx, q)
}

func (w *writeback) NextDue(ctx context.Context, steps []string) (time.Time, error) {
	t, err := w.transitions(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return t.NextDue(ctx, steps)
}

func (w *writeback) StepCounts(ctx context.Context) ([]store.StepCount, error) {
	t, err := w.transitions(ctx)
	if err != nil {
		return nil, err
	}
	return t.StepCounts(ctx)
}

// writeTransitions is the transaction for a statement that writes the
// transitions table.
func (w *writeback) writeTransitions(ctx context.Context) (*txn, error) {
	if _, err := w.transitions(ctx); err != nil {
		return nil, err
	}
	return w.sqlite(ctx)
}

func (w *writeback) UnscheduleFor(ctx context.Context, kind, id string) error {
	t, err := w.writeTransitions(ctx)
	if err != nil {
		return err
	}
	return t.UnscheduleFor(ctx, kind, id)
}

func (w *writeback) TakeDue(ctx context.Context, q store.TakeQuery) ([]store.Transition, error) {
	t, err := w.writeTransitions(ctx)
	if err != nil {
		return nil, err
	}
	return t.TakeDue(ctx, q)
}

func (w *writeback) Take(ctx context.Context, id, owner string, now, until time.Time) (store.Transition, error) {
	t, err := w.writeTransitions(ctx)
	if err != nil {
		return store.Transition{}, err
	}
	return t.Take(ctx, id, owner, now, until)
}

func (w *writeback) Reschedule(ctx context.Context, tr store.Transition) error {
	t, err := w.writeTransitions(ctx)
	if err != nil {
		return err
	}
	return t.Reschedule(ctx, tr)
}

// Events. An event's seq is given out when it is appended, as SQLite's
// AUTOINCREMENT would give it, from a counter the committer keeps across
// calls (seqs): one more than the highest ever given, which is read once
// from sqlite_sequence, where AUTOINCREMENT keeps it past pruning. Only the
// committer writes, so no one else gives one out meanwhile. A seq given to
// an event that is then rolled back is not given again: the timeline may
// have gaps, as AUTOINCREMENT's may, and its order is still the order of
// the commits.

func (w *writeback) Append(ctx context.Context, e store.Event) (int64, error) {
	if *w.seqs == 0 {
		seq, err := w.t.lastSeq(ctx)
		if err != nil {
			return 0, err
		}
		*w.seqs = seq
	}
	*w.seqs++
	e.Seq = *w.seqs
	e.Viewers = slices.Clone(e.Viewers)
	w.events = append(w.events, e)
	return e.Seq, nil
}

func (w *writeback) flushEvents(ctx context.Context) error {
	if w.written == len(w.events) {
		return nil
	}
	t, err := w.sqlite(ctx)
	if err != nil {
		return err
	}
	if err := t.appendEvents(ctx, w.events[w.written:]); err != nil {
		return err
	}
	w.written = len(w.events)
	return nil
}

func (w *writeback) Events(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	if err := w.flushEvents(ctx); err != nil {
		return nil, err
	}
	return w.t.Events(ctx, q)
}

func (w *writeback) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	if err := w.flushEvents(ctx); err != nil {
		return 0, err
	}
	t, err := w.sqlite(ctx)
	if err != nil {
		return 0, err
	}
	return t.PruneEvents(ctx, before)
}

// Written at once.

func (w *writeback) Claim(ctx context.Context, c store.Claim) error {
	t, err := w.sqlite(ctx)
	if err != nil {
		return err
	}
	return t.Claim(ctx, c)
}

func (w *writeback) Release(ctx context.Context, ownerKind, ownerID string) error {
	t, err := w.sqlite(ctx)
	if err != nil {
		return err
	}
	return t.Release(ctx, ownerKind, ownerID)
}

func (w *writeback) Set(ctx context.Context, key, value string) error {
	t, err := w.sqlite(ctx)
	if err != nil {
		return err
	}
	return t.Set(ctx, key, value)
}

func (w *writeback) Setting(ctx context.Context, key string) (string, error) {
	return w.t.Setting(ctx, key)
}

func (w *writeback) ClaimCounts(ctx context.Context, prefix string) (map[string]int, error) {
	return w.t.ClaimCounts(ctx, prefix)
}

// Savepoints.

func (w *writeback) Savepoint(ctx context.Context, name string) error {
	w.marks = append(w.marks, mark{
		name:       name,
		recs:       maps.Clone(w.recs),
		order:      len(w.order),
		trans:      maps.Clone(w.trans),
		transOrder: len(w.transOrder),
		events:     len(w.events),
		written:    w.written,
	})
	return nil
}

// markNamed is the index of the innermost savepoint of that name.
func (w *writeback) markNamed(name string) (int, error) {
	for i := len(w.marks) - 1; i >= 0; i-- {
		if w.marks[i].name == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("sqlite: no such savepoint: %s", name)
}

// RollbackTo undoes everything since the savepoint and ends it.
func (w *writeback) RollbackTo(ctx context.Context, name string) error {
	i, err := w.markNamed(name)
	if err != nil {
		return err
	}
	m := w.marks[i]
	w.marks = w.marks[:i]
	w.recs, w.order = m.recs, w.order[:m.order]
	w.trans, w.transOrder = m.trans, w.transOrder[:m.transOrder]
	w.events, w.written = w.events[:m.events], m.written
	if m.issued {
		return w.t.RollbackTo(ctx, name)
	}
	return nil
}

// Forget ends the savepoint, keeping what was done since.
func (w *writeback) Forget(ctx context.Context, name string) error {
	i, err := w.markNamed(name)
	if err != nil {
		return err
	}
	issued := w.marks[i].issued
	w.marks = w.marks[:i]
	if issued {
		return w.t.Forget(ctx, name)
	}
	return nil
}
