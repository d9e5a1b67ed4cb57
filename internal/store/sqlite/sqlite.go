// Package sqlite is the embedded store: one SQLite database file in WAL mode,
// through the pure-Go modernc.org/sqlite driver, so dxlab needs no other
// service and no cgo.
//
// Writes go through a single connection whose transactions take the write
// lock when they begin (BEGIN IMMEDIATE), so a transaction never fails half
// way for want of the lock; reads use a pool of read-only connections that
// WAL lets run beside the writer. synchronous=NORMAL makes a committed
// transaction survive a crash of the process (kill -9); only a power cut can
// lose the last few, which for an emulator is the right trade for speed.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	"github.com/dxlab/dxlab/internal/store"
)

// FileName is the database file inside the data directory.
const FileName = "dxlab.db"

// Store is a store.Store on a SQLite file.
type Store struct {
	path   string
	writer *sql.DB
	reader *sql.DB
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if need be) the store in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("sqlite: data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	writer, err := sql.Open("sqlite", dsn(path, "immediate", false))
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
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
	return &Store{path: path, writer: writer, reader: reader}, nil
}

func dsn(path, txlock string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	}
	q.Set("_txlock", txlock)
	return "file:" + path + "?" + q.Encode()
}

// schema is applied in order; PRAGMA user_version records how far.
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

// Path is the database file.
func (s *Store) Path() string { return s.path }

func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	tx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(&txn{tx: tx})
}

func (s *Store) Update(ctx context.Context, fn func(store.Writer) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(&txn{tx: tx}); err != nil {
		return err
	}
	return tx.Commit()
}

// txn implements store.Writer on one database transaction.
type txn struct {
	tx *sql.Tx
}

func (t *txn) Get(ctx context.Context, kind, id string) (store.Record, error) {
	r := store.Record{Kind: kind, ID: id}
	err := t.tx.QueryRowContext(ctx,
		`SELECT account, region, parent, data FROM records WHERE kind = ? AND id = ?`, kind, id).
		Scan(&r.Account, &r.Region, &r.Parent, &r.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, store.ErrNotFound
	}
	return r, err
}

func (t *txn) List(ctx context.Context, q store.ListQuery) ([]store.Record, error) {
	var where []string
	var args []any
	add := func(cond string, v string) {
		if v != "" {
			where = append(where, cond)
			args = append(args, v)
		}
	}
	where = append(where, "kind = ?")
	args = append(args, q.Kind)
	add("account = ?", q.Account)
	add("region = ?", q.Region)
	add("parent = ?", q.Parent)
	add("id > ?", q.After)
	query := `SELECT id, account, region, parent, data FROM records WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r := store.Record{Kind: q.Kind}
		if err := rows.Scan(&r.ID, &r.Account, &r.Region, &r.Parent, &r.Data); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *txn) Insert(ctx context.Context, r store.Record) error {
	res, err := t.tx.ExecContext(ctx,
		`INSERT INTO records (kind, id, account, region, parent, data) VALUES (?, ?, ?, ?, ?, ?)
		 ON CONFLICT (kind, id) DO NOTHING`,
		r.Kind, r.ID, r.Account, r.Region, r.Parent, r.Data)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrExists
	}
	return nil
}

// execOne runs a statement that must touch a row, or reports ErrNotFound.
func (t *txn) execOne(ctx context.Context, query string, args ...any) error {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *txn) Update(ctx context.Context, r store.Record) error {
	return t.execOne(ctx, `UPDATE records SET account = ?, region = ?, parent = ?, data = ? WHERE kind = ? AND id = ?`,
		r.Account, r.Region, r.Parent, r.Data, r.Kind, r.ID)
}

func (t *txn) Delete(ctx context.Context, kind, id string) error {
	if err := t.execOne(ctx, `DELETE FROM records WHERE kind = ? AND id = ?`, kind, id); err != nil {
		return err
	}
	if err := t.Release(ctx, kind, id); err != nil {
		return err
	}
	return t.UnscheduleFor(ctx, kind, id)
}

func (t *txn) Claim(ctx context.Context, c store.Claim) error {
	var kind, id string
	err := t.tx.QueryRowContext(ctx,
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
	_, err := t.tx.ExecContext(ctx, `DELETE FROM claims WHERE owner_kind = ? AND owner_id = ?`, ownerKind, ownerID)
	return err
}

func nanos(at time.Time) any {
	if at.IsZero() {
		return nil
	}
	return at.UnixNano()
}

func (t *txn) Schedule(ctx context.Context, tr store.Transition) error {
	_, err := t.tx.ExecContext(ctx,
		`INSERT INTO transitions (id, step, resource_kind, resource_id, account, region, due_at, created_at, note)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tr.ID, tr.Step, tr.ResourceKind, tr.ResourceID, tr.Account, tr.Region, nanos(tr.DueAt), tr.CreatedAt.UnixNano(), tr.Note)
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return store.ErrExists
	}
	return err
}

func (t *txn) Unschedule(ctx context.Context, id string) error {
	return t.execOne(ctx, `DELETE FROM transitions WHERE id = ?`, id)
}

func (t *txn) UnscheduleFor(ctx context.Context, kind, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM transitions WHERE resource_kind = ? AND resource_id = ?`, kind, id)
	return err
}

const transitionColumns = `id, step, resource_kind, resource_id, account, region, due_at, created_at, note`

type scanner interface{ Scan(...any) error }

func scanTransition(s scanner) (store.Transition, error) {
	var tr store.Transition
	var due sql.NullInt64
	var created int64
	if err := s.Scan(&tr.ID, &tr.Step, &tr.ResourceKind, &tr.ResourceID, &tr.Account, &tr.Region, &due, &created, &tr.Note); err != nil {
		return store.Transition{}, err
	}
	if due.Valid {
		tr.DueAt = time.Unix(0, due.Int64).UTC()
	}
	tr.CreatedAt = time.Unix(0, created).UTC()
	return tr, nil
}

func (t *txn) Transition(ctx context.Context, id string) (store.Transition, error) {
	tr, err := scanTransition(t.tx.QueryRowContext(ctx, `SELECT `+transitionColumns+` FROM transitions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Transition{}, store.ErrNotFound
	}
	return tr, err
}

func (t *txn) Transitions(ctx context.Context, q store.TransitionQuery) ([]store.Transition, error) {
	var where []string
	var args []any
	if !q.DueBy.IsZero() {
		where = append(where, "due_at IS NOT NULL AND due_at <= ?")
		args = append(args, q.DueBy.UnixNano())
	}
	if q.ResourceKind != "" {
		where = append(where, "resource_kind = ?")
		args = append(args, q.ResourceKind)
	}
	if q.ResourceID != "" {
		where = append(where, "resource_id = ?")
		args = append(args, q.ResourceID)
	}
	query := `SELECT ` + transitionColumns + ` FROM transitions`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY due_at IS NULL, due_at, id"
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := t.tx.QueryContext(ctx, query, args...)
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

func (t *txn) NextDue(ctx context.Context) (time.Time, error) {
	var due sql.NullInt64
	if err := t.tx.QueryRowContext(ctx, `SELECT MIN(due_at) FROM transitions WHERE due_at IS NOT NULL`).Scan(&due); err != nil {
		return time.Time{}, err
	}
	if !due.Valid {
		return time.Time{}, nil
	}
	return time.Unix(0, due.Int64).UTC(), nil
}
