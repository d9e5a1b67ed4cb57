// Package sqlite is the embedded store: one SQLite database file in WAL mode,
// through the pure-Go modernc.org/sqlite driver, so dxlab needs no other
// service and no cgo.
//
// Writes go through a single connection whose transactions take the write
// lock when they begin (BEGIN IMMEDIATE), so a transaction never fails half
// way for want of the lock; concurrent writes share transactions (group
// commit, groupcommit.go); reads use a pool of read-only connections that
// WAL lets run beside the writer. synchronous=NORMAL makes a committed
// transaction survive a crash of the process (kill -9); only a power cut can
// lose the last few, which for an emulator is the right trade for speed.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite"

	"github.com/dxlab/dxlab/internal/store"
)

// FileName is the database file inside the data directory.
const FileName = "dxlab.db"

// Store is a store.Store on a SQLite file.
type Store struct {
	writer *sql.DB
	reader *sql.DB
	lock   *os.File

	// The committer's queue (groupcommit.go); closing stops it, and
	// committed is closed once it has.
	writeStmts, readStmts *stmtCache
	checkpoints           *Checkpointer
	cache                 *recordCache // Peek's (cache.go)

	jobs      chan *job
	seqs      int64    // the last event seq given out (writeback.go); the committer's alone
	touched   []recKey // the records the transaction under way wrote (cache.go); the committer's alone
	closing   chan struct{}
	committed chan struct{}
	closeOnce sync.Once
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if need be) the store in dir. While it is open, dir
// is locked: a second Open of it, by this process or another, fails at once
// with ErrLocked.
func Open(dir string) (s *Store, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Close()
		}
	}()
	path := filepath.Join(dir, FileName)
	writer, err := sql.Open("sqlite", dsn(path, "immediate", false))
	if err != nil {
		return nil, err
	}
	// One goroutine, the committer, runs every write transaction; the
	// second connection is where new statements are prepared (stmtCache)
	// and checkpoints run (checkpoint.go) while its transaction holds the
	// first.
	writer.SetMaxOpenConns(2)
	writer.SetConnMaxLifetime(0)
	if err := migrate(writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, "deferred", true))
	if err != nil {
		writer.Close()
		return nil, err
	}
	// Every reader connection stays open: database/sql keeps two idle by
	// default and closes the rest as they come back, and a new connection
	// costs an open and the preparing of every statement again (an eighth
	// of a describe by id under load, before).
	readers := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	reader.SetConnMaxLifetime(0)
	s = &Store{writer: writer, reader: reader, lock: lock, writeStmts: newStmtCache(writer), readStmts: newStmtCache(reader),
		checkpoints: NewCheckpointer(writer), cache: newRecordCache(),
		jobs: make(chan *job, maxBatch), closing: make(chan struct{}), committed: make(chan struct{})}
	go s.commitLoop()
	return s, nil
}

// WriterDSN is the data source name of the store's writer connection, with
// every setting the store writes under: for measuring raw SQLite beside
// dxlab (dxlab bench's baseline) on exactly dxlab's settings.
// Its checkpoints are a Checkpointer's.
func WriterDSN(path string) string { return dsn(path, "immediate", false) }

func dsn(path, txlock string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	// Savepoints (group commit) journal into temporary storage: memory,
	// not a file written and thrown away on every call.
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		// Checkpoints run apart from the writes (checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
	}
	q.Set("_txlock", txlock)
	return "file:" + path + "?" + q.Encode()
}

