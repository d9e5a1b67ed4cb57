// Package postgres is the shared store: one PostgreSQL database that any
// number of dxlab replicas use at once, through github.com/jackc/pgx/v5.
//
// Every Update is one transaction at READ COMMITTED, PostgreSQL's default,
// made safe for concurrent writers by three rules:
//
//   - records carry a version, and Update writes only WHERE version is the
//     one read: a concurrent writer blocks on the row lock, then finds the
//     version moved and reports store.ErrStale (nothing is overwritten);
//   - claims, records and transitions are inserted with ON CONFLICT, so two
//     transactions racing for one key serialize on its unique index and
//     exactly one wins;
//   - transitions a writer reads to change (Transition, Take) are locked
//     FOR UPDATE, TakeDue skips rows another driver has locked (FOR UPDATE
//     SKIP LOCKED), and a setting read in a writer is locked until commit,
//     so the clock's offset is read-modified-written atomically.
//
// Views run at REPEATABLE READ, READ ONLY: one consistent snapshot, never
// a serialization failure. A writer that hits a deadlock or serialization
// failure, or loses its connection before COMMIT, is rolled back by the
// server and run again from the start (fn must do nothing outside the
// transaction). A COMMIT whose outcome is unknown is reported as an error,
// never retried and never reported as done.
//
// Times are kept as Unix nanoseconds (BIGINT), exactly as they were given.
// The schema is versioned and migrated at Open under an advisory lock, so
// replicas starting together migrate it once.
package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dxlab/dxlab/internal/store"
)

// Store is a store.Store on a PostgreSQL database.
type Store struct {
	pool *pgxpool.Pool
}

var _ store.Store = (*Store)(nil)

// IsURL reports whether s names a PostgreSQL database.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open connects to the database at url (postgres://user:pass@host/db?...;
// search_path=<schema> puts dxlab's tables in a schema of their own,
// pool_max_conns=<n> sizes the connection pool, by default the larger of 4
// and the number of CPUs) and brings its schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %s: %w", redact(cfg), err)
	}
	return &Store{pool: pool}, nil
}

func redact(cfg *pgxpool.Config) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
}

// migrationLock is the advisory lock key replicas take to migrate.
const migrationLock = 0x64786c6162 // "dxlab"

// schema is applied in order; schema_migrations records each step applied.
// A step once released is never edited: later changes are new steps.
var schema = []string{
	`CREATE TABLE records (
		kind    TEXT NOT NULL,
		id      TEXT NOT NULL,
		account TEXT NOT NULL,
		region  TEXT NOT NULL,
		parent  TEXT NOT NULL DEFAULT '',
		version BIGINT NOT NULL DEFAULT 1,
		data    BYTEA NOT NULL,
		PRIMARY KEY (kind, id)
	);
	CREATE INDEX records_scope ON records (kind, account, region, id);
	CREATE INDEX records_parent ON records (kind, parent, id) WHERE parent <> '';
	CREATE TABLE record_viewers (
		kind    TEXT NOT NULL,
		account TEXT NOT NULL,
		id      TEXT NOT NULL,
		PRIMARY KEY (kind, account, id)
	);
	CREATE INDEX record_viewers_record ON record_viewers (kind, id);
	CREATE TABLE claims (
		scope      TEXT NOT NULL,
		key        TEXT NOT NULL,
		owner_kind TEXT NOT NULL,
		owner_id   TEXT NOT NULL,
		PRIMARY KEY (scope, key)
	);
	CREATE INDEX claims_owner ON claims (owner_kind, owner_id);
	CREATE TABLE transitions (
		id            TEXT PRIMARY KEY,
		step          TEXT NOT NULL,
		resource_kind TEXT NOT NULL,
		resource_id   TEXT NOT NULL,
		account       TEXT NOT NULL,
		region        TEXT NOT NULL,
		due_at        BIGINT,
		created_at    BIGINT NOT NULL,
		note          TEXT NOT NULL,
		attempts      INTEGER NOT NULL DEFAULT 0,
		last_error    TEXT NOT NULL DEFAULT '',
		held_by       TEXT NOT NULL DEFAULT '',
		held_until    BIGINT NOT NULL DEFAULT 0
	);
	CREATE INDEX transitions_due ON transitions (due_at, id) WHERE due_at IS NOT NULL;
	CREATE INDEX transitions_resource ON transitions (resource_kind, resource_id);
	CREATE TABLE events (
		seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		at            BIGINT NOT NULL,
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
		seq     BIGINT NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
		PRIMARY KEY (account, seq)
	);
	CREATE INDEX event_accounts_seq ON event_accounts (seq);
	CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);`,

	// The listings' and the driver's orders served by indexes, so that
	// neither reads every pending transition (issue 12: flat with 100,000
	// pending): those waiting for an operator by id, the held ones by when
	// their hold lapses (transitions_due already orders the automatic ones).
	`CREATE INDEX transitions_waiting ON transitions (id) WHERE due_at IS NULL;
	CREATE INDEX transitions_held ON transitions (held_until) WHERE held_until > 0;`,

	// Each record's state beside its document, so that the census counts
	// an index instead of decoding every document. NULL for records
	// written before: given theirs at start.
	`ALTER TABLE records ADD COLUMN state TEXT;
	CREATE INDEX records_state ON records (kind, state);`,
}

