package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Checkpoints. Under WAL a commit appends the pages it changed to the
// write-ahead log, and a checkpoint copies them back into the database
// file and syncs it. SQLite's automatic checkpoint runs inside the commit
// that takes the log past 1,000 pages, in the writing connection: in
// dxlab's committer, where under a load of creates it was a seventh of
// the time every write waits behind. So the writer connections leave it
// off (wal_autocheckpoint 0), and a Checkpointer runs the same passive
// checkpoint in a goroutine of its own, on another connection, while the
// committer goes on: a passive checkpoint takes no lock a writer needs,
// and copies only what no reader still needs from the log. Durability is
// as before: a commit is in the log when it returns, and the log is synced
// at each checkpoint.

// Checkpointer runs passive checkpoints of one database in the background.
type Checkpointer struct {
	db    *sql.DB
	poke  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	every time.Duration
}

// checkpointEvery is the least time between two checkpoints: what a
// checkpoint copies is mostly pages the log holds several times over, so
// a checkpoint per commit would copy more than one per tenth of a second.
const checkpointEvery = 100 * time.Millisecond

// NewCheckpointer starts checkpointing db, whose connections write with
// wal_autocheckpoint 0 (WriterDSN), each time Poke says it committed, at
// most once per checkpointEvery. Stop ends it.
func NewCheckpointer(db *sql.DB) *Checkpointer {
	c := &Checkpointer{db: db, poke: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		every: checkpointEvery}
	go c.loop()
	return c
}

// Poke says a transaction committed: the log has grown.
func (c *Checkpointer) Poke() {
	select {
	case c.poke <- struct{}{}:
	default:
	}
}

// Stop ends the checkpoints and waits for one under way. Closing the
// database then checkpoints what is left.
func (c *Checkpointer) Stop() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

func (c *Checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.poke:
		case <-c.stop:
			return
		}
		// A failed checkpoint (a reader's snapshot, the database closing)
		// is tried again at the next poke; it loses nothing.
		_, _ = c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		select {
		case <-time.After(c.every):
		case <-c.stop:
			return
		}
	}
}
