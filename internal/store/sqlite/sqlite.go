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

	jobs      chan *job
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
	// while its transaction holds the first.
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
	reader.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	s = &Store{writer: writer, reader: reader, lock: lock, writeStmts: newStmtCache(writer), readStmts: newStmtCache(reader),
		jobs: make(chan *job, maxBatch), closing: make(chan struct{}), committed: make(chan struct{})}
	go s.commitLoop()
	return s, nil
}

// WriterDSN is the data source name of the store's writer connection, with
// every setting the store writes under: for measuring raw SQLite beside
// dxlab (dxlab bench's baseline) on exactly dxlab's settings.
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

// txn implements store.Writer on one database transaction.
type txn struct {
	tx    *sql.Tx
	stmts *stmtCache
	// shared marks a group transaction (groupcommit.go): its statements run
	// whatever happens to the caller's context, since interrupting one
	// would roll back the whole transaction, the other calls' work with it.
	shared bool
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
	if st := t.stmts.get(q); st != nil {
		return t.tx.StmtContext(t.c(ctx), st).QueryContext(t.c(ctx), args...)
	}
	return t.tx.QueryContext(t.c(ctx), q, args...)
}

func (t *txn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmts.get(q); st != nil {
		return t.tx.StmtContext(t.c(ctx), st).QueryRowContext(t.c(ctx), args...)
	}
	return t.tx.QueryRowContext(t.c(ctx), q, args...)
}

