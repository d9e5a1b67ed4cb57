package postgres

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/postgres/pgtest"
)

func openT(t *testing.T) (*Store, string) {
	t.Helper()
	url := pgtest.URL(t)
	s, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

// A transaction whose connection dies before it commits is run again, and
// its change is made once.
func TestLostConnectionIsRetried(t *testing.T) {
	s, url := openT(t)
	ctx := context.Background()
	killer, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(ctx)
	var attempts atomic.Int32
	err = s.Update(ctx, func(w store.Writer) error {
		if attempts.Add(1) == 1 {
			pid := w.(*txn).tx.Conn().PgConn().PID()
			if _, err := killer.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
				t.Fatal(err)
			}
		}
		return w.Insert(ctx, store.Record{Kind: "k", ID: "1", Account: "a", Region: "r", Data: []byte("x")})
	})
	if err != nil {
		t.Fatalf("after a lost connection: %v", err)
	}
	if attempts.Load() != 2 {
		t.Errorf("%d attempts, want 2", attempts.Load())
	}
	var n int
	if err := killer.QueryRow(ctx, "SELECT count(*) FROM records").Scan(&n); err != nil || n != 1 {
		t.Errorf("%d records (%v), want 1", n, err)
	}
}

// Two transactions that lock two rows in opposite orders deadlock;
// PostgreSQL rolls one back, and it is run again: both succeed.
func TestDeadlockIsRetried(t *testing.T) {
	s, _ := openT(t)
	ctx := context.Background()
	if err := s.Update(ctx, func(w store.Writer) error {
		return errors.Join(w.Set(ctx, "a", "0"), w.Set(ctx, "b", "0"))
	}); err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	var first sync.WaitGroup
	first.Add(2)
	var once [2]sync.Once
	var wg sync.WaitGroup
	for i, keys := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Go(func() {
			err := s.Update(ctx, func(w store.Writer) error {
				attempts.Add(1)
				if err := w.Set(ctx, keys[0], "1"); err != nil {
					return err
				}
				// Both hold their first row before either asks for its
				// second: a deadlock on the first attempt.
				once[i].Do(func() { first.Done(); first.Wait() })
				return w.Set(ctx, keys[1], "1")
			})
			if err != nil {
				t.Errorf("transaction %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if attempts.Load() < 3 {
		t.Errorf("%d attempts: no deadlock was retried", attempts.Load())
	}
}

func TestTransient(t *testing.T) {
	if transient(errors.New("x")) {
		t.Error("a plain error is not transient")
	}
}
