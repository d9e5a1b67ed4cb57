package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints. Under WAL a commit appends the pages it changed to the
// write-ahead log, and a checkpoint copies them back into the database
// file and syncs it. SQLite's automatic checkpoint runs inside the commit
// that takes the log past 1,000 pages, in the writing connection: in
// dxlab's committer, where under a load of creates it was a seventh of
// the time every write waits behind. So the writer connections leave it
// off (wal_autocheckpoint 0), and a Checkpointer runs passive checkpoints
// in a goroutine of its own, on another connection, while the committer
// goes on: a passive checkpoint takes no lock a writer needs, and copies
// only what no reader still needs from the log. Durability is as before:
// a commit is in the log when it returns, and the log is synced at each
// checkpoint.
//
// The log starts again from its beginning (instead of growing) only when a
// write transaction begins with every frame of it copied back, and the
// committer begins the next transaction as soon as one commits, before the
// checkpointer has copied that one's frames: left to the background alone,
// the log grew without end (550 MB in a few seconds of creates). So once
// the log is past restartFrames, the committer, between two transactions,
// runs a passive checkpoint itself (BeforeWrite): it copies the little
// the background has not, and the transaction it then begins starts the
// log again. A reader still reading from the log puts that off to the next
// time.

// Checkpointer runs passive checkpoints of one database in the background.
type Checkpointer struct {
	db *sql.DB
	// restart is set when the log is past restartFrames (BeforeWrite).
	restart atomic.Bool
	poke    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// checkpointEvery is the least time between two checkpoints: about one a
// commit under load. Each checkpoint syncs the log and the database, and
// on this machine's disk (ext4) a sync of many pages stalled the
// committer's own writes to the log: paced at half of the most creates,
// p99 was 7.6-11 times p50 with a checkpoint at most every 100 ms,
// 5.2-6.4 times at 10 ms, 4.4-6.8 at 3 ms (on tmpfs, where a sync is
// nothing, about 4). The price is throughput: about 7% fewer creates at
// the most (docs/performance.md).
const checkpointEvery = 3 * time.Millisecond

// restartFrames is the log's length (in pages) past which the writer
// checkpoints before its next transaction, so that the log starts again:
// 40 MB. The committer's checkpoint ends with two syncs (the log's and the
// database's; 2-14 ms here, 5.6 ms typically) that every call waiting
// for the committer waits behind, so it is made rarely: at SQLite's own
// 1,000 pages it came about ten times a second under a steady load of
// creates, and p99 latency was a third higher.
const restartFrames = 10000

// NewCheckpointer starts checkpointing db, whose connections write with
// wal_autocheckpoint 0 (WriterDSN), each time Poke says it committed, at
// most once per checkpointEvery. Stop ends it.
func NewCheckpointer(db *sql.DB) *Checkpointer {
	c := &Checkpointer{db: db, poke: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
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

// BeforeWrite is called by the writer before it begins a transaction:
// when the log has grown past restartFrames, it checkpoints first, so that
// the transaction starts the log again.
func (c *Checkpointer) BeforeWrite() {
	if !c.restart.Load() {
		return
	}
	c.restart.Store(false)
	_, _ = c.checkpoint()
}

// checkpoint runs a passive checkpoint and tells how many frames the log
// holds.
func (c *Checkpointer) checkpoint() (frames int, err error) {
	var busy, copied int
	err = c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
	return frames, err
}

// Stop ends the checkpoints and waits for one under way. Closing the
// database then checkpoints what is left.
func (c *Checkpointer) Stop() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

func (c *Checkpointer) loop() {
	defer close(c.done)
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-c.poke:
		case <-c.stop:
			return
		}
		// A failed checkpoint (the database closing) is tried again at the
		// next poke; it loses nothing.
		if frames, err := c.checkpoint(); err == nil && frames > restartFrames {
			c.restart.Store(true)
		}
		pause.Reset(checkpointEvery)
		select {
		case <-pause.C:
		case <-c.stop:
			return
		}
	}
}