// migrate applies the schema steps not yet applied, under an advisory lock
// held for the transaction: a second replica starting at the same moment
// waits, then finds nothing left to do.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`); err != nil {
		return err
	}
	var version int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return err
	}
	if version > len(schema) {
		return fmt.Errorf("database schema version %d is newer than this dxlab (%d)", version, len(schema))
	}
	for i := version; i < len(schema); i++ {
		if _, err := tx.Exec(ctx, schema[i]); err != nil {
			return fmt.Errorf("schema step %d: %w", i+1, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, i+1); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

func (s *Store) Describe() string { return "postgres" }

func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// maxAttempts bounds how often a transaction that failed for a transient
// reason is run again.
const maxAttempts = 8

func (s *Store) View(ctx context.Context, fn func(store.Reader) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, false, func(t *txn) error { return fn(t) })
}

// Peek is View here: a read-only transaction costs PostgreSQL little beside
// the round trip to it.
func (s *Store) Peek(ctx context.Context, fn func(store.Reader) error) error { return s.View(ctx, fn) }

func (s *Store) Update(ctx context.Context, fn func(store.Writer) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, true, func(t *txn) error { return fn(t) })
}

// ErrCommitUnknown means the connection was lost while COMMIT was under way:
// the transaction may or may not have committed.
var ErrCommitUnknown = errors.New("postgres: connection lost during COMMIT; the outcome is unknown")

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, write bool, fn func(*txn) error) error {
	var err error
	for attempt := range maxAttempts {
		if attempt > 0 {
			// Back off a little, with jitter, so that racers spread out.
			d := time.Duration(rand.N(int64(2*time.Millisecond) << min(attempt, 6)))
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(d):
			}
		}
		var retry bool
		retry, err = s.once(ctx, opts, write, fn)
		if !retry || ctx.Err() != nil {
			return err
		}
	}
	return err
}

// once runs fn in one transaction and reports whether a failure is worth
// running it again for: the transaction certainly did not commit.
func (s *Store) once(ctx context.Context, opts pgx.TxOptions, write bool, fn func(*txn) error) (bool, error) {
	tx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return transient(err) || pgconn.SafeToRetry(err), err
	}
	t := &txn{tx: tx, write: write}
	if err := fn(t); err != nil {
		// A broken connection rolls the transaction back on the server.
		// (Asked before Rollback hands the connection back to the pool.)
		broken := tx.Conn().IsClosed()
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return transient(err) || broken, err
	}
	if err := tx.Commit(ctx); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			// The server answered: it did not commit.
			return transient(err), err
		}
		if tx.Conn().IsClosed() {
			return false, fmt.Errorf("%w: %w", ErrCommitUnknown, err)
		}
		return false, err
	}
	return false, nil
}

// transient reports a failure that running the transaction again may cure:
// a serialization failure or a deadlock, which PostgreSQL resolves by
// rolling back one of the parties.
func transient(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "40001", "40P01":
			return true
		}
	}
	return false
}

// txn implements store.Writer on one transaction.
type txn struct {
	tx    pgx.Tx
	write bool
}

const recordColumns = `kind, id, account, region, parent, version, data`

type scanner interface{ Scan(...any) error }

func scanRecord(s scanner) (store.Record, error) {
	var r store.Record
	err := s.Scan(&r.Kind, &r.ID, &r.Account, &r.Region, &r.Parent, &r.Version, &r.Data)
	return r, err
}

