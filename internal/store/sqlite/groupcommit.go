package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/dxlab/dxlab/internal/store"
)

// Group commit. SQLite has one writer at a time, and what a write costs is
// mostly the transaction around it (taking the write lock, writing the WAL
// frames, committing), not the few rows it changes. So concurrent Updates
// share a transaction: one goroutine, the committer, runs them one after
// another, each after the first in its own savepoint, and commits once for
// all. A call
// whose fn fails is rolled back to its savepoint alone and answered with its
// own error at once; the others are answered only after the commit that
// holds them, with its outcome. Under no load a batch is one call, as
// before; under load, batches grow to whatever arrived while the previous
// one ran, up to maxBatch.

// maxBatch bounds the calls one transaction holds, so that a commit comes
// round often enough to keep latency even.
const maxBatch = 128

// ErrClosed is what an Update gets once the store is closed.
var ErrClosed = errors.New("sqlite: the store is closed")

type job struct {
	ctx  context.Context
	fn   func(store.Writer) error
	done chan outcome
}

// outcome is a job's answer: its error, or the panic its fn raised, which
// is raised again in the caller's goroutine (where the server recovers
// it), not in the committer's.
type outcome struct {
	err   error
	panic any
	stack []byte
}

// Update runs fn in the next group transaction and returns once that
// transaction has committed (or fn has failed and been rolled back).
func (s *Store) Update(ctx context.Context, fn func(store.Writer) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan outcome, 1)}
	select {
	case s.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return ErrClosed
	}
	// Once queued, the job is answered whatever happens to ctx: it may
	// already be part of a transaction being committed.
	var o outcome
	select {
	case o = <-j.done:
	case <-s.committed:
		// The committer has stopped; it answered the job if it took it.
		select {
		case o = <-j.done:
		default:
			return ErrClosed
		}
	}
	if o.panic != nil {
		panic(fmt.Sprintf("%v\n\n(raised in the store's committer:)\n%s", o.panic, o.stack))
	}
	return o.err
}

// commitLoop is the committer: it runs until the store closes, then
// answers whatever is still queued with ErrClosed.
func (s *Store) commitLoop() {
	defer close(s.committed)
	for {
		select {
		case j := <-s.jobs:
			s.runBatch(j)
		case <-s.closing:
			for {
				select {
				case j := <-s.jobs:
					j.done <- outcome{err: ErrClosed}
				default:
					return
				}
			}
		}
	}
}

// nextIf takes another waiting job, if there is room for one and one is
// waiting.
func (s *Store) nextIf(room bool) *job {
	if !room {
		return nil
	}
	select {
	case j := <-s.jobs:
		return j
	default:
		return nil
	}
}

// runBatch runs first and whatever else is waiting, up to maxBatch, in one
// transaction; or, when first fails, first alone and then the rest in the
// next.
//
// The first call of a transaction runs without a savepoint of its own: if
// it fails, the transaction holds nothing else, so rolling the transaction
// back undoes it alone. Only the calls after it run in savepoints. This is
// not only one statement fewer: inside a savepoint, every statement that
// writes ends by cutting SQLite's in-memory sub-journal back to where the
// statement started, and the in-memory journal finds that point by walking
// its chunks from the start, so a call's statements cost more the more
// pages the call has already changed. A call that writes a few rows does
// not notice; a call that writes thousands (a seeding batch, a prune of
// the timeline) slowed quadratically, and the more so the larger the store
// (more distinct pages a batch touches): seeding fell from 4,500 to 500
// connections a second between 50,000 and 200,000 held. Outside a
// savepoint the sub-journal is emptied after every statement instead.
func (s *Store) runBatch(first *job) {
	for first != nil {
		first = s.runTx(first)
	}
}

// runTx runs one transaction starting with first, and returns a job it
// took but left for the next transaction (when first failed), or nil.
func (s *Store) runTx(first *job) (next *job) {
	if err := first.ctx.Err(); err != nil {
		first.done <- outcome{err: err}
		return s.nextIf(true)
	}
	s.checkpoints.BeforeWrite()
	tx, err := s.writer.BeginTx(context.Background(), nil)
	if err != nil {
		first.done <- outcome{err: err}
		return nil
	}
	w := &txn{tx: tx, stmts: s.writeStmts, shared: true}
	if o := s.run(first, w); o.err != nil || o.panic != nil {
		// first is all the transaction holds: undone alone.
		_ = tx.Rollback()
		first.done <- o
		return s.nextIf(true)
	}
	held := []*job{first} // run, and waiting for the commit
	abort := func(err error, also *job) {
		_ = tx.Rollback()
		for _, j := range held {
			j.done <- outcome{err: err}
		}
		if also != nil {
			also.done <- outcome{err: err}
		}
	}
	ctx := context.Background()
	for j := s.nextIf(len(held) < maxBatch); j != nil; j = s.nextIf(len(held) < maxBatch) {
		if err := j.ctx.Err(); err != nil {
			j.done <- outcome{err: err}
			continue
		}
		if err := w.Savepoint(ctx, "call"); err != nil {
			abort(err, j)
			return nil
		}
		o := s.run(j, w)
		failed := o.err != nil || o.panic != nil
		end := w.Forget
		if failed {
			end = w.RollbackTo
		}
		if err := end(ctx, "call"); err != nil {
			// The transaction is in doubt: nothing in it commits.
			err = fmt.Errorf("ending a call's savepoint in a group transaction: %w", err)
			if failed {
				abort(err, nil)
				j.done <- o
			} else {
				abort(err, j)
			}
			return nil
		}
		if failed {
			j.done <- o // rolled back alone, answered at once
			continue
		}
		held = append(held, j)
	}
	err = tx.Commit()
	s.checkpoints.Poke()
	// Before anyone is answered: a caller's next read must not find what
	// the cache held before (cache.go).
	s.cache.drop(s.touched)
	s.touched = s.touched[:0]
	for _, j := range held {
		j.done <- outcome{err: err}
	}
	return nil
}

// run calls a job's fn on a writeback of its own (writeback.go), and
// writes what it held once fn has succeeded, catching a panic.
func (s *Store) run(j *job, t *txn) (o outcome) {
	defer func() {
		if p := recover(); p != nil {
			o = outcome{panic: p, stack: debug.Stack()}
		}
	}()
	w := newWriteback(t, &s.seqs, &s.touched)
	if err := j.fn(w); err != nil {
		return outcome{err: err}
	}
	return outcome{err: w.flush(j.ctx)}
}
