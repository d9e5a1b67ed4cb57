package sqlite_test

import (
	"context"
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