// viewers fills in the viewers of records of one kind, in one query.
func (t *txn) viewers(ctx context.Context, recs []store.Record) error {
	if len(recs) == 0 {
		return nil
	}
	at := make(map[string]int, len(recs))
	ids := make([]string, len(recs))
	for i, r := range recs {
		at[r.ID] = i
		ids[i] = r.ID
	}
	rows, err := t.tx.Query(ctx, `SELECT id, account FROM record_viewers WHERE kind = $1 AND id = ANY($2) ORDER BY id, account`,
		recs[0].Kind, ids)
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

func (t *txn) Get(ctx context.Context, kind, id string) (store.Record, error) {
	r, err := scanRecord(t.tx.QueryRow(ctx, `SELECT `+recordColumns+` FROM records WHERE kind = $1 AND id = $2`, kind, id))
	if errors.Is(err, pgx.ErrNoRows) {
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

// filter builds a WHERE clause with numbered parameters.
type filter struct {
	where []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return fmt.Sprintf("$%d", len(f.args))
}

func (f *filter) add(cond string, vs ...any) {
	ph := make([]any, len(vs))
	for i, v := range vs {
		ph[i] = f.arg(v)
	}
	f.where = append(f.where, fmt.Sprintf(cond, ph...))
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
	f.add("kind = %s", q.Kind)
	f.addIf("account = %s", q.Account)
	f.addIf("region = %s", q.Region)
	f.addIf("parent = %s", q.Parent)
	f.addIf("id > %s", q.After)
	if q.VisibleTo != "" {
		f.add(`id IN (SELECT id FROM records WHERE kind = %[1]s AND account = %[2]s
			UNION ALL SELECT id FROM record_viewers WHERE kind = %[1]s AND account = %[2]s)`, q.Kind, q.VisibleTo)
	}
	rows, err := t.tx.Query(ctx, `SELECT `+recordColumns+` FROM records`+f.clause()+` ORDER BY id`+limit(q.Limit), f.args...)
	if err != nil {
		return nil, err
	}
	return t.records(ctx, rows)
}

// records reads the records rows hold, with their viewers.
func (t *txn) records(ctx context.Context, rows pgx.Rows) ([]store.Record, error) {
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Record, error) { return scanRecord(row) })
	if err != nil {
		return nil, err
	}
	return out, t.viewers(ctx, out)
}

// setViewers writes a record's viewers anew; one just inserted has none
// yet (Delete removes a record's), so they are only added.
func (t *txn) setViewers(ctx context.Context, r store.Record, inserted bool) error {
	if !inserted {
		if _, err := t.tx.Exec(ctx, `DELETE FROM record_viewers WHERE kind = $1 AND id = $2`, r.Kind, r.ID); err != nil {
			return err
		}
	}
	if len(r.Viewers) == 0 {
		return nil
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO record_viewers (kind, account, id)
		SELECT $1, v, $3 FROM unnest($2::text[]) AS v ON CONFLICT DO NOTHING`, r.Kind, r.Viewers, r.ID)
	return err
}

func (t *txn) Insert(ctx context.Context, r store.Record) error {
	tag, err := t.tx.Exec(ctx,
		`INSERT INTO records (kind, id, account, region, parent, version, data, state) VALUES ($1, $2, $3, $4, $5, 1, $6, $7)
		 ON CONFLICT (kind, id) DO NOTHING`,
		r.Kind, r.ID, r.Account, r.Region, r.Parent, r.Data, r.State)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return t.setViewers(ctx, r, true)
}

// execOne runs a statement that must touch a row, or reports ErrNotFound.
func (t *txn) execOne(ctx context.Context, query string, args ...any) error {
	tag, err := t.tx.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func (t *txn) Update(ctx context.Context, r store.Record) error {
	// At READ COMMITTED, an UPDATE that waited on a concurrent writer's row
	// lock checks its WHERE again against the row that writer committed:
	// the version moved, nothing is written, and the caller learns ErrStale.
	err := t.execOne(ctx,
		`UPDATE records SET account = $1, region = $2, parent = $3, data = $4, state = $8, version = version + 1
		 WHERE kind = $5 AND id = $6 AND version = $7`,
		r.Account, r.Region, r.Parent, r.Data, r.Kind, r.ID, r.Version, r.State)
	if errors.Is(err, store.ErrNotFound) {
		if _, getErr := t.Get(ctx, r.Kind, r.ID); getErr == nil {
			return store.ErrStale
		}
	}
	if err != nil || r.KeepViewers {
		return err
	}
	return t.setViewers(ctx, r, false)
}

func (t *txn) SetState(ctx context.Context, kind, id, state string) error {
	return t.execOne(ctx, `UPDATE records SET state = $1 WHERE kind = $2 AND id = $3`, state, kind, id)
}

func (t *txn) Census(ctx context.Context) ([]store.StateCount, error) {
	rows, err := t.tx.Query(ctx, `SELECT kind, state, count(*) FROM records WHERE state IS NOT NULL GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (c store.StateCount, err error) {
		return c, row.Scan(&c.Kind, &c.State, &c.N)
	})
}

func (t *txn) Unstated(ctx context.Context, kind string, limit int) ([]store.Record, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+recordColumns+` FROM records WHERE kind = $1 AND state IS NULL ORDER BY id LIMIT $2`, kind, limit)
	if err != nil {
		return nil, err
	}
	return t.records(ctx, rows)
}

