package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/postgres"
	"github.com/dxlab/dxlab/internal/store/postgres/pgtest"
	"github.com/dxlab/dxlab/internal/store/storetest"
)

var ctx = context.Background()

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	pgtest.URL(t) // skips, saying why, without a database
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, pgtest.URL(t)) })
}

// Replicas starting together migrate the schema once, and each finds it
// complete.
func TestConcurrentMigration(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(ctx, url)
			if err == nil {
				err = s.Update(ctx, func(w store.Writer) error { return w.Set(ctx, "k", "v") })
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// Two advances of a setting at once both count: a writer that reads a
// setting holds it until it commits.
func TestSettingReadModifyWrite(t *testing.T) {
	s := open(t, pgtest.URL(t))
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			err := s.Update(ctx, func(w store.Writer) error {
				v, err := w.Setting(ctx, "counter")
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				return w.Set(ctx, "counter", v+"x")
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var got string
	if err := s.View(ctx, func(r store.Reader) (err error) { got, err = r.Setting(ctx, "counter"); return err }); err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("counter %q after %d increments", got, n)
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{"postgres://h/db": true, "postgresql://h/db": true, "dxlab-data": false, "": false} {
		if postgres.IsURL(s) != want {
			t.Errorf("IsURL(%q) = %v", s, !want)
		}
	}
}
