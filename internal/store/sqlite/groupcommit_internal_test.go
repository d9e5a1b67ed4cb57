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
	_, err := w.(*txn).tx.ExecContext(ctx, "ROLLBACK TO call")
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