func (t *txn) StepCounts(ctx context.Context) ([]store.StepCount, error) {
	rows, err := t.tx.Query(ctx, `SELECT step, count(*), count(*) FILTER (WHERE due_at IS NULL) FROM transitions GROUP BY step ORDER BY step`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (c store.StepCount, err error) {
		return c, row.Scan(&c.Step, &c.Pending, &c.Waiting)
	})
}

func (t *txn) Delete(ctx context.Context, kind, id string) error {
	if err := t.execOne(ctx, `DELETE FROM records WHERE kind = $1 AND id = $2`, kind, id); err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM record_viewers WHERE kind = $1 AND id = $2`, kind, id); err != nil {
		return err
	}
	if err := t.Release(ctx, kind, id); err != nil {
		return err
	}
	return t.UnscheduleFor(ctx, kind, id)
}

func (t *txn) Claim(ctx context.Context, c store.Claim) error {
	// Two claimers of one key serialize on its primary key: the second
	// waits for the first to commit, then finds its row and updates
	// nothing of it but learns its owner.
	var kind, id string
	err := t.tx.QueryRow(ctx,
		`INSERT INTO claims (scope, key, owner_kind, owner_id) VALUES ($1, $2, $3, $4)
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
	_, err := t.tx.Exec(ctx, `DELETE FROM claims WHERE owner_kind = $1 AND owner_id = $2`, ownerKind, ownerID)
	return err
}