// schema is applied in order; PRAGMA user_version records how far. A step
// once released is never edited: later changes are new steps.
var schema = []string{
	`CREATE TABLE records (
		kind    TEXT NOT NULL,
		id      TEXT NOT NULL,
		account TEXT NOT NULL,
		region  TEXT NOT NULL,
		parent  TEXT NOT NULL DEFAULT '',
		data    BLOB NOT NULL,
		PRIMARY KEY (kind, id)
	) WITHOUT ROWID;
	CREATE INDEX records_scope ON records (kind, account, region, id);
	CREATE INDEX records_parent ON records (kind, parent, id) WHERE parent <> '';
	CREATE TABLE claims (
		scope      TEXT NOT NULL,
		key        TEXT NOT NULL,
		owner_kind TEXT NOT NULL,
		owner_id   TEXT NOT NULL,
		PRIMARY KEY (scope, key)
	) WITHOUT ROWID;
	CREATE INDEX claims_owner ON claims (owner_kind, owner_id);
	CREATE TABLE transitions (
		id            TEXT PRIMARY KEY,
		step          TEXT NOT NULL,
		resource_kind TEXT NOT NULL,
		resource_id   TEXT NOT NULL,
		account       TEXT NOT NULL,
		region        TEXT NOT NULL,
		due_at        INTEGER,
		created_at    INTEGER NOT NULL,
		note          TEXT NOT NULL
	);
	CREATE INDEX transitions_due ON transitions (due_at) WHERE due_at IS NOT NULL;
	CREATE INDEX transitions_resource ON transitions (resource_kind, resource_id);`,

	// Versions, viewers, holds on transitions, events and settings.
	`ALTER TABLE records ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
	CREATE TABLE record_viewers (
		kind    TEXT NOT NULL,
		account TEXT NOT NULL,
		id      TEXT NOT NULL,
		PRIMARY KEY (kind, account, id)
	) WITHOUT ROWID;
	CREATE INDEX record_viewers_record ON record_viewers (kind, id);
	ALTER TABLE transitions ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE transitions ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
	ALTER TABLE transitions ADD COLUMN held_by TEXT NOT NULL DEFAULT '';
	ALTER TABLE transitions ADD COLUMN held_until INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE events (
		seq           INTEGER PRIMARY KEY AUTOINCREMENT,
		at            INTEGER NOT NULL,
		resource_kind TEXT NOT NULL,
		resource_id   TEXT NOT NULL,
		account       TEXT NOT NULL,
		viewers       TEXT NOT NULL,
		region        TEXT NOT NULL,
		action        TEXT NOT NULL,
		from_state    TEXT NOT NULL,
		to_state      TEXT NOT NULL,
		cause         TEXT NOT NULL
	);
	CREATE INDEX events_resource ON events (resource_id, seq);
	CREATE INDEX events_at ON events (at);
	CREATE TABLE event_accounts (
		account TEXT NOT NULL,
		seq     INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
		PRIMARY KEY (account, seq)
	) WITHOUT ROWID;
	CREATE INDEX event_accounts_seq ON event_accounts (seq);
	CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) WITHOUT ROWID;`,

	// The driver's and the listings' orders served by indexes, so that
	// neither scans nor sorts the pending transitions (issue 12: flat with
	// 100,000 pending): the automatic ones by (due_at, id), those waiting
	// for an operator by id, the held ones by when their hold lapses.
	`CREATE INDEX transitions_due_id ON transitions (due_at, id) WHERE due_at IS NOT NULL;
	DROP INDEX transitions_due;
	CREATE INDEX transitions_waiting ON transitions (id) WHERE due_at IS NULL;
	CREATE INDEX transitions_held ON transitions (held_until) WHERE held_until > 0;`,

	// Each record's state beside its document, so that the census (the
	// health report, the metrics) counts an index instead of decoding every
	// document. NULL for records written before: given theirs at start.
	`ALTER TABLE records ADD COLUMN state TEXT;
	CREATE INDEX records_state ON records (kind, state);`,
}

func migrate(db *sql.DB) error {
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return err
	}
	if version > len(schema) {
		return fmt.Errorf("database schema version %d is newer than this dxlab (%d)", version, len(schema))
	}
	for i := version; i < len(schema); i++ {
		if _, err := tx.ExecContext(ctx, schema[i]); err != nil {
			return fmt.Errorf("schema step %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(schema))); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) Describe() string { return "sqlite" }

// Close closes the database and then releases the data directory's lock.
// Closing again does nothing more.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.closing) })
	<-s.committed
	s.checkpoints.Stop()
	err := errors.Join(s.readStmts.close(), s.writeStmts.close(), s.reader.Close(), s.writer.Close())
	if s.lock != nil {
		if lerr := s.lock.Close(); lerr != nil && !errors.Is(lerr, os.ErrClosed) {
			err = errors.Join(err, lerr)
		}
	}
	return err
}

func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(&txn{tx: tx, stmts: s.readStmts})
}

// Peek reads outside a transaction: under WAL each statement reads the
// latest commit, and the BEGIN and ROLLBACK around a one-statement read
// (a fifth of a describe by id) are saved.
func (s *Store) Peek(ctx context.Context, fn func(store.Reader) error) error {
	return fn(&txn{db: s.reader, stmts: s.readStmts, cache: s.cache})
}

// txn implements store.Writer on one database transaction, or, with no tx,
// store.Reader on db, a statement at a time (Peek).
type txn struct {
	tx    *sql.Tx
	db    *sql.DB
	stmts *stmtCache
	// shared marks a group transaction (groupcommit.go): its statements run
	// whatever happens to the caller's context, since interrupting one
	// would roll back the whole transaction, the other calls' work with it.
	shared bool
	// cache answers Get, for Peek (cache.go).
	cache *recordCache
	// bound holds the statements bound to tx, by text: a group
	// transaction runs the same dozen statements for each of its calls,
	// and binding one to the transaction anew each time cost an allocation
	// and a lock of the pool.
	bound map[string]*sql.Stmt
}

// stmt is the prepared statement q bound to the transaction, or nil while
// q is not prepared yet.
func (t *txn) stmt(ctx context.Context, q string) *sql.Stmt {
	if st, ok := t.bound[q]; ok {
		return st
	}
	st := t.stmts.get(q)
	if st == nil {
		return nil
	}
	if t.bound == nil {
		t.bound = map[string]*sql.Stmt{}
	}
	b := t.tx.StmtContext(t.c(ctx), st)
	t.bound[q] = b
	return b
}

// c is the context a statement runs under.
func (t *txn) c(ctx context.Context) context.Context {
	if t.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Statements run prepared: parsing SQL was a quarter of a write's time.
// Each connection prepares a statement once (database/sql keeps it per
// connection) and transactions borrow it. A statement not prepared yet is
// run unprepared while it is prepared in the background: preparing needs a
// free connection of the pool, and waiting for one inside a transaction
// that holds a connection deadlocks once every connection is so held.

func (t *txn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.tx == nil {
		if st := t.stmts.get(q); st != nil {
			return st.QueryContext(ctx, args...)
		}
		return t.db.QueryContext(ctx, q, args...)
	}
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(t.c(ctx), args...)
	}
	return t.tx.QueryContext(t.c(ctx), q, args...)
}

func (t *txn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if t.tx == nil {
		if st := t.stmts.get(q); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
		return t.db.QueryRowContext(ctx, q, args...)
	}
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(t.c(ctx), args...)
	}
	return t.tx.QueryRowContext(t.c(ctx), q, args...)
}

