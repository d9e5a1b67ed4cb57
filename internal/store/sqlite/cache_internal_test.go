package sqlite

import (
	"testing"

	"github.com/dxlab/dxlab/internal/store"
)

// A reader that read a record before a commit and puts it after the
// commit dropped it does not leave the old record in the cache.
func TestRecordCacheRefusesAPutAcrossACommit(t *testing.T) {
	c := newRecordCache()
	k := recKey{"k", "x"}
	old := store.Record{Kind: "k", ID: "x", Version: 1, Data: []byte("old")}

	gen := c.generation() // the reader notes the count, then reads v1
	c.drop([]recKey{k})   // a commit writes v2 and drops x
	c.put(gen, old)       // the reader's put comes late
	if r, ok := c.get(k); ok {
		t.Errorf("the cache kept a record read before a commit: version %d", r.Version)
	}

	// With no commit in between, the put is kept, and a copy is answered.
	c.put(c.generation(), old)
	r, ok := c.get(k)
	if !ok || r.Version != 1 {
		t.Fatalf("put with no commit in between: %+v, %v", r, ok)
	}
	r.Data[0] = 'X'
	if r2, _ := c.get(k); string(r2.Data) != "old" {
		t.Errorf("a caller's change to an answer reached the cache: %s", r2.Data)
	}
}