// nanos stores a time as Unix nanoseconds, and the zero time as NULL.
func nanos(at time.Time) *int64 {
	if at.IsZero() {
		return nil
	}
	n := at.UnixNano()
	return &n
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

const transitionColumns = `id, step, resource_kind, resource_id, account, region, due_at, created_at, note, attempts, last_error, held_by, held_until`

func (t *txn) Schedule(ctx context.Context, tr store.Transition) error {
	tag, err := t.tx.Exec(ctx,
		`INSERT INTO transitions (`+transitionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		 ON CONFLICT (id) DO NOTHING`,
		tr.ID, tr.Step, tr.ResourceKind, tr.ResourceID, tr.Account, tr.Region, nanos(tr.DueAt), tr.CreatedAt.UnixNano(), tr.Note,
		tr.Attempts, tr.LastError, tr.HeldBy, nanosOr0(tr.HeldUntil))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *txn) Unschedule(ctx context.Context, id string) error {
	return t.execOne(ctx, `DELETE FROM transitions WHERE id = $1`, id)
}

func (t *txn) UnscheduleFor(ctx context.Context, kind, id string) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM transitions WHERE resource_kind = $1 AND resource_id = $2`, kind, id)
	return err
}

func scanTransition(s scanner) (store.Transition, error) {
	var tr store.Transition
	var due *int64
	var created, heldUntil int64
	if err := s.Scan(&tr.ID, &tr.Step, &tr.ResourceKind, &tr.ResourceID, &tr.Account, &tr.Region, &due, &created, &tr.Note,
		&tr.Attempts, &tr.LastError, &tr.HeldBy, &heldUntil); err != nil {
		return store.Transition{}, err
	}
	if due != nil {
		tr.DueAt = time.Unix(0, *due).UTC()
	}
	tr.CreatedAt = time.Unix(0, created).UTC()
	tr.HeldUntil = fromNanos(heldUntil)
	return tr, nil
}

// Transition reads one transition; a writer locks it until commit, so that
// what it decides from the hold it read still holds when it writes.
func (t *txn) Transition(ctx context.Context, id string) (store.Transition, error) {
	lock := ""
	if t.write {
		lock = " FOR UPDATE"
	}
	tr, err := scanTransition(t.tx.QueryRow(ctx, `SELECT `+transitionColumns+` FROM transitions WHERE id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Transition{}, store.ErrNotFound
	}
	return tr, err
}

func (t *txn) queryTransitions(ctx context.Context, query string, args ...any) ([]store.Transition, error) {
	rows, err := t.tx.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Transition, error) { return scanTransition(row) })
}

// Transitions lists the automatic transitions by due time, then those that
// wait for an operator, each by id: two queries, each walking an index in
// its order (transitions_due, transitions_waiting) and stopping at the
// limit, where one ordered by "due_at IS NULL, due_at, id" read every
// pending transition for each page.
func (t *txn) Transitions(ctx context.Context, q store.TransitionQuery) ([]store.Transition, error) {
	var out []store.Transition
	if a := q.After; a == nil || !a.DueAt.IsZero() {
		f := filter{where: []string{"due_at IS NOT NULL"}}
		if !q.DueBy.IsZero() {
			f.add("due_at <= %s", q.DueBy.UnixNano())
		}
		f.addIf("resource_kind = %s", q.ResourceKind)
		f.addIf("resource_id = %s", q.ResourceID)
		if a != nil {
			f.add("(due_at, id) > (%s, %s)", a.DueAt.UnixNano(), a.ID)
		}
		due, err := t.queryTransitions(ctx, `SELECT `+transitionColumns+` FROM transitions`+f.clause()+` ORDER BY due_at, id`+limit(q.Limit), f.args...)
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
	f := filter{where: []string{"due_at IS NULL"}}
	f.addIf("resource_kind = %s", q.ResourceKind)
	f.addIf("resource_id = %s", q.ResourceID)
	if a := q.After; a != nil && a.DueAt.IsZero() {
		f.add("id > %s", a.ID)
	}
	n := 0
	if q.Limit > 0 {
		n = q.Limit - len(out)
	}
	waiting, err := t.queryTransitions(ctx, `SELECT `+transitionColumns+` FROM transitions`+f.clause()+` ORDER BY id`+limit(n), f.args...)
	if err != nil {
		return nil, err
	}
	return append(out, waiting...), nil
}

// NextDue is the least of GREATEST(due_at, held_until) over steps'
// automatic transitions, found without reading them all: the first in due
// order not held past its due time (transitions_due), and the first in
// hold order held past it (transitions_held).
func (t *txn) NextDue(ctx context.Context, steps []string) (time.Time, error) {
	if len(steps) == 0 {
		return time.Time{}, nil
	}
	var next time.Time
	for _, query := range []string{
		`SELECT due_at FROM transitions WHERE due_at IS NOT NULL AND held_until <= due_at AND step = ANY($1) ORDER BY due_at, id LIMIT 1`,
		`SELECT held_until FROM transitions WHERE held_until > 0 AND due_at IS NOT NULL AND held_until > due_at AND step = ANY($1) ORDER BY held_until LIMIT 1`,
	} {
		var at int64
		err := t.tx.QueryRow(ctx, query, steps).Scan(&at)
		if errors.Is(err, pgx.ErrNoRows) {
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

func (t *txn) TakeDue(ctx context.Context, q store.TakeQuery) ([]store.Transition, error) {
	if len(q.Steps) == 0 {
		return nil, nil
	}
	// The inner SELECT locks the rows it picks and skips the rows another
	// transaction has locked (a driver taking or firing them): two drivers
	// never take the same transition, and neither waits for the other.
	taken, err := t.queryTransitions(ctx,
		`UPDATE transitions SET held_by = $1, held_until = $2 WHERE id IN (
			SELECT id FROM transitions
			WHERE step = ANY($3) AND due_at IS NOT NULL AND due_at <= $4 AND (held_by = '' OR held_until <= $4)
			ORDER BY due_at, id`+limit(q.Limit)+`
			FOR UPDATE SKIP LOCKED)
		 RETURNING `+transitionColumns,
		q.Owner, q.Until.UnixNano(), q.Steps, q.Now.UnixNano())
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
	tr, err := t.Transition(ctx, id) // locked FOR UPDATE
	if err != nil {
		return store.Transition{}, err
	}
	if tr.HeldBy != "" && tr.HeldBy != owner && tr.HeldUntil.After(now) {
		return store.Transition{}, store.ErrConflict
	}
	if _, err := t.tx.Exec(ctx, `UPDATE transitions SET held_by = $1, held_until = $2 WHERE id = $3`, owner, until.UnixNano(), id); err != nil {
		return store.Transition{}, err
	}
	tr.HeldBy, tr.HeldUntil = owner, until.UTC()
	return tr, nil
}

func (t *txn) Reschedule(ctx context.Context, tr store.Transition) error {
	return t.execOne(ctx,
		`UPDATE transitions SET due_at = $1, attempts = $2, last_error = $3, held_by = $4, held_until = $5 WHERE id = $6`,
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
	err = t.tx.QueryRow(ctx,
		`INSERT INTO events (at, resource_kind, resource_id, account, viewers, region, action, from_state, to_state, cause)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq`,
		e.At.UnixNano(), e.ResourceKind, e.ResourceID, e.Account, string(viewers), e.Region, e.Action, e.From, e.To, string(cause)).Scan(&seq)
	if err != nil {
		return 0, err
	}
	_, err = t.tx.Exec(ctx, `INSERT INTO event_accounts (account, seq) SELECT a, $2 FROM unnest($1::text[]) AS a ON CONFLICT DO NOTHING`,
		append([]string{e.Account}, e.Viewers...), seq)
	if err != nil {
		return 0, err
	}
	return seq, nil
}

func (t *txn) Events(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	var f filter
	f.addIf("resource_id = %s", q.ResourceID)
	f.addIf("resource_kind = %s", q.ResourceKind)
	f.addIf("seq IN (SELECT seq FROM event_accounts WHERE account = %s)", q.VisibleTo)
	if !q.Since.IsZero() {
		f.add("at >= %s", q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		f.add("at < %s", q.Until.UnixNano())
	}
	if q.AfterSeq > 0 {
		f.add("seq > %s", q.AfterSeq)
	}
	rows, err := t.tx.Query(ctx, `SELECT `+eventColumns+` FROM events`+f.clause()+` ORDER BY seq`+desc(q.Newest)+limit(q.Limit), f.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Event, error) {
		var e store.Event
		var at int64
		var viewers, cause string
		if err := row.Scan(&e.Seq, &at, &e.ResourceKind, &e.ResourceID, &e.Account, &viewers, &e.Region, &e.Action, &e.From, &e.To, &cause); err != nil {
			return e, err
		}
		e.At = time.Unix(0, at).UTC()
		if err := json.Unmarshal([]byte(viewers), &e.Viewers); err != nil {
			return e, fmt.Errorf("event %d viewers: %w", e.Seq, err)
		}
		if err := json.Unmarshal([]byte(cause), &e.Cause); err != nil {
			return e, fmt.Errorf("event %d cause: %w", e.Seq, err)
		}
		return e, nil
	})
}

func (t *txn) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	tag, err := t.tx.Exec(ctx, `DELETE FROM events WHERE at < $1`, before.UnixNano())
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// settingLock is the advisory lock namespace of settings.
const settingLock = 0x7365 // "se"

// Setting reads a setting. In a writer it first takes the key's advisory
// lock until commit, so that reading it and setting it again is atomic
// even when it does not exist yet (there is no row to lock).
func (t *txn) Setting(ctx context.Context, key string) (string, error) {
	if t.write {
		if _, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, int32(settingLock), key); err != nil {
			return "", err
		}
	}
	var v string
	err := t.tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", store.ErrNotFound
	}
	return v, err
}

func (t *txn) ClaimCounts(ctx context.Context, prefix string) (map[string]int, error) {
	rows, err := t.tx.Query(ctx, `SELECT scope, count(*) FROM claims WHERE starts_with(scope, $1) GROUP BY scope`, prefix)
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
	_, err := t.tx.Exec(ctx,
		`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Savepoints: name is one of the callers' fixed identifiers, never input.

func (t *txn) Savepoint(ctx context.Context, name string) error {
	_, err := t.tx.Exec(ctx, "SAVEPOINT "+name)
	return err
}

func (t *txn) RollbackTo(ctx context.Context, name string) error {
	if _, err := t.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, "RELEASE SAVEPOINT "+name)
	return err
}

func (t *txn) Forget(ctx context.Context, name string) error {
	_, err := t.tx.Exec(ctx, "RELEASE SAVEPOINT "+name)
	return err
}

// desc orders a query newest first when asked.
func desc(newest bool) string {
	if newest {
		return " DESC"
	}
	return ""
}
