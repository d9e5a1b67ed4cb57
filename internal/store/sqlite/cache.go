package sqlite

import (
	"slices"
	"sync"

	"github.com/dxlab/dxlab/internal/store"
)

// The record cache. Peek's Get (a describe by id, what waiters poll) is the
// hottest read there is, and reading the record from SQLite was a fifth of
// its time. This process is the only one that writes the database (the
// data directory is locked), and every write goes through the committer,
// so a cache of records as last committed stays true if the committer
// drops from it every record a transaction wrote, once that transaction
// has committed and before any of its callers is answered.
//
// What remains is a reader that read a record just before a commit and
// puts it in the cache just after the commit dropped it: the cache would
// keep the old record. So the cache counts the commits that dropped
// something (gen), a reader notes the count before it reads, and its put
// is refused if a commit came in between.
//
// Only Peek uses it: a View reads one snapshot, which records from the
// cache, newer than the snapshot, would break.
type recordCache struct {
	mu   sync.Mutex
	gen  uint64
	recs map[recKey]store.Record
}

// maxCached bounds the records the cache holds; past it, it starts again
// empty (a describe load keeps reading the same records; a load that reads
// more than this at random gains little from any cache).
const maxCached = 10000

func newRecordCache() *recordCache {
	return &recordCache{recs: map[recKey]store.Record{}}
}

// get is the record as last committed, if the cache has it: a copy.
func (c *recordCache) get(k recKey) (store.Record, bool) {
	c.mu.Lock()
	r, ok := c.recs[k]
	c.mu.Unlock()
	if !ok {
		return store.Record{}, false
	}
	r.Viewers, r.Data = slices.Clone(r.Viewers), slices.Clone(r.Data)
	return r, true
}

// generation is the count a reader notes before it reads a record from
// SQLite, to put it afterwards.
func (c *recordCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps a copy of r, read from SQLite after generation said gen, unless
// a commit dropped records since.
func (c *recordCache) put(gen uint64, r store.Record) {
	r.Viewers, r.Data = slices.Clone(r.Viewers), slices.Clone(r.Data)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.recs) >= maxCached {
		clear(c.recs)
	}
	c.recs[recKey{r.Kind, r.ID}] = r
}

// drop forgets the records a transaction wrote; the committer calls it once
// the transaction has ended, committed or not, before answering its calls.
func (c *recordCache) drop(keys []recKey) {
	if len(keys) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, k := range keys {
		delete(c.recs, k)
	}
}
