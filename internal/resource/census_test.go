package resource_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	_ "modernc.org/sqlite" // to blank the states as an older dxlab left them

	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
)

// The census counts states written with the records; a store an older
// dxlab wrote (no states) is counted once Restate has given them theirs,
// and Restate leaves the records otherwise as they were.
func TestCensusAndRestate(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := as(partner, region)
	update(t, st, ctx, func(tx *resource.Tx) error {
		for _, p := range []struct{ id, state string }{{"p-1", "available"}, {"p-2", "available"}, {"p-3", "down"}} {
			if _, err := ports.Create(ctx, tx, resource.Meta{ID: p.id, Account: partner, Region: region}, &port{State: p.state}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	var g resource.Registry
	g.Register(ports)
	census := func(st store.Store) []resource.Count {
		t.Helper()
		var out []resource.Count
		if err := st.View(ctx, func(r store.Reader) (err error) { out, err = g.Census(ctx, r); return err }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := []resource.Count{{Kind: "t.port", State: "available", N: 2}, {Kind: "t.port", State: "down", N: 1}}
	if got := census(st); !slices.Equal(got, want) {
		t.Errorf("census %v, want %v", got, want)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("sqlite", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE records SET state = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err = sqlite.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := census(st); len(got) != 0 {
		t.Errorf("census of records without states %v, want none", got)
	}
	if n, err := g.Restate(ctx, st); err != nil || n != 3 {
		t.Fatalf("Restate gave %d records their state (%v), want 3", n, err)
	}
	if got := census(st); !slices.Equal(got, want) {
		t.Errorf("census after Restate %v, want %v", got, want)
	}
	if n, err := g.Restate(ctx, st); err != nil || n != 0 {
		t.Errorf("Restate again: %d (%v), want 0", n, err)
	}
	var o *resource.Object[port]
	if err := st.View(ctx, func(r store.Reader) (err error) { o, err = ports.Get(ctx, r, "p-3"); return err }); err != nil || o.Version != 1 || o.Doc.State != "down" {
		t.Errorf("p-3 after Restate: %+v, %v", o, err)
	}
}
