// Package storetest is the behaviour every store backend must show, as one
// suite each backend's tests run against a fresh instance.
//
// Every case holds whatever the backend's isolation, so long as it keeps the
// contract: the concurrent ones accept any interleaving a backend whose
// transactions really run side by side may produce. Times are fixed and carry
// nanoseconds in a zone other than UTC, so every comparison of a time read
// back also checks that it is the same instant, to the nanosecond, in UTC.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// Run runs the suite; open returns an empty store that the test owns.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, c := range []struct {
		name string
		test func(*testing.T, store.Store)
	}{
		{"Records", testRecords},
		{"Versions", testVersions},
		{"LostUpdate", testLostUpdate},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"Rollback", testRollback},
		{"Delete", testDelete},
		{"List", testList},
		{"Claims", testClaims},
		{"ConcurrentClaims", testConcurrentClaims},
		{"Transitions", testTransitions},
		{"TakeDue", testTakeDue},
		{"ConcurrentTakeDue", testConcurrentTakeDue},
		{"Take", testTake},
		{"ScheduleHeld", testScheduleHeld},
		{"Reschedule", testReschedule},
		{"NextDue", testNextDue},
		{"Events", testEvents},
		{"Settings", testSettings},
		{"ClaimCounts", testClaimCounts},
		{"Census", testCensus},
		{"Peek", testPeek},
		{"KeepViewers", testKeepViewers},
		{"StepCounts", testStepCounts},
		{"Times", testTimes},
		{"Savepoints", testSavepoints},
		{"ReadOwnWrites", testReadOwnWrites},
		{"SavepointsUndoEverything", testSavepointsUndoEverything},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, open(t)) })
	}
}

var ctx = context.Background()

// base is the suite's clock.
var base = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.FixedZone("+0530", 5*3600+30*60))

func at(d time.Duration) time.Time { return base.Add(d) }

// errRollback is what rollBack's transactions fail with.
var errRollback = errors.New("storetest: roll back")

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func update(t *testing.T, s store.Store, fn func(w store.Writer) error) {
	t.Helper()
	must(t, s.Update(ctx, fn))
}

// rollBack runs fn in a transaction that then fails, so none of it may last.
func rollBack(t *testing.T, s store.Store, fn func(w store.Writer) error) {
	t.Helper()
	err := s.Update(ctx, func(w store.Writer) error {
		if err := fn(w); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("transaction to roll back: %v", err)
	}
}

func wantErr(t *testing.T, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Errorf("%s: got error %v, want %v", what, got, want)
	}
}

func wantKeys[K comparable](t *testing.T, what string, got []K, want ...K) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func keys[T, K any](xs []T, key func(T) K) []K {
	out := make([]K, len(xs))
	for i, x := range xs {
		out[i] = key(x)
	}
	return out
}

// read returns what fn reads in a View of its own.
func read[T any](s store.Store, fn func(r store.Reader) (T, error)) (v T, err error) {
	err = s.View(ctx, func(r store.Reader) (err error) {
		v, err = fn(r)
		return err
	})
	return v, err
}

func mustRead[T any](t *testing.T, s store.Store, fn func(r store.Reader) (T, error)) T {
	t.Helper()
	v, err := read(s, fn)
	must(t, err)
	return v
}

// writeAll passes each of xs to op (Insert, Schedule, ...) in one
// transaction.
func writeAll[T any](t *testing.T, s store.Store, op func(store.Writer, context.Context, T) error, xs ...T) {
	t.Helper()
	update(t, s, func(w store.Writer) error {
		for _, x := range xs {
			if err := op(w, ctx, x); err != nil {
				return err
			}
		}
		return nil
	})
}

// race runs fn(0) ... fn(n-1) at once and returns how many succeeded; the
// others must have failed with lost.
func race(t *testing.T, n int, lost error, fn func(i int) error) (won int) {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = fn(i) })
	}
	wg.Wait()
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, lost):
			t.Errorf("racing transaction: %v, want nil or %v", err, lost)
		}
	}
	return won
}

// sameTime checks that got is want's instant, read back in UTC.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("%s: got %v (location %s), want %v", what, got, got.Location(), want.UTC())
	}
}

// same compares what is left of got and want once their times were checked
// and cleared and their Viewers sorted.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// sorted is a set of accounts in a canonical form: the store need not keep
// the order of Viewers, nor tell nil from empty.
func sorted(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(xs))
}

// pages follows a keyset listing with pages of limit: next lists the page
// after last (nil for the first). It returns all the pages held.
func pages[T any](t *testing.T, limit int, next func(last *T, limit int) []T) []T {
	t.Helper()
	var all []T
	var last *T
	for range 100 {
		page := next(last, limit)
		if len(page) > limit {
			t.Fatalf("page of %d beyond limit %d", len(page), limit)
		}
		all = append(all, page...)
		if len(page) < limit {
			return all
		}
		last = &page[len(page)-1]
	}
	t.Fatal("paging never ends")
	return nil
}

// Records.

func thing(id, account, region string, viewers ...string) store.Record {
	return store.Record{Kind: "thing", ID: id, Account: account, Region: region, Viewers: viewers, Data: []byte(id)}
}

func recordID(r store.Record) string { return r.ID }

func insert(t *testing.T, s store.Store, rs ...store.Record) {
	t.Helper()
	writeAll(t, s, store.Writer.Insert, rs...)
}

func lookup(s store.Store, id string) (store.Record, error) {
	return read(s, func(r store.Reader) (store.Record, error) { return r.Get(ctx, "thing", id) })
}

func get(t *testing.T, s store.Store, id string) store.Record {
	t.Helper()
	r, err := lookup(s, id)
	must(t, err)
	return r
}

// write updates r in a transaction of its own.
func write(s store.Store, r store.Record) error {
	return s.Update(ctx, func(w store.Writer) error { return w.Update(ctx, r) })
}

func sameRecord(t *testing.T, what string, got, want store.Record) {
	t.Helper()
	got.Viewers, want.Viewers = sorted(got.Viewers), sorted(want.Viewers)
	same(t, what, got, want)
}

func list(t *testing.T, s store.Store, q store.ListQuery) []store.Record {
	t.Helper()
	return mustRead(t, s, func(r store.Reader) ([]store.Record, error) { return r.List(ctx, q) })
}

func listIDs(t *testing.T, s store.Store, q store.ListQuery) []string {
	t.Helper()
	return keys(list(t, s, q), recordID)
}

func testRecords(t *testing.T, s store.Store) {
	t0 := thing("t-0", "111111111111", "us-east-1", "333333333333")
	t0.Parent = "dxcon-1"
	t0.Version = 9 // Insert starts every record at 1
	insert(t, s, t0, thing("t-1", "222222222222", "us-east-1"), thing("t-2", "111111111111", "us-east-1"))
	t0.Version = 1
	sameRecord(t, "t-0", get(t, s, "t-0"), t0)
	err := s.Update(ctx, func(w store.Writer) error { return w.Insert(ctx, thing("t-0", "x", "y")) })
	wantErr(t, "second insert of t-0", err, store.ErrExists)
	sameRecord(t, "t-0 after a second insert", get(t, s, "t-0"), t0)
	_, err = lookup(s, "nope")
	wantErr(t, "get of a missing record", err, store.ErrNotFound)

	// Another kind may use the same ID, and lists apart.
	insert(t, s, store.Record{Kind: "other", ID: "t-0", Account: "111111111111", Region: "us-east-1", Data: []byte("o")})
	got := list(t, s, store.ListQuery{Kind: "thing", Account: "111111111111"})
	wantKeys(t, "things of 1111", keys(got, recordID), "t-0", "t-2")
	if len(got) == 2 {
		sameRecord(t, "t-0 as listed", got[0], t0)
	}
	wantKeys(t, "page after t-0", listIDs(t, s, store.ListQuery{Kind: "thing", After: "t-0", Limit: 1}), "t-1")

	update(t, s, func(w store.Writer) error { return w.Delete(ctx, "thing", "t-2") })
	_, err = lookup(s, "t-2")
	wantErr(t, "get after delete", err, store.ErrNotFound)
	wantKeys(t, "things after delete", listIDs(t, s, store.ListQuery{Kind: "thing"}), "t-0", "t-1")
}