func (t *txn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmts.get(q); st != nil {
		return t.tx.StmtContext(t.c(ctx), st).ExecContext(t.c(ctx), args...)
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
	go c.prepare(q)
	return nil
}

func (c *stmtCache) prepare(q string) {
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
	defer c.mu.Unlock()
	c.closed = true
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

// viewers fills in the viewers of records, in one query per call.
func (t *txn) viewers(ctx context.Context, recs []store.Record) error {
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

func (t *txn) Get(ctx context.Context, kind, id string) (store.Record, error) {
	r, err := t.scanRecord(t.queryRow(ctx,
		`SELECT `+recordColumns+` FROM records WHERE kind = ? AND id = ?`, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, err
	}
	recs := []store.Record{r}
	if err := t.viewers(ctx, recs); err != nil {
		return store.Record{}, err
	}
	return recs[0], nil
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

func (t *txn) List(ctx context.Context, q store.ListQuery) ([]store.Record, error) {
	var f filter
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
	rows, err := t.query(ctx, `SELECT `+recordColumns+` FROM records`+f.clause()+` ORDER BY id`+limit(q.Limit), f.args...)
	if err != nil {
		return nil, err
	}
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

func (t *txn) setViewers(ctx context.Context, r store.Record) error {
	if _, err := t.exec(ctx, `DELETE FROM record_viewers WHERE kind = ? AND id = ?`, r.Kind, r.ID); err != nil {
		return err
	}
	for _, v := range r.Viewers {
		if _, err := t.exec(ctx,
			`INSERT INTO record_viewers (kind, account, id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, r.Kind, v, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func (t *txn) Insert(ctx context.Context, r store.Record) error {
	res, err := t.exec(ctx,
		`INSERT INTO records (kind, id, account, region, parent, version, data) VALUES (?, ?, ?, ?, ?, 1, ?)
		 ON CONFLICT (kind, id) DO NOTHING`,
		r.Kind, r.ID, r.Account, r.Region, r.Parent, r.Data)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrExists
	}
	return t.setViewers(ctx, r)
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

func (t *txn) Update(ctx context.Context, r store.Record) error {
	err := t.execOne(ctx,
		`UPDATE records SET account = ?, region = ?, parent = ?, data = ?, version = version + 1
		 WHERE kind = ? AND id = ? AND version = ?`,
		r.Account, r.Region, r.Parent, r.Data, r.Kind, r.ID, r.Version)
	if errors.Is(err, store.ErrNotFound) {
		if _, getErr := t.Get(ctx, r.Kind, r.ID); getErr == nil {
			return store.ErrStale
		}
	}
	if err != nil {
		return err
	}
	return t.setViewers(ctx, r)
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

func (t *txn) Claim(ctx context.Context, c store.Claim) error {
	var kind, id string
	err := t.queryRow(ctx,
		`INSERT INTO claims (scope, key, owner_kind, owner_id) VALUES (?, ?, ?, ?)
		 ON CONFLICT (scope, key) DO UPDATE SET scope = excluded.scope
		 RETURNING owner_kind, owner_id`,
		c.Scope, c.Key, c.OwnerKind, c.OwnerID).Scan(&kind, &id)
	if err != nil {
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

// transitionOrder lists automatic transitions by due time, then those that
// wait for an operator, each by id.
const transitionOrder = ` ORDER BY due_at IS NULL, due_at, id`

func (t *txn) Transitions(ctx context.Context, q store.TransitionQuery) ([]store.Transition, error) {
	var f filter
	if !q.DueBy.IsZero() {
		f.add("due_at IS NOT NULL AND due_at <= ?", q.DueBy.UnixNano())
	}
	f.addIf("resource_kind = ?", q.ResourceKind)
	f.addIf("resource_id = ?", q.ResourceID)
	if a := q.After; a != nil {
		if a.DueAt.IsZero() {
			f.add("due_at IS NULL AND id > ?", a.ID)
		} else {
			f.add("(due_at IS NULL OR due_at > ? OR (due_at = ? AND id > ?))", a.DueAt.UnixNano())
			f.args = append(f.args, a.DueAt.UnixNano(), a.ID)
		}
	}
	return t.queryTransitions(ctx, `SELECT `+transitionColumns+` FROM transitions`+f.clause()+transitionOrder+limit(q.Limit), f.args...)
}

func stepsIn(steps []string) (string, []any) {
	args := make([]any, len(steps))
	for i, s := range steps {
		args[i] = s
	}
	return "step IN (" + placeholders(len(steps)) + ")", args
}

func (t *txn) NextDue(ctx context.Context, steps []string) (time.Time, error) {
	if len(steps) == 0 {
		return time.Time{}, nil
	}
	cond, args := stepsIn(steps)
	var due sql.NullInt64
	err := t.queryRow(ctx,
		`SELECT MIN(MAX(due_at, held_until)) FROM transitions WHERE due_at IS NOT NULL AND `+cond, args...).Scan(&due)
	if err != nil || !due.Valid {
		return time.Time{}, err
	}
	return time.Unix(0, due.Int64).UTC(), nil
}

func (t *txn) TakeDue(ctx context.Context, q store.TakeQuery) ([]store.Transition, error) {
	if len(q.Steps) == 0 {
		return nil, nil
	}
	cond, args := stepsIn(q.Steps)
	now := q.Now.UnixNano()
	// One writer at a time makes select-then-update atomic here; the
	// PostgreSQL backend needs FOR UPDATE SKIP LOCKED for the same.
	args = append([]any{q.Owner, q.Until.UnixNano()}, append(args, now, now)...)
	taken, err := t.queryTransitions(ctx,
		`UPDATE transitions SET held_by = ?, held_until = ? WHERE id IN (
			SELECT id FROM transitions WHERE `+cond+` AND due_at IS NOT NULL AND due_at <= ? AND (held_by = '' OR held_until <= ?)
			ORDER BY due_at, id`+limit(q.Limit)+`)
		 RETURNING `+transitionColumns, args...)
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

func (t *txn) Append(ctx context.Context, e store.Event) (int64, error) {
	viewers, err := json.Marshal(e.Viewers)
	if err != nil {
		return 0, err
	}
	cause, err := json.Marshal(e.Cause)
	if err != nil {
		return 0, err
	}
	var seq int64
	err = t.queryRow(ctx,
		`INSERT INTO events (at, resource_kind, resource_id, account, viewers, region, action, from_state, to_state, cause)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		e.At.UnixNano(), e.ResourceKind, e.ResourceID, e.Account, string(viewers), e.Region, e.Action, e.From, e.To, string(cause)).Scan(&seq)
	if err != nil {
		return 0, err
	}
	for _, a := range append([]string{e.Account}, e.Viewers...) {
		if _, err := t.exec(ctx, `INSERT INTO event_accounts (account, seq) VALUES (?, ?) ON CONFLICT DO NOTHING`, a, seq); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

func (t *txn) Events(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	var f filter
	f.addIf("resource_id = ?", q.ResourceID)
	f.addIf("resource_kind = ?", q.ResourceKind)
	f.addIf("seq IN (SELECT seq FROM event_accounts WHERE account = ?)", q.VisibleTo)
	if !q.Since.IsZero() {
		f.add("at >= ?", q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		f.add("at < ?", q.Until.UnixNano())
	}
	if q.AfterSeq > 0 {
		f.add("seq > ?", q.AfterSeq)
	}
	rows, err := t.query(ctx, `SELECT `+eventColumns+` FROM events`+f.clause()+` ORDER BY seq`+desc(q.Newest)+limit(q.Limit), f.args...)
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
	_, err := t.tx.ExecContext(t.c(ctx), "SAVEPOINT "+name)
	return err
}

func (t *txn) RollbackTo(ctx context.Context, name string) error {
	if _, err := t.tx.ExecContext(t.c(ctx), "ROLLBACK TO "+name); err != nil {
		return err
	}
	_, err := t.tx.ExecContext(t.c(ctx), "RELEASE "+name)
	return err
}

func (t *txn) Forget(ctx context.Context, name string) error {
	_, err := t.tx.ExecContext(t.c(ctx), "RELEASE "+name)
	return err
}

// desc orders a query newest first when asked.
func desc(newest bool) string {
	if newest {
		return " DESC"
	}
	return ""
}
