package sqlite

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// inSavepoint reports whether w's transaction is inside the committer's
// savepoint of a call. It must run first in the call: rolling back to the
// savepoint, which stays open, undoes nothing yet.
func inSavepoint(ctx context.Context, w store.Writer) bool {
	_, err := w.(*writeback).t.tx.ExecContext(ctx, "ROLLBACK TO call")
	if err == nil {
		return true
	}
	if !strings.Contains(err.Error(), "no such savepoint") {
		panic(err)
	}
	return false
}

// The first call of a group transaction runs outside any savepoint (inside
// one, every statement of a large call walked SQLite's whole in-memory
// sub-journal: seeding slowed as the store grew); when it fails, the
// transaction is rolled back, holding nothing else, and the calls waiting
// behind it run in the next, the first of which is again outside a
// savepoint and the rest inside.
func TestGroupCommitFirstCallOutsideSavepoint(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	insert := func(w store.Writer, id string) error {
		return w.Insert(ctx, store.Record{Kind: "k", ID: id, Account: "a", Region: "r", Data: []byte("x")})
	}

	// A lone call: outside.
	var lone bool
	if err := s.Update(ctx, func(w store.Writer) error { lone = inSavepoint(ctx, w); return insert(w, "lone") }); err != nil {
		t.Fatal(err)
	}
	if lone {
		t.Error("a lone call ran in a savepoint")
	}

	// a holds the committer until b and c wait behind it, then fails.
	release := make(chan struct{})
	started := make(chan struct{})
	errA := make(chan error, 1)
	go func() {
		errA <- s.Update(ctx, func(w store.Writer) error {
			close(started)
			if err := insert(w, "a"); err != nil {
				return err
			}
			<-release
			return errors.New("a fails")
		})
	}()
	<-started
	type result struct {
		inSavepoint bool
		err         error
	}
	results := map[string]chan result{}
	for i, id := range []string{"b", "c"} {
		results[id] = make(chan result, 1)
		go func() {
			var in bool
			err := s.Update(ctx, func(w store.Writer) error { in = inSavepoint(ctx, w); return insert(w, id) })
			results[id] <- result{in, err}
		}()
		// Queued in order: b first.
		for deadline := time.Now().Add(10 * time.Second); len(s.jobs) < i+1; {
			if time.Now().After(deadline) {
				t.Fatalf("%s never queued", id)
			}
			time.Sleep(time.Millisecond)
		}
	}
	close(release)
	if err := <-errA; err == nil || err.Error() != "a fails" {
		t.Errorf("a answered %v, want its own error", err)
	}
	b, c := <-results["b"], <-results["c"]
	if b.err != nil || c.err != nil {
		t.Fatalf("b answered %v, c %v", b.err, c.err)
	}
	if b.inSavepoint || !c.inSavepoint {
		t.Errorf("b in a savepoint: %v (want false, first of its transaction); c: %v (want true)", b.inSavepoint, c.inSavepoint)
	}
	err = s.View(ctx, func(r store.Reader) error {
		for id, want := range map[string]bool{"lone": true, "a": false, "b": true, "c": true} {
			_, err := r.Get(ctx, "k", id)
			if got := err == nil; got != want {
				t.Errorf("record %s stored: %v, want %v (%v)", id, got, want, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A call shaped as a create under the instant profile (a record inserted
// and then updated by two steps, each scheduling a transition that the
// next unschedules, three events) changes each row it leaves once: the
// record, the events and their accounts. Written as they came, the same
// call changed eleven rows (total_changes counts every row a statement
// inserts, updates or deletes).
func TestWritebackWritesEachRowOnce(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	changes := func(w store.Writer) int {
		var n int
		if err := w.(*writeback).t.queryRow(ctx, `SELECT total_changes()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var before int
	err = s.Update(ctx, func(w store.Writer) error {
		before = changes(w)
		r := store.Record{Kind: "k", ID: "x", Account: "111111111111", Region: "r", Data: []byte(`{"s":"requested"}`)}
		if err := w.Insert(ctx, r); err != nil {
			return err
		}
		event := func(to string) error {
			_, err := w.Append(ctx, store.Event{At: time.Now(), ResourceKind: "k", ResourceID: "x", Account: r.Account, Region: "r", Action: "update", To: to})
			return err
		}
		if err := event("requested"); err != nil {
			return err
		}
		prev := ""
		for i, to := range []string{"pending", "available"} {
			if err := w.Savepoint(ctx, "part"); err != nil {
				return err
			}
			if prev != "" {
				if err := w.Unschedule(ctx, prev); err != nil {
					return err
				}
			}
			prev = "tr-" + to
			if err := w.Schedule(ctx, store.Transition{ID: prev, Step: "k.step", ResourceKind: "k", ResourceID: "x", CreatedAt: time.Now()}); err != nil {
				return err
			}
			got, err := w.Get(ctx, "k", "x")
			if err != nil {
				return err
			}
			got.Data, got.State = []byte(`{"s":"`+to+`"}`), to
			if err := w.Update(ctx, got); err != nil {
				return err
			}
			if err := event(to); err != nil {
				return err
			}
			if i == 1 {
				if err := w.Unschedule(ctx, prev); err != nil {
					return err
				}
			}
			if err := w.Forget(ctx, "part"); err != nil {
				return err
			}
		}
		if n := changes(w) - before; n != 0 {
			t.Errorf("%d rows changed before the call returned, want none", n)
		}
		// What the committer does once fn has returned.
		if err := w.(*writeback).flush(ctx); err != nil {
			return err
		}
		if n := changes(w) - before; n != 7 {
			t.Errorf("the call changed %d rows, want 7 (1 record, 3 events, 3 event accounts)", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(r store.Reader) error {
		got, err := r.Get(ctx, "k", "x")
		if err != nil {
			return err
		}
		if got.Version != 3 || string(got.Data) != `{"s":"available"}` {
			t.Errorf("record: version %d, data %s", got.Version, got.Data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