func testVersions(t *testing.T, s store.Store) {
	insert(t, s, thing("v", "1", "r"))
	v1 := get(t, s, "v")
	next := v1
	next.Data = []byte("second")
	must(t, write(s, next))
	next.Version = 2
	sameRecord(t, "after update", get(t, s, "v"), next)

	stale := v1
	stale.Data = []byte("stale")
	wantErr(t, "update over version 1", write(s, stale), store.ErrStale)
	sameRecord(t, "after a stale update", get(t, s, "v"), next)

	// A transaction sees the versions its own updates made.
	update(t, s, func(w store.Writer) error {
		r, err := w.Get(ctx, "thing", "v")
		if err != nil {
			return err
		}
		must(t, w.Update(ctx, r))
		wantErr(t, "the same version twice in a transaction", w.Update(ctx, r), store.ErrStale)
		r.Version++
		return w.Update(ctx, r)
	})
	if v := get(t, s, "v").Version; v != 4 {
		t.Errorf("version after two more updates: %d, want 4", v)
	}
	wantErr(t, "update of a missing record", write(s, thing("gone", "1", "r")), store.ErrNotFound)
}

// testLostUpdate: of two changes made from the same read, the second to be
// written is refused rather than silently overwriting the first.
func testLostUpdate(t *testing.T, s store.Store) {
	insert(t, s, thing("x", "1", "r"))
	read := get(t, s, "x")
	update(t, s, func(w store.Writer) error {
		r, err := w.Get(ctx, "thing", "x")
		if err != nil {
			return err
		}
		r.Data = []byte("first")
		return w.Update(ctx, r)
	})
	read.Data = []byte("second")
	wantErr(t, "write from the older read", write(s, read), store.ErrStale)
	if got := get(t, s, "x"); string(got.Data) != "first" || got.Version != 2 {
		t.Errorf("after the lost update: %q at version %d, want \"first\" at 2", got.Data, got.Version)
	}
}

// testConcurrentUpdates: read-modify-write transactions racing on one
// counter may fail, but only with ErrStale, and every one that succeeded
// counts.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	counter := thing("n", "1", "r")
	counter.Data = []byte("0")
	insert(t, s, counter)
	won := race(t, 16, store.ErrStale, func(int) error {
		return s.Update(ctx, func(w store.Writer) error {
			r, err := w.Get(ctx, "thing", "n")
			if err != nil {
				return err
			}
			v, err := strconv.Atoi(string(r.Data))
			if err != nil {
				return err
			}
			r.Data = strconv.AppendInt(nil, int64(v+1), 10)
			return w.Update(ctx, r)
		})
	})
	got := get(t, s, "n")
	if string(got.Data) != strconv.Itoa(won) || got.Version != int64(won+1) {
		t.Errorf("counter %s at version %d after %d successful updates", got.Data, got.Version, won)
	}
}

func testRollback(t *testing.T, s store.Store) {
	insert(t, s, thing("kept", "1", "r", "v1"))
	kept := get(t, s, "kept")
	rollBack(t, s, func(w store.Writer) error {
		changed := kept
		changed.Data, changed.Viewers = []byte("changed"), []string{"v2"}
		return errors.Join(
			w.Update(ctx, changed),
			w.Insert(ctx, thing("a", "1", "r", "v1")),
			w.Claim(ctx, store.Claim{Scope: "vlan:x", Key: "100", OwnerKind: "thing", OwnerID: "a"}),
			w.Schedule(ctx, transition("tr-a", "s", base)))
	})
	sameRecord(t, "record updated in a rolled-back transaction", get(t, s, "kept"), kept)
	_, err := lookup(s, "a")
	wantErr(t, "record inserted in a rolled-back transaction", err, store.ErrNotFound)
	wantKeys(t, "transitions", transitionIDs(t, s, store.TransitionQuery{}))
	wantKeys(t, "visible to v2", listIDs(t, s, store.ListQuery{Kind: "thing", VisibleTo: "v2"}))
	update(t, s, func(w store.Writer) error {
		return w.Claim(ctx, store.Claim{Scope: "vlan:x", Key: "100", OwnerKind: "thing", OwnerID: "b"})
	})

	rollBack(t, s, func(w store.Writer) error { return w.Delete(ctx, "thing", "kept") })
	sameRecord(t, "record deleted in a rolled-back transaction", get(t, s, "kept"), kept)
	wantKeys(t, "visible to v1", listIDs(t, s, store.ListQuery{Kind: "thing", VisibleTo: "v1"}), "kept")
}

// testDelete: a record goes with its claims, transitions and viewers.
func testDelete(t *testing.T, s store.Store) {
	insert(t, s, thing("d", "1", "r", "v"), thing("e", "1", "r", "v"))
	port := store.Claim{Scope: "port:dev", Key: "1", OwnerKind: "thing", OwnerID: "d"}
	update(t, s, func(w store.Writer) error {
		return errors.Join(w.Claim(ctx, port),
			w.Schedule(ctx, transition("d", "x", base)),
			w.Schedule(ctx, transition("e", "x", base)))
	})
	update(t, s, func(w store.Writer) error { return w.Delete(ctx, "thing", "d") })
	_, err := lookup(s, "d")
	wantErr(t, "get after delete", err, store.ErrNotFound)
	wantKeys(t, "transitions after delete", transitionIDs(t, s, store.TransitionQuery{}), "e")
	wantKeys(t, "visible to v after delete", listIDs(t, s, store.ListQuery{Kind: "thing", VisibleTo: "v"}), "e")
	port.OwnerID = "e"
	update(t, s, func(w store.Writer) error { return w.Claim(ctx, port) })

	// A record made again under the ID starts afresh, without the viewers.
	insert(t, s, thing("d", "2", "r"))
	if v := get(t, s, "d").Version; v != 1 {
		t.Errorf("version of a record inserted again: %d", v)
	}
	wantKeys(t, "visible to v after insert again", listIDs(t, s, store.ListQuery{Kind: "thing", VisibleTo: "v"}), "e")
}

func testList(t *testing.T, s store.Store) {
	const a, b, c, d = "111111111111", "222222222222", "333333333333", "444444444444"
	a1 := thing("a1", a, "us-east-1", b, c)
	a1.Parent = "p1"
	b1 := thing("b1", b, "us-east-1")
	b1.Parent = "p1"
	insert(t, s, a1, thing("a2", a, "us-west-2", b), b1, thing("c1", c, "us-east-1", a), thing("c2", c, "us-east-1"),
		store.Record{Kind: "other", ID: "o", Account: a, Region: "us-east-1", Viewers: []string{b}, Data: []byte("o")})
	for _, q := range []struct {
		q    store.ListQuery
		want []string
	}{
		{store.ListQuery{Parent: "p1"}, []string{"a1", "b1"}},
		{store.ListQuery{Account: a}, []string{"a1", "a2"}},
		{store.ListQuery{Account: b}, []string{"b1"}},
		{store.ListQuery{VisibleTo: a}, []string{"a1", "a2", "c1"}},
		{store.ListQuery{VisibleTo: b}, []string{"a1", "a2", "b1"}},
		{store.ListQuery{VisibleTo: b, Region: "us-east-1"}, []string{"a1", "b1"}},
		{store.ListQuery{VisibleTo: d}, nil},
		{store.ListQuery{Region: "us-east-1", After: "a2"}, []string{"b1", "c1", "c2"}},
	} {
		q.q.Kind = "thing"
		wantKeys(t, fmt.Sprintf("list %+v", q.q), listIDs(t, s, q.q), q.want...)
	}
	sameRecord(t, "a1", get(t, s, "a1"), store.Record{Kind: "thing", ID: "a1", Account: a, Region: "us-east-1", Viewers: []string{b, c}, Parent: "p1", Version: 1, Data: []byte("a1")})

	for _, who := range []string{a, b, c} {
		q := store.ListQuery{Kind: "thing", VisibleTo: who}
		want := listIDs(t, s, q)
		for _, limit := range []int{1, 2} {
			got := pages(t, limit, func(last *store.Record, limit int) []store.Record {
				q := q
				q.Limit = limit
				if last != nil {
					q.After = last.ID
				}
				return list(t, s, q)
			})
			wantKeys(t, fmt.Sprintf("pages of %d visible to %s", limit, who), keys(got, recordID), want...)
		}
	}

	update(t, s, func(w store.Writer) error {
		r, err := w.Get(ctx, "thing", "a1")
		if err != nil {
			return err
		}
		r.Viewers = []string{d, c}
		return w.Update(ctx, r)
	})
	wantKeys(t, "visible to b once a1 drops it", listIDs(t, s, store.ListQuery{Kind: "thing", VisibleTo: b}), "a2", "b1")
	wantKeys(t, "visible to d once a1 adds it", listIDs(t, s, store.ListQuery{Kind: "thing", VisibleTo: d}), "a1")
	if got := sorted(get(t, s, "a1").Viewers); !slices.Equal(got, []string{c, d}) {
		t.Errorf("a1's viewers: %v", got)
	}
}

