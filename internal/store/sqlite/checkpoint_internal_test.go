package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dxlab/dxlab/internal/store"
)

// Under a steady load of writes the write-ahead log starts again from its
// beginning instead of growing: once it is past restartFrames, the
// committer checkpoints between two transactions. Left to the background
// checkpoints alone, it grew by every page written, since the committer
// always began the next transaction before the last one's pages were
// copied back.
func TestLogStartsAgainUnderLoad(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const clients, calls, records, size = 8, 2500, 4, 16000
	data := bytes.Repeat([]byte("x"), size) // four pages a record
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for call := c; call < calls; call += clients {
				err := s.Update(ctx, func(w store.Writer) error {
					for i := range records {
						r := store.Record{Kind: "k", ID: fmt.Sprintf("%05d-%02d", call, i), Account: "a", Region: "r", Data: data}
						if err := w.Insert(ctx, r); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	fi, err := os.Stat(filepath.Join(dir, FileName+"-wal"))
	if err != nil {
		t.Fatal(err)
	}
	written := int64(calls * records * size)
	t.Logf("the log is %d MB after %d MB written", fi.Size()>>20, written>>20)
	if fi.Size() > written*2/3 {
		t.Errorf("the log is %d MB after %d MB written: it did not start again", fi.Size()>>20, written>>20)
	}
}
