package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
)

// Concurrent calls share transactions; one that fails leaves nothing
// behind and gets its own error, and the others commit.
func TestGroupCommitFailedCallRollsBackAlone(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	const n = 200
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Update(ctx, func(w store.Writer) error {
				if err := w.Insert(ctx, store.Record{Kind: "k", ID: fmt.Sprint(i), Account: "a", Region: "r", Data: []byte("x")}); err != nil {
					return err
				}
				if err := w.Claim(ctx, store.Claim{Scope: "s", Key: fmt.Sprint(i), OwnerKind: "k", OwnerID: fmt.Sprint(i)}); err != nil {
					return err
				}
				if i%5 == 0 {
					return fmt.Errorf("call %d fails", i)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	err := s.View(ctx, func(r store.Reader) error {
		for i := range n {
			_, err := r.Get(ctx, "k", fmt.Sprint(i))
			switch {
			case i%5 == 0 && (errs[i] == nil || errs[i].Error() != fmt.Sprintf("call %d fails", i)):
				t.Errorf("call %d answered %v, want its own error", i, errs[i])
			case i%5 == 0 && !errors.Is(err, store.ErrNotFound):
				t.Errorf("failed call %d left its record: %v", i, err)
			case i%5 != 0 && (errs[i] != nil || err != nil):
				t.Errorf("call %d: answered %v, record %v", i, errs[i], err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The failed calls' claims are gone too: each key can be claimed again.
	err = s.Update(ctx, func(w store.Writer) error {
		return w.Claim(ctx, store.Claim{Scope: "s", Key: "0", OwnerKind: "k", OwnerID: "again"})
	})
	if err != nil {
		t.Errorf("the claim of a failed call survived: %v", err)
	}
}

// Many callers race for one key: exactly one wins, whichever batch each is in.
func TestGroupCommitUniqueUnderConcurrency(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(w store.Writer) error {
				return w.Claim(ctx, store.Claim{Scope: "vlan", Key: "100", OwnerKind: "k", OwnerID: fmt.Sprint(i)})
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				lost++
			default:
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if won != 1 || lost != 63 {
		t.Errorf("won %d, lost %d; want 1 and 63", won, lost)
	}
}

// A panic in one call is raised in that caller, not in the store, and the
// calls beside it are unharmed.
func TestGroupCommitPanicReachesItsCaller(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				p := recover()
				if (i == 7) != (p != nil) {
					t.Errorf("call %d: recovered %v", i, p)
				}
				if p != nil && !strings.Contains(fmt.Sprint(p), "boom") {
					t.Errorf("panic value %v", p)
				}
			}()
			err := s.Update(ctx, func(w store.Writer) error {
				if err := w.Insert(ctx, store.Record{Kind: "k", ID: fmt.Sprint(i), Account: "a", Region: "r", Data: []byte("x")}); err != nil {
					return err
				}
				if i == 7 {
					panic("boom")
				}
				return nil
			})
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	_ = s.View(ctx, func(r store.Reader) error {
		if _, err := r.Get(ctx, "k", "7"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the panicking call's record: %v", err)
		}
		if _, err := r.Get(ctx, "k", "8"); err != nil {
			t.Errorf("a neighbour's record: %v", err)
		}
		return nil
	})
}

// Closing with calls in flight answers each of them: committed or
// ErrClosed, never a hang.
func TestGroupCommitClose(t *testing.T) {
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(w store.Writer) error {
				return w.Insert(ctx, store.Record{Kind: "k", ID: fmt.Sprint(i), Account: "a", Region: "r", Data: []byte("x")})
			})
			if err != nil && !errors.Is(err, sqlite.ErrClosed) {
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	s.Close()
	wg.Wait()
	if err := s.Update(ctx, func(store.Writer) error { return nil }); !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("Update after Close: %v", err)
	}
}

// A cancelled caller does not interrupt the transaction it shares.
func TestGroupCommitCancelledCaller(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithCancel(ctx)
			err := s.Update(cctx, func(w store.Writer) error {
				if i%2 == 0 {
					cancel()
				}
				return w.Insert(cctx, store.Record{Kind: "k", ID: fmt.Sprint(i), Account: "a", Region: "r", Data: []byte("x")})
			})
			cancel()
			if err != nil {
				t.Errorf("call %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	_ = s.View(ctx, func(r store.Reader) error {
		list, err := r.List(ctx, store.ListQuery{Kind: "k"})
		if err != nil || len(list) != 50 {
			t.Errorf("%d records, %v; want 50", len(list), err)
		}
		return nil
	})
}

// Readers that each need a statement not prepared yet, while every reader
// connection is in a transaction, do not wait on one another: a new
// statement runs unprepared and is prepared in the background.
func TestNewStatementsWhileEveryConnectionIsBusy(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	if err := s.Update(ctx, func(w store.Writer) error {
		for i := range 40 {
			if err := w.Insert(ctx, store.Record{Kind: "k", ID: fmt.Sprintf("%02d", i), Account: "a", Region: "r", Data: []byte("x")}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 32)
	for i := range 32 {
		go func() {
			done <- s.View(ctx, func(r store.Reader) error {
				// A page of i+1 records reads their viewers with an IN list
				// of as many placeholders: a statement text of its own.
				list, err := r.List(ctx, store.ListQuery{Kind: "k", Limit: i + 1})
				if err == nil && len(list) != i+1 {
					err = fmt.Errorf("page of %d: %d records", i+1, len(list))
				}
				return err
			})
		}()
	}
	deadline := time.After(30 * time.Second)
	for range 32 {
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-deadline:
			t.Fatal("readers deadlocked")
		}
	}
}