func testClaims(t *testing.T, s store.Store) {
	c := store.Claim{Scope: "vlan:dxcon-1", Key: "101", OwnerKind: "vif", OwnerID: "v1"}
	update(t, s, func(w store.Writer) error { return w.Claim(ctx, c) })
	update(t, s, func(w store.Writer) error { return w.Claim(ctx, c) }) // same owner again is fine
	other := c
	other.OwnerID = "v2"
	wantErr(t, "claim by another owner", s.Update(ctx, func(w store.Writer) error { return w.Claim(ctx, other) }), store.ErrConflict)
	update(t, s, func(w store.Writer) error { return w.Release(ctx, "vif", "v1") })
	update(t, s, func(w store.Writer) error { return w.Claim(ctx, other) })
}

// testCensus counts records by kind and the state written with them, which
// follows Update and SetState, and leaves the records' versions alone.
func testCensus(t *testing.T, s store.Store) {
	a, b := thing("a", "1", "r"), thing("b", "1", "r")
	a.State, b.State = "pending", "pending"
	g := store.Record{Kind: "gadget", ID: "g", Account: "1", Region: "r", Data: []byte("g"), State: "up"}
	insert(t, s, a, b, g)
	census := func() []store.StateCount {
		t.Helper()
		return mustRead(t, s, func(r store.Reader) ([]store.StateCount, error) { return r.Census(ctx) })
	}
	same(t, "census after inserts", census(), []store.StateCount{{Kind: "gadget", State: "up", N: 1}, {Kind: "thing", State: "pending", N: 2}})
	b.Version, b.State = 1, "available"
	must(t, write(s, b))
	update(t, s, func(w store.Writer) error { return w.SetState(ctx, "thing", "a", "down") })
	same(t, "census after an update and a SetState", census(), []store.StateCount{{Kind: "gadget", State: "up", N: 1}, {Kind: "thing", State: "available", N: 1}, {Kind: "thing", State: "down", N: 1}})
	if got := get(t, s, "a"); got.Version != 1 || string(got.Data) != "a" {
		t.Errorf("SetState changed the record: %+v", got)
	}
	wantErr(t, "SetState of a missing record", s.Update(ctx, func(w store.Writer) error { return w.SetState(ctx, "thing", "nope", "x") }), store.ErrNotFound)
	update(t, s, func(w store.Writer) error { return w.Delete(ctx, "gadget", "g") })
	same(t, "census after a delete", census(), []store.StateCount{{Kind: "thing", State: "available", N: 1}, {Kind: "thing", State: "down", N: 1}})
	unstated := mustRead(t, s, func(r store.Reader) ([]store.Record, error) { return r.Unstated(ctx, "thing", 10) })
	if len(unstated) != 0 {
		t.Errorf("records written with a state are listed as unstated: %v", unstated)
	}
}