func (t *txn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(t.c(ctx), args...)
	}
	return t.tx.ExecContext(t.c(ctx), q, args...)
}

// stmtCache holds the prepared statements of one database handle.
type stmtCache struct {
	db        *sql.DB
	mu        sync.Mutex
	m         map[string]*sql.Stmt
	preparing map[string]bool
	closed    bool
	// running counts the statements being prepared, which close waits
	// for: one still preparing when the store closes could open a
	// connection, and create the database's -wal and -shm files, after
	// Close has returned and the directory is being removed.
	running sync.WaitGroup
}

// maxCachedStatements bounds the cache: queries with a variable number of
// placeholders (IN lists) come in many forms.
const maxCachedStatements = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, preparing: map[string]bool{}}
}

// get returns q's prepared statement, or nil when it has none yet, having
// started to prepare it unless one is already being prepared or the cache
// is full. It never waits for a connection.
func (c *stmtCache) get(q string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st
	}
	if c.closed || c.preparing[q] || len(c.m)+len(c.preparing) >= maxCachedStatements {
		return nil
	}
	c.preparing[q] = true
	c.running.Add(1)
	go c.prepare(q)
	return nil
}

func (c *stmtCache) prepare(q string) {
	defer c.running.Done()
	st, err := c.db.Prepare(q)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, q)
	switch {
	case err != nil:
		// Run unprepared; the next use tries again.
	case c.closed:
		st.Close()
	default:
		c.m[q] = st
	}
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	c.closed = true // no statement starts preparing now
	c.mu.Unlock()
	c.running.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for _, st := range c.m {
		errs = append(errs, st.Close())
	}
	c.m = map[string]*sql.Stmt{}
	return errors.Join(errs...)
}

const recordColumns = `kind, id, account, region, parent, version, data`

func (t *txn) scanRecord(s scanner) (store.Record, error) {
	var r store.Record
	if err := s.Scan(&r.Kind, &r.ID, &r.Account, &r.Region, &r.Parent, &r.Version, &r.Data); err != nil {
		return store.Record{}, err
	}
	return r, nil
}

// viewersChunk is how many records' viewers one query asks for: a listing
// of any length (a census of a million) reads them in queries of at most
// this many ids, far below SQLite's limit of 32,766 placeholders a
// statement, and in a few statement texts only (the statement cache keeps
// one per number of placeholders).
const viewersChunk = 500

// viewers fills in the viewers of records of one kind, in one query per
// viewersChunk records.
func (t *txn) viewers(ctx context.Context, recs []store.Record) error {
	for len(recs) > viewersChunk {
		if err := t.viewersOf(ctx, recs[:viewersChunk]); err != nil {
			return err
		}
		recs = recs[viewersChunk:]
	}
	return t.viewersOf(ctx, recs)
}

