package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
	"github.com/dxlab/dxlab/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	s, err := sqlite.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, open)
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(w store.Writer) error {
		return w.Insert(ctx, store.Record{Kind: "k", ID: "1", Account: "a", Region: "r", Data: []byte("x")})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(r store.Reader) error {
		rec, err := r.Get(ctx, "k", "1")
		if err == nil && string(rec.Data) != "x" {
			t.Errorf("data = %q", rec.Data)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A second store on an open data directory is refused at once; once the
// first is closed, the directory opens again.
func TestDataDirectoryIsLocked(t *testing.T) {
	dir := t.TempDir()
	s, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s2, err := sqlite.Open(dir); !errors.Is(err, sqlite.ErrLocked) {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("second Open: %v, want ErrLocked", err)
	} else if !strings.Contains(err.Error(), "--data-dir") {
		t.Errorf("the refusal does not say what to do: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(dir)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	s.Close()
}

// A listing longer than SQLite's 32,766 placeholders a statement (a census
// of every connection of a large store) is read whole, with each record's
// viewers: they were once asked for in one query with a placeholder per
// record, which SQLite refused ("too many SQL variables").
func TestListLongerThanSQLitePlaceholders(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	const n = 33000
	err := s.Update(ctx, func(w store.Writer) error {
		for i := range n {
			r := store.Record{Kind: "k", ID: fmt.Sprintf("%06d", i), Account: "a", Region: "r", Data: []byte("x")}
			if i%1000 == 999 {
				r.Viewers = []string{"v1", "v2"}
			}
			if err := w.Insert(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(r store.Reader) error {
		all, err := r.List(ctx, store.ListQuery{Kind: "k"})
		if err != nil {
			return err
		}
		if len(all) != n {
			t.Fatalf("listed %d records, want %d", len(all), n)
		}
		for i, rec := range all {
			want := []string(nil)
			if i%1000 == 999 {
				want = []string{"v1", "v2"}
			}
			if rec.ID != fmt.Sprintf("%06d", i) || !slices.Equal(rec.Viewers, want) {
				t.Fatalf("record %d: %s with viewers %v, want %v", i, rec.ID, rec.Viewers, want)
			}
		}
		seen, err := r.List(ctx, store.ListQuery{Kind: "k", VisibleTo: "v2"})
		if err != nil {
			return err
		}
		if len(seen) != n/1000 {
			t.Errorf("v2 sees %d records, want %d", len(seen), n/1000)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