// testPeek reads what is committed, record and viewers, as View does, and
// sees each later commit.
func testPeek(t *testing.T, s store.Store) {
	insert(t, s, thing("p-1", "1", "r", "3", "2"))
	peek := func(id string) (store.Record, error) {
		var rec store.Record
		err := s.Peek(ctx, func(r store.Reader) (err error) { rec, err = r.Get(ctx, "thing", id); return err })
		return rec, err
	}
	got, err := peek("p-1")
	must(t, err)
	sameRecord(t, "a record peeked", got, get(t, s, "p-1"))
	if !slices.Equal(got.Viewers, []string{"2", "3"}) {
		t.Errorf("peeked viewers %v, want [2 3] in order", got.Viewers)
	}
	_, err = peek("p-2")
	wantErr(t, "peek of a missing record", err, store.ErrNotFound)
	insert(t, s, thing("p-2", "1", "r"))
	if got, err := peek("p-2"); err != nil || got.ID != "p-2" || got.Viewers != nil {
		t.Errorf("peek after a commit: %+v, %v", got, err)
	}
	var recs []store.Record
	must(t, s.Peek(ctx, func(r store.Reader) (err error) {
		recs, err = r.List(ctx, store.ListQuery{Kind: "thing", Account: "1"})
		return err
	}))
	if len(recs) != 2 {
		t.Errorf("peeked list: %d records, want 2", len(recs))
	}

	// A record peeked before is peeked anew after each change: an update,
	// new viewers, a state alone, a delete (a backend may keep what Peek
	// read, and must let go of it at the commit).
	update(t, s, func(w store.Writer) error {
		r, err := w.Get(ctx, "thing", "p-1")
		must(t, err)
		r.Data, r.Viewers = []byte(`{"n":2}`), []string{"4"}
		return w.Update(ctx, r)
	})
	if got, err := peek("p-1"); err != nil || got.Version != 2 || string(got.Data) != `{"n":2}` || !slices.Equal(got.Viewers, []string{"4"}) {
		t.Errorf("peek after an update: %+v, %v", got, err)
	}
	update(t, s, func(w store.Writer) error { return w.SetState(ctx, "thing", "p-1", "gone") })
	update(t, s, func(w store.Writer) error { return w.Delete(ctx, "thing", "p-1") })
	_, err = peek("p-1")
	wantErr(t, "peek after a delete", err, store.ErrNotFound)

	// Under concurrent peeks, each peek after a commit has returned sees it.
	insert(t, s, thing("p-3", "1", "r"))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := peek("p-3"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for v := int64(2); v <= 50; v++ {
		update(t, s, func(w store.Writer) error {
			r, err := w.Get(ctx, "thing", "p-3")
			must(t, err)
			return w.Update(ctx, r)
		})
		if got, err := peek("p-3"); err != nil || got.Version != v {
			t.Errorf("peek after update to version %d: version %d, %v", v, got.Version, err)
		}
	}
	close(stop)
	wg.Wait()
}

// testKeepViewers: an Update told the viewers are unchanged leaves them;
// one not told writes them anew.
func testKeepViewers(t *testing.T, s store.Store) {
	r := thing("k-1", "1", "r", "2")
	insert(t, s, r)
	r.Version, r.Data, r.KeepViewers = 1, []byte("changed"), true
	must(t, write(s, r))
	if got := get(t, s, "k-1"); !slices.Equal(got.Viewers, []string{"2"}) || string(got.Data) != "changed" {
		t.Errorf("after an update keeping viewers: %+v", got)
	}
	r.Version, r.Viewers, r.KeepViewers = 2, []string{"3"}, false
	must(t, write(s, r))
	if got := get(t, s, "k-1"); !slices.Equal(got.Viewers, []string{"3"}) {
		t.Errorf("after an update with new viewers: %v, want [3]", got.Viewers)
	}
	if ids := listIDs(t, s, store.ListQuery{Kind: "thing", VisibleTo: "2"}); len(ids) != 0 {
		t.Errorf("the old viewer still sees %v", ids)
	}
}

// testStepCounts counts pending transitions by step, and those of them that
// wait for an operator.
func testStepCounts(t *testing.T, s store.Store) {
	update(t, s, func(w store.Writer) error {
		for _, tr := range []store.Transition{
			transition("t1", "x.a", at(time.Minute)), transition("t2", "x.a", time.Time{}), transition("t3", "x.b", at(time.Hour)),
		} {
			if err := w.Schedule(ctx, tr); err != nil {
				return err
			}
		}
		return nil
	})
	got := mustRead(t, s, func(r store.Reader) ([]store.StepCount, error) { return r.StepCounts(ctx) })
	same(t, "step counts", got, []store.StepCount{{Step: "x.a", Pending: 2, Waiting: 1}, {Step: "x.b", Pending: 1, Waiting: 0}})
	update(t, s, func(w store.Writer) error { return w.Unschedule(ctx, "t2") })
	got = mustRead(t, s, func(r store.Reader) ([]store.StepCount, error) { return r.StepCounts(ctx) })
	same(t, "step counts after one is taken", got, []store.StepCount{{Step: "x.a", Pending: 1, Waiting: 0}, {Step: "x.b", Pending: 1, Waiting: 0}})
}

// testClaimCounts counts held claims by scope under a prefix, and only
// those.
func testClaimCounts(t *testing.T, s store.Store) {
	update(t, s, func(w store.Writer) error {
		for _, c := range []store.Claim{
			{Scope: "quota:x:1:r:a", Key: "1", OwnerKind: "k", OwnerID: "1"},
			{Scope: "quota:x:1:r:a", Key: "2", OwnerKind: "k", OwnerID: "2"},
			{Scope: "quota:x:1:r:b", Key: "1", OwnerKind: "k", OwnerID: "3"},
			{Scope: "quota:x:1:s:a", Key: "1", OwnerKind: "k", OwnerID: "4"},
			{Scope: "quota:x:10:r:a", Key: "1", OwnerKind: "k", OwnerID: "5"},
			{Scope: "quota:x:1;", Key: "1", OwnerKind: "k", OwnerID: "6"},
			{Scope: "quota:x:1:", Key: "1", OwnerKind: "k", OwnerID: "7"},
		} {
			if err := w.Claim(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	counts := func(prefix string) map[string]int {
		var out map[string]int
		err := s.View(ctx, func(r store.Reader) (err error) {
			out, err = r.ClaimCounts(ctx, prefix)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := counts("quota:x:1:r:"), map[string]int{"quota:x:1:r:a": 2, "quota:x:1:r:b": 1}; !maps.Equal(got, want) {
		t.Errorf("counts under quota:x:1:r: = %v, want %v", got, want)
	}
	if got, want := counts("quota:x:1:"), map[string]int{"quota:x:1:": 1, "quota:x:1:r:a": 2, "quota:x:1:r:b": 1, "quota:x:1:s:a": 1}; !maps.Equal(got, want) {
		t.Errorf("counts under quota:x:1: = %v, want %v", got, want)
	}
	update(t, s, func(w store.Writer) error { return w.Release(ctx, "k", "2") })
	if got := counts("quota:x:1:r:a"); got["quota:x:1:r:a"] != 1 || len(got) != 1 {
		t.Errorf("after a release: %v", got)
	}
	if got := counts("nothing:"); len(got) != 0 {
		t.Errorf("no claims under nothing: %v", got)
	}
}

// testConcurrentClaims races many transactions for one key: exactly one may
// win, whatever the interleaving.
func testConcurrentClaims(t *testing.T, s store.Store) {
	won := race(t, 16, store.ErrConflict, func(i int) error {
		return s.Update(ctx, func(w store.Writer) error {
			return w.Claim(ctx, store.Claim{Scope: "port:dev", Key: "1", OwnerKind: "conn", OwnerID: fmt.Sprint(i)})
		})
	})
	if won != 1 {
		t.Fatalf("%d transactions won the claim, want 1", won)
	}
}

// Transitions.

// transition is one on the thing of its own ID; a zero due makes it manual.
func transition(id, step string, due time.Time) store.Transition {
	return store.Transition{ID: id, Step: step, ResourceKind: "thing", ResourceID: id, Account: "1", Region: "r",
		DueAt: due, CreatedAt: at(-time.Hour), Note: "note of " + id}
}

func transitionID(tr store.Transition) string { return tr.ID }

func schedule(t *testing.T, s store.Store, trs ...store.Transition) {
	t.Helper()
	writeAll(t, s, store.Writer.Schedule, trs...)
}

func transitions(t *testing.T, s store.Store, q store.TransitionQuery) []store.Transition {
	t.Helper()
	return mustRead(t, s, func(r store.Reader) ([]store.Transition, error) { return r.Transitions(ctx, q) })
}

func transitionIDs(t *testing.T, s store.Store, q store.TransitionQuery) []string {
	t.Helper()
	return keys(transitions(t, s, q), transitionID)
}

func stored(t *testing.T, s store.Store, id string) store.Transition {
	t.Helper()
	return mustRead(t, s, func(r store.Reader) (store.Transition, error) { return r.Transition(ctx, id) })
}

func sameTransition(t *testing.T, what string, got, want store.Transition) {
	t.Helper()
	sameTime(t, what+": DueAt", got.DueAt, want.DueAt)
	sameTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, what+": HeldUntil", got.HeldUntil, want.HeldUntil)
	got.DueAt, got.CreatedAt, got.HeldUntil = time.Time{}, time.Time{}, time.Time{}
	want.DueAt, want.CreatedAt, want.HeldUntil = time.Time{}, time.Time{}, time.Time{}
	same(t, what, got, want)
}

// wantHeld checks the stored hold of a transition.
func wantHeld(t *testing.T, s store.Store, id, by string, until time.Time) {
	t.Helper()
	tr := stored(t, s, id)
	if tr.HeldBy != by {
		t.Errorf("%s held by %q, want %q", id, tr.HeldBy, by)
	}
	sameTime(t, id+" held until", tr.HeldUntil, until)
}

// takeQ takes step x's transitions due at now, for a minute.
func takeQ(owner string, now time.Time) store.TakeQuery {
	return store.TakeQuery{Owner: owner, Now: now, Until: now.Add(time.Minute), Steps: []string{"x"}, Limit: 100}
}

// takeDue runs TakeDue, checks that what it returns and stores is held as
// asked, and returns the IDs taken, sorted.
func takeDue(t *testing.T, s store.Store, q store.TakeQuery) []string {
	t.Helper()
	var got []store.Transition
	update(t, s, func(w store.Writer) (err error) {
		got, err = w.TakeDue(ctx, q)
		return err
	})
	for _, tr := range got {
		if tr.HeldBy != q.Owner {
			t.Errorf("%s taken by %s says held by %q", tr.ID, q.Owner, tr.HeldBy)
		}
		sameTime(t, tr.ID+" as taken: HeldUntil", tr.HeldUntil, q.Until)
		wantHeld(t, s, tr.ID, q.Owner, q.Until)
	}
	return slices.Sorted(slices.Values(keys(got, transitionID)))
}

func take(s store.Store, id, owner string, now, until time.Time) (tr store.Transition, err error) {
	err = s.Update(ctx, func(w store.Writer) error {
		tr, err = w.Take(ctx, id, owner, now, until)
		return err
	})
	return tr, err
}

// taken takes a transition that must be free to take, and checks the hold.
func taken(t *testing.T, s store.Store, id, owner string, now, until time.Time) store.Transition {
	t.Helper()
	tr, err := take(s, id, owner, now, until)
	must(t, err)
	if tr.ID != id || tr.HeldBy != owner {
		t.Errorf("Take(%s) by %s returned %s held by %q", id, owner, tr.ID, tr.HeldBy)
	}
	sameTime(t, id+" as taken: HeldUntil", tr.HeldUntil, until)
	wantHeld(t, s, id, owner, until)
	return tr
}

func reschedule(s store.Store, tr store.Transition) error {
	return s.Update(ctx, func(w store.Writer) error { return w.Reschedule(ctx, tr) })
}

func describe(q store.TransitionQuery) string {
	d := fmt.Sprintf("transitions due by %v of %s/%s limit %d", q.DueBy.UTC(), q.ResourceKind, q.ResourceID, q.Limit)
	if q.After != nil {
		d += fmt.Sprintf(" after %v/%s", q.After.DueAt.UTC(), q.After.ID)
	}
	return d
}

func testTransitions(t *testing.T, s store.Store) {
	trs := []store.Transition{
		transition("b", "x", at(time.Minute)),
		transition("a", "x", at(time.Minute)),
		transition("c", "x", at(10*time.Second)),
		transition("d", "y", at(2*time.Hour)),
		transition("m2", "x", time.Time{}),
		transition("m1", "y", time.Time{}),
	}
	trs[0].ResourceID, trs[2].ResourceID, trs[4].ResourceID = "1", "1", "1"
	trs[3].ResourceKind, trs[3].ResourceID = "other", "1"
	schedule(t, s, trs...)
	sameTransition(t, "a", stored(t, s, "a"), trs[1])
	sameTransition(t, "m2", stored(t, s, "m2"), trs[4])
	order := []string{"c", "a", "b", "d", "m1", "m2"}
	for _, q := range []struct {
		q    store.TransitionQuery
		want []string
	}{
		{store.TransitionQuery{}, order},
		{store.TransitionQuery{DueBy: at(time.Minute)}, []string{"c", "a", "b"}},
		{store.TransitionQuery{DueBy: at(time.Minute - 1)}, []string{"c"}},
		{store.TransitionQuery{ResourceKind: "thing"}, []string{"c", "a", "b", "m1", "m2"}},
		{store.TransitionQuery{ResourceID: "1"}, []string{"c", "b", "d", "m2"}},
		{store.TransitionQuery{ResourceKind: "thing", ResourceID: "1"}, []string{"c", "b", "m2"}},
		{store.TransitionQuery{Limit: 2}, []string{"c", "a"}},
		{store.TransitionQuery{After: &store.TransitionKey{DueAt: at(time.Minute), ID: "a"}}, []string{"b", "d", "m1", "m2"}},
		{store.TransitionQuery{After: &store.TransitionKey{DueAt: at(time.Hour)}}, []string{"d", "m1", "m2"}},
		{store.TransitionQuery{After: &store.TransitionKey{ID: "m1"}}, []string{"m2"}},
	} {
		wantKeys(t, describe(q.q), transitionIDs(t, s, q.q), q.want...)
	}
	for _, q := range []store.TransitionQuery{{}, {DueBy: at(time.Minute)}, {ResourceKind: "thing"}} {
		want := transitionIDs(t, s, q)
		for _, limit := range []int{1, 2, 4} {
			got := pages(t, limit, func(last *store.Transition, limit int) []store.Transition {
				q := q
				q.Limit = limit
				if last != nil {
					q.After = &store.TransitionKey{DueAt: last.DueAt, ID: last.ID}
				}
				return transitions(t, s, q)
			})
			wantKeys(t, fmt.Sprint("pages of ", limit, " of ", describe(q)), keys(got, transitionID), want...)
		}
	}

	again := transition("a", "z", at(time.Second))
	wantErr(t, "second schedule of a", s.Update(ctx, func(w store.Writer) error { return w.Schedule(ctx, again) }), store.ErrExists)
	sameTransition(t, "a after a second schedule", stored(t, s, "a"), trs[1])

	update(t, s, func(w store.Writer) error { return w.UnscheduleFor(ctx, "thing", "1") })
	wantKeys(t, "after UnscheduleFor", transitionIDs(t, s, store.TransitionQuery{}), "a", "d", "m1")
	update(t, s, func(w store.Writer) error { return w.Unschedule(ctx, "d") })
	err := s.Update(ctx, func(w store.Writer) error { return w.Unschedule(ctx, "d") })
	wantErr(t, "unschedule of a gone transition", err, store.ErrNotFound)
	_, err = read(s, func(r store.Reader) (store.Transition, error) { return r.Transition(ctx, "d") })
	wantErr(t, "get of a gone transition", err, store.ErrNotFound)
}

func testTakeDue(t *testing.T, s store.Store) {
	schedule(t, s,
		transition("d1", "x", at(-time.Minute)),
		transition("d2", "x", base), // due at Now exactly
		transition("d3", "y", at(-2*time.Minute)),
		transition("future", "x", at(time.Minute)),
		transition("z", "z", at(-time.Minute)),
		transition("manual", "x", time.Time{}),
		transition("live", "x", at(-time.Minute)),
		transition("lapsed", "x", at(-time.Minute)))
	taken(t, s, "live", "other", base, at(30*time.Second))
	taken(t, s, "lapsed", "dead", at(-time.Hour), at(-time.Second))
	due := []string{"d1", "d2", "d3", "lapsed"}

	q := takeQ("a", base)
	q.Steps = []string{"x", "y"}
	few := q
	few.Limit = 2
	rollBack(t, s, func(w store.Writer) error {
		got, err := w.TakeDue(ctx, few)
		ids := keys(got, transitionID)
		if len(ids) != 2 || slices.ContainsFunc(ids, func(id string) bool { return !slices.Contains(due, id) }) {
			t.Errorf("TakeDue with limit 2 took %v, want 2 of %v", ids, due)
		}
		return err
	})
	wantKeys(t, "taken by a", takeDue(t, s, q), due...)
	wantHeld(t, s, "live", "other", at(30*time.Second))

	q.Owner = "b"
	wantKeys(t, "taken by b at the same time", takeDue(t, s, q))
	q.Now, q.Until = at(2*time.Minute), at(3*time.Minute)
	wantKeys(t, "taken by b once the holds lapsed", takeDue(t, s, q), "d1", "d2", "d3", "future", "lapsed", "live")
}

// testConcurrentTakeDue: drivers racing for the due transitions each get
// some, and no two the same one.
func testConcurrentTakeDue(t *testing.T, s store.Store) {
	const n, drivers = 50, 8
	trs := make([]store.Transition, n)
	for i := range trs {
		trs[i] = transition(fmt.Sprintf("t%02d", i), "x", at(-time.Duration(i)*time.Second))
	}
	schedule(t, s, trs...)
	got := make([][]string, drivers)
	errs := make([]error, drivers)
	var wg sync.WaitGroup
	for i := range drivers {
		wg.Go(func() {
			q := takeQ(fmt.Sprint("driver-", i), base)
			q.Limit = 4
			for range n { // each round takes one at least, or ends
				var trs []store.Transition
				errs[i] = s.Update(ctx, func(w store.Writer) (err error) {
					trs, err = w.TakeDue(ctx, q)
					return err
				})
				if errs[i] != nil || len(trs) == 0 {
					return
				}
				got[i] = append(got[i], keys(trs, transitionID)...)
			}
		})
	}
	wg.Wait()
	takers := map[string]string{}
	for i, ids := range got {
		must(t, errs[i])
		for _, id := range ids {
			if prev, ok := takers[id]; ok {
				t.Errorf("%s taken by driver-%d and %s", id, i, prev)
			}
			takers[id] = fmt.Sprint("driver-", i)
		}
	}
	for _, tr := range transitions(t, s, store.TransitionQuery{}) {
		if takers[tr.ID] == "" || tr.HeldBy != takers[tr.ID] {
			t.Errorf("%s taken by %q, held by %q", tr.ID, takers[tr.ID], tr.HeldBy)
		}
	}
	if len(takers) != n {
		t.Errorf("%d transitions taken, want %d", len(takers), n)
	}
}

func testTake(t *testing.T, s store.Store) {
	schedule(t, s, transition("t", "x", at(time.Hour)), transition("manual", "x", time.Time{}))
	_, err := take(s, "gone", "a", base, at(time.Minute))
	wantErr(t, "take of a gone transition", err, store.ErrNotFound)

	want := transition("t", "x", at(time.Hour))
	want.HeldBy, want.HeldUntil = "a", at(time.Minute)
	sameTransition(t, "t as taken before it is due", taken(t, s, "t", "a", base, at(time.Minute)), want)
	_, err = take(s, "t", "b", at(30*time.Second), at(2*time.Minute))
	wantErr(t, "take of a transition another holds", err, store.ErrConflict)
	wantHeld(t, s, "t", "a", at(time.Minute))
	taken(t, s, "t", "a", at(30*time.Second), at(2*time.Minute))
	taken(t, s, "t", "b", at(3*time.Minute), at(4*time.Minute))

	want = transition("manual", "x", time.Time{})
	want.HeldBy, want.HeldUntil = "a", at(time.Minute)
	sameTransition(t, "manual as taken", taken(t, s, "manual", "a", base, at(time.Minute)), want)
}

// A transition may be scheduled already held (a step due at once, held by
// the process that settles it), with every field kept.
func testScheduleHeld(t *testing.T, s store.Store) {
	held := transition("h", "x", at(-time.Minute))
	held.HeldBy, held.HeldUntil, held.Attempts, held.LastError = "settler", at(time.Minute), 2, "earlier"
	schedule(t, s, held)
	sameTransition(t, "h as scheduled", stored(t, s, "h"), held)
	wantKeys(t, "taken by a driver while the settler holds it", takeDue(t, s, takeQ("a", base)))
	wantKeys(t, "taken by a driver once the hold lapsed", takeDue(t, s, takeQ("a", at(time.Minute))), "h")
}

func testReschedule(t *testing.T, s store.Store) {
	schedule(t, s, transition("r", "x", at(-time.Minute)))
	wantKeys(t, "taken by a", takeDue(t, s, takeQ("a", base)), "r")

	// Only the due time, attempts, error and hold come from the argument.
	want := transition("r", "x", at(5*time.Minute))
	want.Attempts, want.LastError = 1, "boom"
	must(t, reschedule(s, store.Transition{ID: "r", DueAt: want.DueAt, Attempts: 1, LastError: "boom"}))
	sameTransition(t, "r rescheduled and let go", stored(t, s, "r"), want)
	wantKeys(t, "taken by b before it is due again", takeDue(t, s, takeQ("b", at(4*time.Minute))))
	wantKeys(t, "taken by b when it is due again", takeDue(t, s, takeQ("b", at(5*time.Minute))), "r")

	want.DueAt, want.Attempts, want.LastError = at(10*time.Minute), 2, "again"
	want.HeldBy, want.HeldUntil = "c", at(20*time.Minute)
	must(t, reschedule(s, store.Transition{ID: "r", DueAt: want.DueAt, Attempts: 2, LastError: "again", HeldBy: "c", HeldUntil: want.HeldUntil}))
	sameTransition(t, "r rescheduled and held", stored(t, s, "r"), want)
	wantKeys(t, "taken by d while c holds it", takeDue(t, s, takeQ("d", at(15*time.Minute))))
	_, err := take(s, "r", "d", at(15*time.Minute), at(16*time.Minute))
	wantErr(t, "take while c holds it", err, store.ErrConflict)

	wantErr(t, "reschedule of a gone transition", reschedule(s, store.Transition{ID: "gone", DueAt: base}), store.ErrNotFound)
}

func nextDue(t *testing.T, s store.Store, steps ...string) time.Time {
	t.Helper()
	return mustRead(t, s, func(r store.Reader) (time.Time, error) { return r.NextDue(ctx, steps) })
}

func testNextDue(t *testing.T, s store.Store) {
	sameTime(t, "NextDue of an empty store", nextDue(t, s, "x"), time.Time{})
	schedule(t, s,
		transition("other", "z", at(-time.Hour)),
		transition("manual", "x", time.Time{}),
		transition("held", "x", at(-10*time.Minute)),
		transition("soon", "x", at(3*time.Minute)))
	sameTime(t, "NextDue of no such step", nextDue(t, s, "nope"), time.Time{})
	sameTime(t, "NextDue(z)", nextDue(t, s, "z"), at(-time.Hour))
	sameTime(t, "NextDue(x, z)", nextDue(t, s, "x", "z"), at(-time.Hour))
	sameTime(t, "NextDue(x)", nextDue(t, s, "x"), at(-10*time.Minute))
	taken(t, s, "held", "a", base, at(5*time.Minute))
	sameTime(t, "NextDue(x) with held held", nextDue(t, s, "x"), at(3*time.Minute))
	update(t, s, func(w store.Writer) error { return w.Unschedule(ctx, "soon") })
	sameTime(t, "NextDue(x) with only held left", nextDue(t, s, "x"), at(5*time.Minute))
	// NextDue is when it can be taken: then, not later.
	wantKeys(t, "taken at NextDue", takeDue(t, s, takeQ("b", at(5*time.Minute))), "held")
	must(t, reschedule(s, store.Transition{ID: "held", DueAt: at(10 * time.Minute), HeldBy: "c", HeldUntil: at(7 * time.Minute)}))
	sameTime(t, "NextDue(x) with a hold lapsing before it is due", nextDue(t, s, "x"), at(10*time.Minute))
}

// Events.

func appendEvents(t *testing.T, s store.Store, es ...store.Event) []store.Event {
	t.Helper()
	es = slices.Clone(es)
	update(t, s, func(w store.Writer) error {
		for i := range es {
			seq, err := w.Append(ctx, es[i])
			if err != nil {
				return err
			}
			es[i].Seq = seq
		}
		return nil
	})
	return es
}

func events(t *testing.T, s store.Store, q store.EventQuery) []store.Event {
	t.Helper()
	return mustRead(t, s, func(r store.Reader) ([]store.Event, error) { return r.Events(ctx, q) })
}

func eventSeq(e store.Event) int64 { return e.Seq }

func sameEvent(t *testing.T, got, want store.Event) {
	t.Helper()
	what := fmt.Sprint("event ", want.Seq)
	sameTime(t, what+": At", got.At, want.At)
	got.At, want.At = time.Time{}, time.Time{}
	got.Viewers, want.Viewers = sorted(got.Viewers), sorted(want.Viewers)
	same(t, what, got, want)
}

func testEvents(t *testing.T, s store.Store) {
	const a, b, c, d = "111111111111", "222222222222", "333333333333", "444444444444"
	api := store.Cause{Type: store.CauseAPI, RequestID: "req-1", Account: a, Operation: "CreateThing"}
	step := store.Cause{Type: store.CauseStep, Step: "thing.approve", Actor: "facility", Transition: "tr-1"}
	es := appendEvents(t, s,
		store.Event{At: base, ResourceKind: "thing", ResourceID: "1", Account: a, Viewers: []string{b}, Region: "us-east-1", Action: "create", To: "pending", Cause: api},
		store.Event{At: at(time.Second), ResourceKind: "thing", ResourceID: "2", Account: c, Region: "us-west-2", Action: "update", From: "pending", To: "available", Cause: step},
		store.Event{At: at(2 * time.Second), ResourceKind: "other", ResourceID: "1", Account: b, Region: "us-east-1", Action: "delete", From: "available", Cause: store.Cause{Type: store.CauseOperator, Step: "other.delete", Actor: "operator"}},
		store.Event{At: at(3 * time.Second), ResourceKind: "thing", ResourceID: "1", Account: a, Viewers: []string{d, b}, Region: "us-east-1", Action: "update", From: "pending", To: "available", Cause: step})
	seq := keys(es, eventSeq)
	for i := 1; i < len(seq); i++ {
		if seq[i] <= seq[i-1] {
			t.Fatalf("Append gave Seqs %v, want increasing", seq)
		}
	}
	all := events(t, s, store.EventQuery{})
	wantKeys(t, "all events", keys(all, eventSeq), seq...)
	for i := range min(len(all), len(es)) {
		sameEvent(t, all[i], es[i])
	}
	for _, q := range []struct {
		q    store.EventQuery
		want []int64
	}{
		{store.EventQuery{ResourceID: "1"}, []int64{seq[0], seq[2], seq[3]}},
		{store.EventQuery{ResourceKind: "thing"}, []int64{seq[0], seq[1], seq[3]}},
		{store.EventQuery{ResourceKind: "thing", ResourceID: "1"}, []int64{seq[0], seq[3]}},
		{store.EventQuery{VisibleTo: a}, []int64{seq[0], seq[3]}},
		{store.EventQuery{VisibleTo: b}, []int64{seq[0], seq[2], seq[3]}},
		{store.EventQuery{VisibleTo: d}, []int64{seq[3]}},
		{store.EventQuery{Since: at(time.Second), Until: at(3 * time.Second)}, []int64{seq[1], seq[2]}},
		{store.EventQuery{Since: at(time.Second + 1)}, []int64{seq[2], seq[3]}},
		{store.EventQuery{AfterSeq: seq[1]}, []int64{seq[2], seq[3]}},
		{store.EventQuery{Limit: 2}, []int64{seq[0], seq[1]}},
		{store.EventQuery{AfterSeq: seq[0], Limit: 2}, []int64{seq[1], seq[2]}},
		{store.EventQuery{Newest: true, Limit: 2}, []int64{seq[3], seq[2]}},
		{store.EventQuery{Newest: true, VisibleTo: b, Limit: 2}, []int64{seq[3], seq[2]}},
		{store.EventQuery{Newest: true, ResourceKind: "thing"}, []int64{seq[3], seq[1], seq[0]}},
	} {
		wantKeys(t, fmt.Sprintf("events %+v", q.q), keys(events(t, s, q.q), eventSeq), q.want...)
	}

	rollBack(t, s, func(w store.Writer) error {
		_, err := w.Append(ctx, es[0])
		return err
	})
	wantKeys(t, "events after a rolled-back append", keys(events(t, s, store.EventQuery{}), eventSeq), seq...)
	last := appendEvents(t, s, es[3])[0]
	if last.Seq <= seq[3] {
		t.Errorf("Seq %d appended after %d", last.Seq, seq[3])
	}

	prune(t, s, at(2*time.Second), 2)
	wantKeys(t, "events after pruning", keys(events(t, s, store.EventQuery{}), eventSeq), seq[2], seq[3], last.Seq)
	// Seqs go on increasing once every event is gone, and the new event is
	// seen by its own accounts only.
	prune(t, s, at(time.Hour), 3)
	if next := appendEvents(t, s, es[1])[0]; next.Seq <= last.Seq {
		t.Errorf("Seq %d appended after pruning %d", next.Seq, last.Seq)
	}
	wantKeys(t, "events visible to b", keys(events(t, s, store.EventQuery{VisibleTo: b}), eventSeq))
}

func prune(t *testing.T, s store.Store, before time.Time, want int) {
	t.Helper()
	var n int
	update(t, s, func(w store.Writer) (err error) {
		n, err = w.PruneEvents(ctx, before)
		return err
	})
	if n != want {
		t.Errorf("PruneEvents(%v) dropped %d events, want %d", before.UTC(), n, want)
	}
}

// Settings.

func setting(s store.Store, key string) (string, error) {
	return read(s, func(r store.Reader) (string, error) { return r.Setting(ctx, key) })
}

func wantSetting(t *testing.T, s store.Store, key, want string) {
	t.Helper()
	if v, err := setting(s, key); err != nil || v != want {
		t.Errorf("setting %s = %q, %v; want %q", key, v, err, want)
	}
}

func testSettings(t *testing.T, s store.Store) {
	_, err := setting(s, "clock.offset")
	wantErr(t, "unknown setting", err, store.ErrNotFound)
	update(t, s, func(w store.Writer) error { return w.Set(ctx, "clock.offset", "5s") })
	wantSetting(t, s, "clock.offset", "5s")
	update(t, s, func(w store.Writer) error { return w.Set(ctx, "clock.offset", "-7s") })
	wantSetting(t, s, "clock.offset", "-7s")
	rollBack(t, s, func(w store.Writer) error {
		return errors.Join(w.Set(ctx, "clock.offset", "9s"), w.Set(ctx, "other", "x"))
	})
	wantSetting(t, s, "clock.offset", "-7s")
	_, err = setting(s, "other")
	wantErr(t, "setting set in a rolled-back transaction", err, store.ErrNotFound)
}

// testTimes writes times of several zones and precisions through every
// field that holds one; each must come back the same instant, in UTC.
func testTimes(t *testing.T, s store.Store) {
	times := []time.Time{
		time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		time.Date(2026, 6, 30, 23, 59, 59, 999999999, time.FixedZone("-0700", -7*3600)),
		time.Date(2027, 2, 28, 0, 0, 0, 1, time.FixedZone("+1345", 13*3600+45*60)),
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.FixedZone("", 3600)),
	}
	for i, tm := range times {
		tr := transition(fmt.Sprint("t", i), fmt.Sprint("s", i), tm)
		tr.CreatedAt = tm.Add(-time.Nanosecond)
		schedule(t, s, tr)
		tr.HeldBy, tr.HeldUntil = "a", tm.Add(time.Nanosecond)
		sameTransition(t, tr.ID+" as taken", taken(t, s, tr.ID, "a", tm, tr.HeldUntil), tr)
		sameTransition(t, tr.ID+" as stored", stored(t, s, tr.ID), tr)
		listed := transitions(t, s, store.TransitionQuery{ResourceID: tr.ID})
		wantKeys(t, "transitions of "+tr.ID, keys(listed, transitionID), tr.ID)
		if len(listed) == 1 {
			sameTransition(t, tr.ID+" as listed", listed[0], tr)
		}
		sameTime(t, tr.ID+"'s NextDue", nextDue(t, s, tr.Step), tr.HeldUntil)
		e := appendEvents(t, s, store.Event{At: tm, ResourceKind: "thing", ResourceID: tr.ID, Account: "a", Region: "r", Action: "create", Cause: store.Cause{Type: store.CauseAPI}})[0]
		logged := events(t, s, store.EventQuery{ResourceID: tr.ID})
		wantKeys(t, "events of "+tr.ID, keys(logged, eventSeq), e.Seq)
		if len(logged) == 1 {
			sameEvent(t, logged[0], e)
		}
	}
}

// A part rolled back to its savepoint leaves the rest of the transaction,
// and a failed statement inside it (a duplicate insert) does not poison
// what follows; a forgotten savepoint keeps its part.
func testSavepoints(t *testing.T, s store.Store) {
	rec := func(id string) store.Record {
		return store.Record{Kind: "k", ID: id, Account: "a", Region: "r", Data: []byte(`{}`)}
	}
	must(t, s.Update(ctx, func(w store.Writer) error {
		if err := w.Insert(ctx, rec("before")); err != nil {
			return err
		}
		if err := w.Savepoint(ctx, "part"); err != nil {
			return err
		}
		if err := w.Insert(ctx, rec("undone")); err != nil {
			return err
		}
		if err := w.Insert(ctx, rec("before")); !errors.Is(err, store.ErrExists) {
			t.Errorf("duplicate insert inside a savepoint: %v", err)
		}
		if err := w.RollbackTo(ctx, "part"); err != nil {
			return err
		}
		if err := w.Savepoint(ctx, "part"); err != nil {
			return err
		}
		if err := w.Insert(ctx, rec("kept")); err != nil {
			return err
		}
		if err := w.Forget(ctx, "part"); err != nil {
			return err
		}
		return w.Insert(ctx, rec("after"))
	}))
	must(t, s.View(ctx, func(r store.Reader) error {
		for id, want := range map[string]bool{"before": true, "undone": false, "kept": true, "after": true} {
			_, err := r.Get(ctx, "k", id)
			if got := err == nil; got != want {
				t.Errorf("record %s there: %v (%v), want %v", id, got, err, want)
			}
		}
		return nil
	}))
}

// A call reads what it wrote itself, through every kind of read, before it
// commits (a backend may hold writes back and write them once at the end:
// sqlite's writeback), and what it wrote and undid within itself is not
// there afterwards.
func testReadOwnWrites(t *testing.T, s store.Store) {
	const a, b = "111111111111", "222222222222"
	parent := store.Record{Kind: "k", ID: "p", Account: a, Region: "r", Data: []byte(`{"v":1}`), State: "pending"}
	child := store.Record{Kind: "c", ID: "c1", Account: b, Region: "r", Parent: "p", Viewers: []string{a}, Data: []byte(`{}`), State: "up"}
	tr := store.Transition{ID: "t-own", Step: "k.step", ResourceKind: "k", ResourceID: "p", Account: a, Region: "r",
		DueAt: at(time.Minute), CreatedAt: base}
	gone := store.Transition{ID: "t-gone", Step: "k.step", ResourceKind: "k", ResourceID: "p", Account: a, Region: "r",
		DueAt: at(time.Second), CreatedAt: base}
	var seqs []int64
	update(t, s, func(w store.Writer) error {
		must(t, w.Insert(ctx, parent))
		got, err := w.Get(ctx, "k", "p")
		must(t, err)
		if got.Version != 1 || string(got.Data) != `{"v":1}` {
			t.Errorf("Get after Insert in the call: version %d, data %s", got.Version, got.Data)
		}
		for v := int64(1); v <= 2; v++ {
			got.Data = []byte(fmt.Sprintf(`{"v":%d}`, v+1))
			got.State = "available"
			must(t, w.Update(ctx, got))
			got, err = w.Get(ctx, "k", "p")
			must(t, err)
			if got.Version != v+1 {
				t.Errorf("Get after update %d in the call: version %d", v, got.Version)
			}
		}
		stale := got
		stale.Version = 1
		wantErr(t, "update at a version the call moved past", w.Update(ctx, stale), store.ErrStale)
		wantErr(t, "second insert in the call", w.Insert(ctx, parent), store.ErrExists)
		must(t, w.Insert(ctx, child))
		for _, q := range []store.ListQuery{{Kind: "c", Parent: "p"}, {Kind: "c", VisibleTo: a}, {Kind: "c", Account: b}} {
			wantKeys(t, fmt.Sprintf("list %+v in the call", q), keys(listIn(t, w, q), recordID), "c1")
		}
		wantKeys(t, "list of k in the call", keys(listIn(t, w, store.ListQuery{Kind: "k", Account: a}), recordID), "p")

		must(t, w.Schedule(ctx, tr))
		must(t, w.Schedule(ctx, gone))
		wantErr(t, "second schedule in the call", w.Schedule(ctx, tr), store.ErrExists)
		must(t, w.Unschedule(ctx, gone.ID))
		wantErr(t, "unschedule of one unscheduled in the call", w.Unschedule(ctx, gone.ID), store.ErrNotFound)
		if _, err := w.Transition(ctx, gone.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Transition of one unscheduled in the call: %v", err)
		}
		got2, err := w.Transition(ctx, tr.ID)
		must(t, err)
		if got2.Step != tr.Step {
			t.Errorf("Transition in the call: %+v", got2)
		}
		trs, err := w.Transitions(ctx, store.TransitionQuery{ResourceKind: "k", ResourceID: "p"})
		must(t, err)
		wantKeys(t, "transitions in the call", keys(trs, transitionID), tr.ID)
		steps, err := w.StepCounts(ctx)
		must(t, err)
		if len(steps) != 1 || steps[0].Pending != 1 {
			t.Errorf("step counts in the call: %+v", steps)
		}

		for _, to := range []string{"pending", "available"} {
			seq, err := w.Append(ctx, store.Event{At: base, ResourceKind: "k", ResourceID: "p", Account: a, Region: "r",
				Action: "update", To: to, Cause: store.Cause{Type: store.CauseAPI}})
			must(t, err)
			seqs = append(seqs, seq)
		}
		es, err := w.Events(ctx, store.EventQuery{ResourceID: "p"})
		must(t, err)
		wantKeys(t, "events in the call", keys(es, eventSeq), seqs...)
		census, err := w.Census(ctx)
		must(t, err)
		if !slices.Contains(census, store.StateCount{Kind: "k", State: "available", N: 1}) ||
			!slices.Contains(census, store.StateCount{Kind: "c", State: "up", N: 1}) {
			t.Errorf("census in the call: %+v", census)
		}
		return nil
	})
	view(t, s, func(r store.Reader) {
		got, err := r.Get(ctx, "k", "p")
		must(t, err)
		if got.Version != 3 || string(got.Data) != `{"v":3}` {
			t.Errorf("after the call: version %d, data %s; want 3, {\"v\":3}", got.Version, got.Data)
		}
		c, err := r.Get(ctx, "c", "c1")
		must(t, err)
		wantKeys(t, "child's viewers after the call", c.Viewers, a)
		trs, err := r.Transitions(ctx, store.TransitionQuery{})
		must(t, err)
		wantKeys(t, "transitions after the call", keys(trs, transitionID), tr.ID)
		es, err := r.Events(ctx, store.EventQuery{VisibleTo: a})
		must(t, err)
		wantKeys(t, "events after the call", keys(es, eventSeq), seqs...)
	})
	// The next call goes on from the committed versions and seqs.
	update(t, s, func(w store.Writer) error {
		got, err := w.Get(ctx, "k", "p")
		must(t, err)
		must(t, w.Update(ctx, got))
		seq, err := w.Append(ctx, store.Event{At: base, ResourceKind: "k", ResourceID: "p", Account: a, Region: "r", Action: "update"})
		must(t, err)
		if seq <= seqs[len(seqs)-1] {
			t.Errorf("seq %d in the next call, after %d", seq, seqs[len(seqs)-1])
		}
		return nil
	})
	view(t, s, func(r store.Reader) {
		got, err := r.Get(ctx, "k", "p")
		must(t, err)
		if got.Version != 4 {
			t.Errorf("after the next call: version %d, want 4", got.Version)
		}
	})
}

// Rolling back to a savepoint undoes every kind of write made since, held
// back or written (a claim is written at once, and a List makes what it
// may answer written), and nothing made before it.
func testSavepointsUndoEverything(t *testing.T, s store.Store) {
	const a = "111111111111"
	rec := store.Record{Kind: "k", ID: "r", Account: a, Region: "r", Data: []byte(`{"v":1}`), State: "one"}
	tr := store.Transition{ID: "t-kept", Step: "k.step", ResourceKind: "k", ResourceID: "r", Account: a, Region: "r", CreatedAt: base}
	var kept int64
	update(t, s, func(w store.Writer) error {
		must(t, w.Insert(ctx, rec))
		must(t, w.Schedule(ctx, tr))
		var err error
		kept, err = w.Append(ctx, store.Event{At: base, ResourceKind: "k", ResourceID: "r", Account: a, Region: "r", Action: "create"})
		must(t, err)
		for _, written := range []bool{false, true} {
			must(t, w.Savepoint(ctx, "part"))
			got, err := w.Get(ctx, "k", "r")
			must(t, err)
			got.Data, got.State = []byte(`{"v":2}`), "two"
			must(t, w.Update(ctx, got))
			must(t, w.Unschedule(ctx, tr.ID))
			must(t, w.Insert(ctx, store.Record{Kind: "k", ID: "undone", Account: a, Region: "r", Data: []byte(`{}`)}))
			if _, err := w.Append(ctx, store.Event{At: base, ResourceKind: "k", ResourceID: "r", Account: a, Region: "r", Action: "update"}); err != nil {
				return err
			}
			if written {
				must(t, w.Claim(ctx, store.Claim{Scope: "s", Key: "1", OwnerKind: "k", OwnerID: "r"}))
				wantKeys(t, "list in the part", keys(listIn(t, w, store.ListQuery{Kind: "k"}), recordID), "r", "undone")
				if _, err := w.Events(ctx, store.EventQuery{}); err != nil {
					return err
				}
			}
			must(t, w.RollbackTo(ctx, "part"))
			got, err = w.Get(ctx, "k", "r")
			must(t, err)
			if got.Version != 1 || string(got.Data) != `{"v":1}` {
				t.Errorf("after rolling back (written %v): version %d, data %s", written, got.Version, got.Data)
			}
			if _, err := w.Get(ctx, "k", "undone"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("record inserted in the part, after rolling back (written %v): %v", written, err)
			}
			if _, err := w.Transition(ctx, tr.ID); err != nil {
				t.Errorf("transition unscheduled in the part, after rolling back (written %v): %v", written, err)
			}
			wantKeys(t, fmt.Sprintf("list after rolling back (written %v)", written),
				keys(listIn(t, w, store.ListQuery{Kind: "k"}), recordID), "r")
		}
		return nil
	})
	view(t, s, func(r store.Reader) {
		got, err := r.Get(ctx, "k", "r")
		must(t, err)
		if got.Version != 1 || string(got.Data) != `{"v":1}` {
			t.Errorf("after the call: version %d, data %s", got.Version, got.Data)
		}
		trs, err := r.Transitions(ctx, store.TransitionQuery{})
		must(t, err)
		wantKeys(t, "transitions after the call", keys(trs, transitionID), tr.ID)
		es, err := r.Events(ctx, store.EventQuery{})
		must(t, err)
		wantKeys(t, "events after the call", keys(es, eventSeq), kept)
		n, err := r.ClaimCounts(ctx, "s")
		must(t, err)
		if n["s"] != 0 {
			t.Errorf("claim made in a part rolled back: %v", n)
		}
		census, err := r.Census(ctx)
		must(t, err)
		wantKeys(t, "census after the call", census, store.StateCount{Kind: "k", State: "one", N: 1})
	})
}

// listIn lists with r, within a transaction already open.
func listIn(t *testing.T, r store.Reader, q store.ListQuery) []store.Record {
	t.Helper()
	recs, err := r.List(ctx, q)
	must(t, err)
	return recs
}

// view runs fn in a View of its own.
func view(t *testing.T, s store.Store, fn func(r store.Reader)) {
	t.Helper()
	must(t, s.View(ctx, func(r store.Reader) error { fn(r); return nil }))
}