func (t *txn) viewersOf(ctx context.Context, recs []store.Record) error {
	if len(recs) == 0 {
		return nil
	}
	at := make(map[string]int, len(recs))
	ids := make([]any, 0, len(recs)+1)
	ids = append(ids, recs[0].Kind)
	for i, r := range recs {
		at[r.ID] = i
		ids = append(ids, r.ID)
	}
	// Kind is the same across a List; Get passes one record.
	rows, err := t.query(ctx,
		`SELECT id, account FROM record_viewers WHERE kind = ? AND id IN (`+placeholders(len(recs))+`) ORDER BY id, account`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, account string
		if err := rows.Scan(&id, &account); err != nil {
			return err
		}
		if i, ok := at[id]; ok {
			recs[i].Viewers = append(recs[i].Viewers, account)
		}
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Get reads a record and its viewers in one statement: the read path's
// hottest query, and a second statement for the viewers cost a sixth of a
// describe by id.
func (t *txn) Get(ctx context.Context, kind, id string) (store.Record, error) {
	if t.cache == nil {
		return t.get(ctx, kind, id)
	}
	if r, ok := t.cache.get(recKey{kind, id}); ok {
		return r, nil
	}
	gen := t.cache.generation()
	r, err := t.get(ctx, kind, id)
	if err == nil {
		t.cache.put(gen, r)
	}
	return r, err
}

func (t *txn) get(ctx context.Context, kind, id string) (store.Record, error) {
	var r store.Record
	var viewers sql.NullString
	err := t.queryRow(ctx,
		`SELECT `+recordColumns+`, (SELECT group_concat(account, ' ') FROM record_viewers v WHERE v.kind = ?1 AND v.id = ?2)
		 FROM records WHERE kind = ?1 AND id = ?2`, kind, id).
		Scan(&r.Kind, &r.ID, &r.Account, &r.Region, &r.Parent, &r.Version, &r.Data, &viewers)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, err
	}
	if viewers.Valid {
		// Accounts are digits: a space never falls inside one.
		r.Viewers = strings.Fields(viewers.String)
		slices.Sort(r.Viewers)
	}
	return r, nil
}

// filter builds a WHERE clause from conditions whose value is not empty.
type filter struct {
	where []string
	args  []any
}

func (f *filter) add(cond string, v any) {
	f.where = append(f.where, cond)
	f.args = append(f.args, v)
}

func (f *filter) addIf(cond string, v string) {
	if v != "" {
		f.add(cond, v)
	}
}

func (f *filter) clause() string {
	if len(f.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.where, " AND ")
}

func limit(n int) string {
	if n > 0 {
		return fmt.Sprintf(" LIMIT %d", n)
	}
	return ""
}

// listQuery is List's statement. It names the index that narrows the
// listing most: SQLite's planner, knowing nothing of how the records are
// spread, walks the primary key (kind, id) in the order asked for and
// filters, which reads every record of the kind to answer an account that
// holds none, or the few hosted connections of one interconnect (at a
// million connections, 340 ms for an empty page where a page of 100 takes
// 5 ms). Through records_parent or records_scope, a page reads what it
// answers.
func listQuery(q store.ListQuery) (string, []any) {
	var f filter
	from := " FROM records"
	switch {
	case q.Parent != "":
		// The index is partial: the query must say it is within it.
		from += " INDEXED BY records_parent"
		f.where = append(f.where, "parent <> ''")
	case q.Account != "":
		from += " INDEXED BY records_scope"
	}
	f.add("kind = ?", q.Kind)
	f.addIf("account = ?", q.Account)
	f.addIf("region = ?", q.Region)
	f.addIf("parent = ?", q.Parent)
	f.addIf("id > ?", q.After)
	if q.VisibleTo != "" {
		// Owned or viewed: the owner index and the viewer index each give
		// their ids in order, so the union stays a cheap merge.
		f.add(`id IN (SELECT id FROM records WHERE kind = ? AND account = ?
			UNION ALL SELECT id FROM record_viewers WHERE kind = ? AND account = ?)`, q.Kind)
		f.args = append(f.args, q.VisibleTo, q.Kind, q.VisibleTo)
	}
	return `SELECT ` + recordColumns + from + f.clause() + ` ORDER BY id` + limit(q.Limit), f.args
}

func (t *txn) List(ctx context.Context, q store.ListQuery) ([]store.Record, error) {
	query, args := listQuery(q)
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return t.scanRecords(ctx, rows)
}

// scanRecords reads the records rows hold, with their viewers, and closes
// rows.
func (t *txn) scanRecords(ctx context.Context, rows *sql.Rows) ([]store.Record, error) {
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r, err := t.scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, t.viewers(ctx, out)
}

// setViewers writes a record's viewers anew; one just inserted has none
// yet (Delete removes a record's), so they are only added.
func (t *txn) setViewers(ctx context.Context, r store.Record, inserted bool) error {
	if !inserted {
		if _, err := t.exec(ctx, `DELETE FROM record_viewers WHERE kind = ? AND id = ?`, r.Kind, r.ID); err != nil {
			return err
		}
	}
	for _, v := range r.Viewers {
		if _, err := t.exec(ctx,
			`INSERT INTO record_viewers (kind, account, id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, r.Kind, v, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// insertAt inserts a record at r.Version: a writeback's record, inserted
// and updated within a call, is written once, at its last version. (Every
// write goes through a writeback: txn has no Insert or Update of its own.)
func (t *txn) insertAt(ctx context.Context, r store.Record) error {
	res, err := t.exec(ctx,
		`INSERT INTO records (kind, id, account, region, parent, version, data, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (kind, id) DO NOTHING`,
		r.Kind, r.ID, r.Account, r.Region, r.Parent, r.Version, r.Data, r.State)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrExists
	}
	return t.setViewers(ctx, r, true)
}

// exists tells whether there is a record of that kind and id.
func (t *txn) exists(ctx context.Context, kind, id string) (bool, error) {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM records WHERE kind = ? AND id = ?`, kind, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// updateTo writes r over the record stored at version from, setting its
// version to r.Version (a writeback's record, updated more than once
// within a call, is written once); its viewers are the caller's to write.
func (t *txn) updateTo(ctx context.Context, r store.Record, from int64) error {
	err := t.execOne(ctx,
		`UPDATE records SET account = ?, region = ?, parent = ?, data = ?, state = ?, version = ?
		 WHERE kind = ? AND id = ? AND version = ?`,
		r.Account, r.Region, r.Parent, r.Data, r.State, r.Version, r.Kind, r.ID, from)
	if errors.Is(err, store.ErrNotFound) {
		return store.ErrStale
	}
	return err
}

// execOne runs a statement that must touch a row, or reports ErrNotFound.
func (t *txn) execOne(ctx context.Context, query string, args ...any) error {
	res, err := t.exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *txn) SetState(ctx context.Context, kind, id, state string) error {
	return t.execOne(ctx, `UPDATE records SET state = ? WHERE kind = ? AND id = ?`, state, kind, id)
}

func (t *txn) Census(ctx context.Context) ([]store.StateCount, error) {
	rows, err := t.query(ctx, `SELECT kind, state, count(*) FROM records WHERE state IS NOT NULL GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.StateCount
	for rows.Next() {
		var c store.StateCount
		if err := rows.Scan(&c.Kind, &c.State, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *txn) Unstated(ctx context.Context, kind string, limit int) ([]store.Record, error) {
	rows, err := t.query(ctx, `SELECT `+recordColumns+` FROM records WHERE kind = ? AND state IS NULL ORDER BY id LIMIT ?`, kind, limit)
	if err != nil {
		return nil, err
	}
	return t.scanRecords(ctx, rows)
}

func (t *txn) StepCounts(ctx context.Context) ([]store.StepCount, error) {
	rows, err := t.query(ctx, `SELECT step, count(*), count(*) FILTER (WHERE due_at IS NULL) FROM transitions GROUP BY step ORDER BY step`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.StepCount
	for rows.Next() {
		var c store.StepCount
		if err := rows.Scan(&c.Step, &c.Pending, &c.Waiting); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *txn) Delete(ctx context.Context, kind, id string) error {
	if err := t.execOne(ctx, `DELETE FROM records WHERE kind = ? AND id = ?`, kind, id); err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM record_viewers WHERE kind = ? AND id = ?`, kind, id); err != nil {
		return err
	}
	if err := t.Release(ctx, kind, id); err != nil {
		return err
	}
	return t.UnscheduleFor(ctx, kind, id)
}

// Claim inserts the claim, or finds the key held: by the same owner
// (claiming again changes nothing) or by another (ErrConflict). An insert
// that reports the rows it made, instead of one that returns the holder,
// spares the free key (the common case) a result set to build and close.
func (t *txn) Claim(ctx context.Context, c store.Claim) error {
	res, err := t.exec(ctx,
		`INSERT INTO claims (scope, key, owner_kind, owner_id) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`,
		c.Scope, c.Key, c.OwnerKind, c.OwnerID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var kind, id string
	if err := t.queryRow(ctx, `SELECT owner_kind, owner_id FROM claims WHERE scope = ? AND key = ?`, c.Scope, c.Key).
		Scan(&kind, &id); err != nil {
		return err
	}
	if kind != c.OwnerKind || id != c.OwnerID {
		return store.ErrConflict
	}
	return nil
}

func (t *txn) Release(ctx context.Context, ownerKind, ownerID string) error {
	_, err := t.exec(ctx, `DELETE FROM claims WHERE owner_kind = ? AND owner_id = ?`, ownerKind, ownerID)
	return err
}

// nanos stores a time as Unix nanoseconds, and the zero time as NULL.
func nanos(at time.Time) any {
	if at.IsZero() {
		return nil
	}
	return at.UnixNano()
}

// nanosOr0 is nanos for columns where zero means "none".
func nanosOr0(at time.Time) int64 {
	if at.IsZero() {
		return 0
	}
	return at.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (t *txn) Schedule(ctx context.Context, tr store.Transition) error {
	res, err := t.exec(ctx,
		`INSERT INTO transitions (`+transitionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		 ON CONFLICT (id) DO NOTHING`,
		tr.ID, tr.Step, tr.ResourceKind, tr.ResourceID, tr.Account, tr.Region, nanos(tr.DueAt), tr.CreatedAt.UnixNano(), tr.Note,
		tr.Attempts, tr.LastError, tr.HeldBy, nanosOr0(tr.HeldUntil))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *txn) Unschedule(ctx context.Context, id string) error {
	return t.execOne(ctx, `DELETE FROM transitions WHERE id = ?`, id)
}

func (t *txn) UnscheduleFor(ctx context.Context, kind, id string) error {
	_, err := t.exec(ctx, `DELETE FROM transitions WHERE resource_kind = ? AND resource_id = ?`, kind, id)
	return err
}

const transitionColumns = `id, step, resource_kind, resource_id, account, region, due_at, created_at, note, attempts, last_error, held_by, held_until`

type scanner interface{ Scan(...any) error }

func scanTransition(s scanner) (store.Transition, error) {
	var tr store.Transition
	var due sql.NullInt64
	var created, heldUntil int64
	if err := s.Scan(&tr.ID, &tr.Step, &tr.ResourceKind, &tr.ResourceID, &tr.Account, &tr.Region, &due, &created, &tr.Note,
		&tr.Attempts, &tr.LastError, &tr.HeldBy, &heldUntil); err != nil {
		return store.Transition{}, err
	}
	if due.Valid {
		tr.DueAt = time.Unix(0, due.Int64).UTC()
	}
	tr.CreatedAt = time.Unix(0, created).UTC()
	tr.HeldUntil = fromNanos(heldUntil)
	return tr, nil
}

func (t *txn) Transition(ctx context.Context, id string) (store.Transition, error) {
	tr, err := scanTransition(t.queryRow(ctx, `SELECT `+transitionColumns+` FROM transitions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Transition{}, store.ErrNotFound
	}
	return tr, err
}

func (t *txn) queryTransitions(ctx context.Context, query string, args ...any) ([]store.Transition, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Transition
	for rows.Next() {
		tr, err := scanTransition(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tr)
	}
	return out, rows.Err()
}

// Transitions lists the automatic transitions by due time, then those that
// wait for an operator, each by id: two queries, each walking an index in
// its order (transitions_due_id, transitions_waiting) and stopping at the
// limit, where one query ordered by "due_at IS NULL, due_at, id" read and
// sorted every pending transition for each page.
func (t *txn) Transitions(ctx context.Context, q store.TransitionQuery) ([]store.Transition, error) {
	var out []store.Transition
	if a := q.After; a == nil || !a.DueAt.IsZero() {
		query, args := transitionsDueQuery(q)
		due, err := t.queryTransitions(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		out = due
		if q.Limit > 0 && len(out) >= q.Limit {
			return out, nil
		}
	}
	if !q.DueBy.IsZero() {
		// Only automatic transitions are ever due.
		return out, nil
	}
	query, args := transitionsWaitingQuery(q, q.Limit-len(out))
	waiting, err := t.queryTransitions(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return append(out, waiting...), nil
}

// transitionsDueQuery selects q's automatic transitions by (due_at, id).
func transitionsDueQuery(q store.TransitionQuery) (string, []any) {
	where := []string{"due_at IS NOT NULL"}
	var args []any
	if !q.DueBy.IsZero() {
		where = append(where, "due_at <= ?")
		args = append(args, q.DueBy.UnixNano())
	}
	where, args = resourceFilter(q, where, args)
	if a := q.After; a != nil {
		where = append(where, "(due_at, id) > (?, ?)")
		args = append(args, a.DueAt.UnixNano(), a.ID)
	}
	return `SELECT ` + transitionColumns + ` FROM transitions WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY due_at, id` + limit(q.Limit), args
}

// transitionsWaitingQuery selects q's transitions that wait for an operator,
// by id, at most n of them (n > 0) when q has a limit.
func transitionsWaitingQuery(q store.TransitionQuery, n int) (string, []any) {
	where := []string{"due_at IS NULL"}
	var args []any
	where, args = resourceFilter(q, where, args)
	if a := q.After; a != nil && a.DueAt.IsZero() {
		where = append(where, "id > ?")
		args = append(args, a.ID)
	}
	if q.Limit == 0 {
		n = 0
	}
	return `SELECT ` + transitionColumns + ` FROM transitions WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY id` + limit(n), args
}

func resourceFilter(q store.TransitionQuery, where []string, args []any) ([]string, []any) {
	if q.ResourceKind != "" {
		where = append(where, "resource_kind = ?")
		args = append(args, q.ResourceKind)
	}
	if q.ResourceID != "" {
		where = append(where, "resource_id = ?")
		args = append(args, q.ResourceID)
	}
	return where, args
}

// stepArgs are steps as a statement's arguments, for "step IN (...)".
func stepArgs(steps []string) []any {
	args := make([]any, len(steps))
	for i, s := range steps {
		args[i] = s
	}
	return args
}

// NextDue is the least of MAX(due_at, held_until) over steps' automatic
// transitions, found without reading them all: a transition not held past
// its due time can be taken at due_at, the earliest of which is the first
// such in due order (transitions_due_id); one held past it, when its hold
// lapses, the earliest of which is the first such in hold order
// (transitions_held). Each query stops at its first match; what it skips
// is only the few transitions being fired and those of steps this build
// does not know.
func (t *txn) NextDue(ctx context.Context, steps []string) (time.Time, error) {
	if len(steps) == 0 {
		return time.Time{}, nil
	}
	var next time.Time
	args := stepArgs(steps)
	for _, query := range nextDueQueries(len(steps)) {
		var at int64
		err := t.queryRow(ctx, query, args...).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return time.Time{}, err
		}
		if at := time.Unix(0, at).UTC(); next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next, nil
}

// nextDueQueries are NextDue's two queries for n steps.
func nextDueQueries(n int) [2]string {
	cond := "step IN (" + placeholders(n) + ")"
	return [2]string{
		`SELECT due_at FROM transitions WHERE due_at IS NOT NULL AND held_until <= due_at AND ` + cond +
			` ORDER BY due_at, id LIMIT 1`,
		`SELECT held_until FROM transitions WHERE held_until > 0 AND due_at IS NOT NULL AND held_until > due_at AND ` + cond +
			` ORDER BY held_until LIMIT 1`,
	}
}

func (t *txn) TakeDue(ctx context.Context, q store.TakeQuery) ([]store.Transition, error) {
	if len(q.Steps) == 0 {
		return nil, nil
	}
	args := stepArgs(q.Steps)
	now := q.Now.UnixNano()
	args = append([]any{q.Owner, q.Until.UnixNano()}, append(args, now, now)...)
	taken, err := t.queryTransitions(ctx, takeDueQuery(len(q.Steps), q.Limit), args...)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(taken, func(a, b store.Transition) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return taken, nil
}

// takeDueQuery is TakeDue's statement for n steps: it walks the due
// transitions in (due_at, id) order (transitions_due_id) up to the limit.
// One writer at a time makes select-then-update atomic here; the
// PostgreSQL backend needs FOR UPDATE SKIP LOCKED for the same.
func takeDueQuery(n, max int) string {
	return `UPDATE transitions SET held_by = ?, held_until = ? WHERE id IN (
			SELECT id FROM transitions WHERE step IN (` + placeholders(n) + `) AND due_at IS NOT NULL AND due_at <= ? AND (held_by = '' OR held_until <= ?)
			ORDER BY due_at, id` + limit(max) + `)
		 RETURNING ` + transitionColumns
}

func (t *txn) Take(ctx context.Context, id, owner string, now, until time.Time) (store.Transition, error) {
	tr, err := t.Transition(ctx, id)
	if err != nil {
		return store.Transition{}, err
	}
	if tr.HeldBy != "" && tr.HeldBy != owner && tr.HeldUntil.After(now) {
		return store.Transition{}, store.ErrConflict
	}
	if _, err := t.exec(ctx, `UPDATE transitions SET held_by = ?, held_until = ? WHERE id = ?`, owner, until.UnixNano(), id); err != nil {
		return store.Transition{}, err
	}
	tr.HeldBy, tr.HeldUntil = owner, until.UTC()
	return tr, nil
}

func (t *txn) Reschedule(ctx context.Context, tr store.Transition) error {
	return t.execOne(ctx,
		`UPDATE transitions SET due_at = ?, attempts = ?, last_error = ?, held_by = ?, held_until = ? WHERE id = ?`,
		nanos(tr.DueAt), tr.Attempts, tr.LastError, tr.HeldBy, nanosOr0(tr.HeldUntil), tr.ID)
}

const eventColumns = `seq, at, resource_kind, resource_id, account, viewers, region, action, from_state, to_state, cause`

// lastSeq is the highest seq ever given to an event (AUTOINCREMENT keeps
// it in sqlite_sequence, past pruning), or 0.
func (t *txn) lastSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := t.queryRow(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'events'`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

// appendEvents appends events at the seqs they carry, which a writeback
// gave out, and indexes each under the accounts that may see it: a
// statement of up to eventsChunk rows for the events, and one for their
// accounts, instead of a statement a row.
func (t *txn) appendEvents(ctx context.Context, es []store.Event) error {
	for len(es) > 0 {
		n := min(len(es), eventsChunk)
		if err := t.appendChunk(ctx, es[:n]); err != nil {
			return err
		}
		es = es[n:]
	}
	return nil
}

// eventsChunk bounds the rows of one insert: 11 values a row, well under
// SQLite's limit of variables, and few statement texts to prepare.
const eventsChunk = 16

func (t *txn) appendChunk(ctx context.Context, es []store.Event) error {
	args := make([]any, 0, 11*len(es))
	var accounts []any
	for _, e := range es {
		viewers, err := json.Marshal(e.Viewers)
		if err != nil {
			return err
		}
		cause, err := json.Marshal(e.Cause)
		if err != nil {
			return err
		}
		args = append(args, e.Seq, e.At.UnixNano(), e.ResourceKind, e.ResourceID, e.Account, string(viewers),
			e.Region, e.Action, e.From, e.To, string(cause))
		for _, a := range append([]string{e.Account}, e.Viewers...) {
			accounts = append(accounts, a, e.Seq)
		}
	}
	if _, err := t.exec(ctx,
		`INSERT INTO events (seq, at, resource_kind, resource_id, account, viewers, region, action, from_state, to_state, cause)
		 VALUES `+rows(len(es), 11), args...); err != nil {
		return err
	}
	for len(accounts) > 0 {
		n := min(len(accounts), 2*accountsChunk)
		if _, err := t.exec(ctx, `INSERT INTO event_accounts (account, seq) VALUES `+rows(n/2, 2)+` ON CONFLICT DO NOTHING`,
			accounts[:n]...); err != nil {
			return err
		}
		accounts = accounts[n:]
	}
	return nil
}

// accountsChunk bounds the rows of one insert into event_accounts.
const accountsChunk = 32

// rows is the VALUES list of n rows of width placeholders each.
func rows(n, width int) string {
	row := "(" + placeholders(width) + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// eventsQuery is Events' statement. An account's events are read through
// event_accounts (account, seq), walked in seq order from where the page
// starts: "seq IN (SELECT seq FROM event_accounts WHERE account = ?)" built
// the list of every event the account has ever seen before answering a
// page of it (107-138 ms for a page of 100 with 250,000, against 3-4 ms
// with 250). With a resource, its few events are read through
// events_resource and each checked against the account.
func eventsQuery(q store.EventQuery) (string, []any) {
	var f filter
	from, cols, seq := " FROM events", eventColumns, "seq"
	switch {
	case q.VisibleTo != "" && q.ResourceID == "":
		// CROSS JOIN: SQLite keeps event_accounts the outer loop.
		from = " FROM event_accounts a CROSS JOIN events e ON e.seq = a.seq"
		cols = "e." + strings.ReplaceAll(eventColumns, ", ", ", e.")
		seq = "a.seq"
		f.add("a.account = ?", q.VisibleTo)
	case q.VisibleTo != "":
		f.add("EXISTS (SELECT 1 FROM event_accounts a WHERE a.account = ? AND a.seq = events.seq)", q.VisibleTo)
	}
	f.addIf("resource_id = ?", q.ResourceID)
	f.addIf("resource_kind = ?", q.ResourceKind)
	if !q.Since.IsZero() {
		f.add("at >= ?", q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		f.add("at < ?", q.Until.UnixNano())
	}
	if q.AfterSeq > 0 {
		f.add(seq+" > ?", q.AfterSeq)
	}
	return `SELECT ` + cols + from + f.clause() + ` ORDER BY ` + seq + desc(q.Newest) + limit(q.Limit), f.args
}

func (t *txn) Events(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	query, args := eventsQuery(q)
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		var at int64
		var viewers, cause string
		if err := rows.Scan(&e.Seq, &at, &e.ResourceKind, &e.ResourceID, &e.Account, &viewers, &e.Region, &e.Action, &e.From, &e.To, &cause); err != nil {
			return nil, err
		}
		e.At = time.Unix(0, at).UTC()
		if err := json.Unmarshal([]byte(viewers), &e.Viewers); err != nil {
			return nil, fmt.Errorf("event %d viewers: %w", e.Seq, err)
		}
		if err := json.Unmarshal([]byte(cause), &e.Cause); err != nil {
			return nil, fmt.Errorf("event %d cause: %w", e.Seq, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *txn) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM events WHERE at < ?`, before.UnixNano())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (t *txn) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := t.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return v, err
}

func (t *txn) ClaimCounts(ctx context.Context, prefix string) (map[string]int, error) {
	// A range over the primary key rather than LIKE, which would scan every
	// claim (ports included). Scopes are ASCII: the range ends where the
	// prefix's last byte would be one higher.
	if prefix == "" {
		return nil, errors.New("sqlite: ClaimCounts needs a prefix")
	}
	end := prefix[:len(prefix)-1] + string(rune(prefix[len(prefix)-1]+1))
	rows, err := t.query(ctx, `SELECT scope, count(*) FROM claims WHERE scope >= ? AND scope < ? GROUP BY scope`, prefix, end)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var scope string
		var n int
		if err := rows.Scan(&scope, &n); err != nil {
			return nil, err
		}
		out[scope] = n
	}
	return out, rows.Err()
}

func (t *txn) Set(ctx context.Context, key, value string) error {
	_, err := t.exec(ctx,
		`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Savepoints: name is one of the callers' fixed identifiers, never input.

func (t *txn) Savepoint(ctx context.Context, name string) error {
	_, err := t.exec(ctx, "SAVEPOINT "+name)
	return err
}

func (t *txn) RollbackTo(ctx context.Context, name string) error {
	if _, err := t.exec(ctx, "ROLLBACK TO "+name); err != nil {
		return err
	}
	_, err := t.exec(ctx, "RELEASE "+name)
	return err
}

func (t *txn) Forget(ctx context.Context, name string) error {
	_, err := t.exec(ctx, "RELEASE "+name)
	return err
}

// desc orders a query newest first when asked.
func desc(newest bool) string {
	if newest {
		return " DESC"
	}
	return ""
}
