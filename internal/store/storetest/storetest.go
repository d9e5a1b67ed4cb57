// Package storetest is the behaviour every store backend must show, as one
// suite each backend's tests run against a fresh instance.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// Run runs the suite; open returns an empty store that the test owns.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Records", func(t *testing.T) { testRecords(t, open(t)) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open(t)) })
	t.Run("Claims", func(t *testing.T) { testClaims(t, open(t)) })
	t.Run("ConcurrentClaims", func(t *testing.T) { testConcurrentClaims(t, open(t)) })
	t.Run("Transitions", func(t *testing.T) { testTransitions(t, open(t)) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func update(t *testing.T, s store.Store, fn func(w store.Writer) error) {
	t.Helper()
	must(t, s.Update(context.Background(), fn))
}

func testRecords(t *testing.T, s store.Store) {
	ctx := context.Background()
	update(t, s, func(w store.Writer) error {
		for i, acct := range []string{"111111111111", "222222222222", "111111111111"} {
			r := store.Record{Kind: "thing", ID: fmt.Sprintf("t-%d", i), Account: acct, Region: "us-east-1", Data: []byte(`{"n":1}`)}
			if err := w.Insert(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Update(ctx, func(w store.Writer) error {
		return w.Insert(ctx, store.Record{Kind: "thing", ID: "t-0", Account: "x", Region: "y", Data: []byte("{}")})
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("second insert of t-0: got %v, want ErrExists", err)
	}
	must(t, s.View(ctx, func(r store.Reader) error {
		got, err := r.List(ctx, store.ListQuery{Kind: "thing", Account: "111111111111", Region: "us-east-1"})
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].ID != "t-0" || got[1].ID != "t-2" {
			t.Errorf("list of account 1: %+v", got)
		}
		page, err := r.List(ctx, store.ListQuery{Kind: "thing", After: "t-0", Limit: 1})
		if err != nil {
			return err
		}
		if len(page) != 1 || page[0].ID != "t-1" {
			t.Errorf("page after t-0: %+v", page)
		}
		if _, err := r.Get(ctx, "thing", "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("get missing: %v", err)
		}
		return nil
	}))
	update(t, s, func(w store.Writer) error {
		r, err := w.Get(ctx, "thing", "t-1")
		if err != nil {
			return err
		}
		r.Data = []byte(`{"n":2}`)
		if err := w.Update(ctx, r); err != nil {
			return err
		}
		return w.Delete(ctx, "thing", "t-2")
	})
	must(t, s.View(ctx, func(r store.Reader) error {
		got, err := r.Get(ctx, "thing", "t-1")
		if err != nil || string(got.Data) != `{"n":2}` || got.Account != "222222222222" {
			t.Errorf("t-1 after update: %+v %v", got, err)
		}
		if _, err := r.Get(ctx, "thing", "t-2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("t-2 after delete: %v", err)
		}
		return nil
	}))
	err = s.Update(ctx, func(w store.Writer) error { return w.Update(ctx, store.Record{Kind: "thing", ID: "gone"}) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("update of missing record: %v", err)
	}
}

func testRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Update(ctx, func(w store.Writer) error {
		must(t, w.Insert(ctx, store.Record{Kind: "thing", ID: "a", Account: "1", Region: "r", Data: []byte("{}")}))
		must(t, w.Claim(ctx, store.Claim{Scope: "vlan:x", Key: "100", OwnerKind: "thing", OwnerID: "a"}))
		must(t, w.Schedule(ctx, store.Transition{ID: "tr-a", Step: "s", ResourceKind: "thing", ResourceID: "a", CreatedAt: time.Now()}))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("update returned %v, want the callback's error", err)
	}
	must(t, s.View(ctx, func(r store.Reader) error {
		if _, err := r.Get(ctx, "thing", "a"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("record survived rollback: %v", err)
		}
		if trs, _ := r.Transitions(ctx, store.TransitionQuery{}); len(trs) != 0 {
			t.Errorf("transitions survived rollback: %+v", trs)
		}
		return nil
	}))
	update(t, s, func(w store.Writer) error {
		return w.Claim(ctx, store.Claim{Scope: "vlan:x", Key: "100", OwnerKind: "thing", OwnerID: "b"})
	})
}

func testClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := store.Claim{Scope: "vlan:dxcon-1", Key: "101", OwnerKind: "vif", OwnerID: "v1"}
	update(t, s, func(w store.Writer) error { return w.Claim(ctx, c) })
	update(t, s, func(w store.Writer) error { return w.Claim(ctx, c) }) // same owner again is fine
	other := c
	other.OwnerID = "v2"
	if err := s.Update(ctx, func(w store.Writer) error { return w.Claim(ctx, other) }); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("claim by another owner: %v, want ErrConflict", err)
	}
	update(t, s, func(w store.Writer) error { return w.Release(ctx, "vif", "v1") })
	update(t, s, func(w store.Writer) error { return w.Claim(ctx, other) })
}

// testConcurrentClaims races many transactions for one key: exactly one may
// win, whatever the interleaving.
func testConcurrentClaims(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(w store.Writer) error {
				return w.Claim(ctx, store.Claim{Scope: "port:dev", Key: "1", OwnerKind: "conn", OwnerID: fmt.Sprint(i)})
			})
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d transactions won the claim, want 1", won)
	}
}

func testTransitions(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	update(t, s, func(w store.Writer) error {
		for _, tr := range []store.Transition{
			{ID: "late", Step: "x", ResourceKind: "c", ResourceID: "1", DueAt: base.Add(time.Minute), CreatedAt: base, Note: "late"},
			{ID: "early", Step: "x", ResourceKind: "c", ResourceID: "2", DueAt: base.Add(time.Second), CreatedAt: base},
			{ID: "manual", Step: "x", ResourceKind: "c", ResourceID: "1", CreatedAt: base},
		} {
			if err := w.Schedule(ctx, tr); err != nil {
				return err
			}
		}
		return nil
	})
	must(t, s.View(ctx, func(r store.Reader) error {
		next, err := r.NextDue(ctx)
		if err != nil || !next.Equal(base.Add(time.Second)) {
			t.Errorf("NextDue = %v, %v", next, err)
		}
		due, err := r.Transitions(ctx, store.TransitionQuery{DueBy: base.Add(30 * time.Second)})
		if err != nil || len(due) != 1 || due[0].ID != "early" {
			t.Errorf("due by +30s: %+v %v", due, err)
		}
		all, err := r.Transitions(ctx, store.TransitionQuery{})
		if err != nil || len(all) != 3 || all[0].ID != "early" || all[2].ID != "manual" || !all[2].DueAt.IsZero() {
			t.Errorf("all: %+v %v", all, err)
		}
		tr, err := r.Transition(ctx, "late")
		if err != nil || tr.Note != "late" || !tr.DueAt.Equal(base.Add(time.Minute)) {
			t.Errorf("late: %+v %v", tr, err)
		}
		return nil
	}))
	update(t, s, func(w store.Writer) error { return w.UnscheduleFor(ctx, "c", "1") })
	must(t, s.View(ctx, func(r store.Reader) error {
		all, _ := r.Transitions(ctx, store.TransitionQuery{})
		if len(all) != 1 || all[0].ID != "early" {
			t.Errorf("after UnscheduleFor: %+v", all)
		}
		return nil
	}))
	if err := s.Update(ctx, func(w store.Writer) error { return w.Unschedule(ctx, "late") }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unschedule of a gone transition: %v", err)
	}
}
