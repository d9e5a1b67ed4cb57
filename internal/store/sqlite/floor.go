package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// The floor of a create: for dxlab bench's baseline and the store's
// benchmarks only. It writes, with prepared statements, straight into this
// store's schema and with its settings (one writer, checkpoints beside
// it), the rows a CreateConnection under the instant profile leaves behind
// and the reads it makes, CreateRowsPerTx creates to a transaction, one
// after another, with none of the store's code around them: no write path
// over this schema can give a create less of the single writer's time.

// CreateRowsPerTx is about what a group transaction holds under dxlab
// bench's 32 clients.
const CreateRowsPerTx = 32

const (
	floorIDFree     = `SELECT 1 FROM records WHERE kind = ? AND id = ?`
	floorClaim      = `INSERT INTO claims (scope, key, owner_kind, owner_id) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO NOTHING`
	floorGet        = `SELECT data FROM records WHERE kind = ? AND id = ?`
	floorByParent   = `SELECT id FROM records WHERE kind = ? AND parent = ? ORDER BY id`
	floorRecord     = `INSERT INTO records (kind, id, account, region, parent, version, data, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	floorEvents     = `INSERT INTO events (seq, at, resource_kind, resource_id, account, viewers, region, action, from_state, to_state, cause) VALUES ` + "(?, ?, ?, ?, ?, 'null', ?, ?, ?, ?, '{}'), (?, ?, ?, ?, ?, 'null', ?, ?, ?, ?, '{}'), (?, ?, ?, ?, ?, 'null', ?, ?, ?, ?, '{}')"
	floorEventOwner = `INSERT INTO event_accounts (account, seq) VALUES (?, ?), (?, ?), (?, ?)`
)

// CreateRows makes a database in dir and writes creates' rows into it, a
// transaction at a time, while more(creates written so far) says so. It
// returns the creates written and the time they took.
func CreateRows(ctx context.Context, dir string, more func(done int) bool) (int, time.Duration, error) {
	s, err := Open(dir) // the schema
	if err != nil {
		return 0, 0, err
	}
	if err := s.Close(); err != nil {
		return 0, 0, err
	}
	db, err := sql.Open("sqlite", WriterDSN(filepath.Join(dir, FileName)))
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(2)
	checkpoints := NewCheckpointer(db)
	defer checkpoints.Stop()
	prepared := map[string]*sql.Stmt{}
	for _, q := range []string{floorIDFree, floorClaim, floorGet, floorByParent, floorRecord, floorEvents, floorEventOwner} {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			return 0, 0, err
		}
		defer st.Close()
		prepared[q] = st
	}
	// The device every connection's port is on, which a create reads.
	device := []byte(`{"location":"EqDC2","ports":{"1G":48,"10G":48}}`)
	if _, err := prepared[floorRecord].ExecContext(ctx, "facility.device", "EqDC2-dev", "", "us-east-1", "", 1, device, "available"); err != nil {
		return 0, 0, err
	}
	start, n := time.Now(), 0
	for more(n) {
		if err := ctx.Err(); err != nil {
			return n, time.Since(start), err
		}
		checkpoints.BeforeWrite()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return n, time.Since(start), err
		}
		for k := 0; k < CreateRowsPerTx && (k == 0 || more(n)); k++ {
			n++
			if err := createRows(ctx, tx, prepared, int64(n)); err != nil {
				tx.Rollback()
				return n, time.Since(start), err
			}
		}
		if err := tx.Commit(); err != nil {
			return n, time.Since(start), err
		}
		checkpoints.Poke()
	}
	return n, time.Since(start), nil
}

// createRows writes the i-th create's rows in tx, and makes its reads: the
// id found free, its two claims (a quota unit, a port), the device, the
// VIFs on it listed at each of its two state changes, its record at its
// last version, three events (created, pending, available) and their
// owner's rows.
func createRows(ctx context.Context, tx *sql.Tx, prepared map[string]*sql.Stmt, i int64) error {
	st := func(q string) *sql.Stmt { return tx.StmtContext(ctx, prepared[q]) }
	const kind, region = "dx.connection", "us-east-1"
	id := fmt.Sprintf("dxcon-%08x", uint32(i*2654435761)) // random-looking, as the service's are
	account := fmt.Sprintf("1111000000%02d", i%4)
	var one int
	if err := st(floorIDFree).QueryRowContext(ctx, kind, id).Scan(&one); !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("id %s is not free (%v)", id, err)
	}
	for _, scope := range []string{"quota:connections-per-location:" + account + ":" + region + ":EqDC2", "port:EqDC2-dev:1G"} {
		if _, err := st(floorClaim).ExecContext(ctx, scope, fmt.Sprint(i), kind, id); err != nil {
			return err
		}
	}
	var device []byte
	if err := st(floorGet).QueryRowContext(ctx, "facility.device", "EqDC2-dev").Scan(&device); err != nil {
		return err
	}
	for range 2 {
		rows, err := st(floorByParent).QueryContext(ctx, "dx.vif", kind+"/"+id)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	doc := fmt.Appendf(nil, `{"name":"bench %d","state":"available","location":"EqDC2","bandwidth":"1Gbps","device":"EqDC2-dev","port":%d,"tags":[],"createdAt":"2026-03-04T05:06:07Z"}`, i, i)
	if _, err := st(floorRecord).ExecContext(ctx, kind, id, account, region, "", 3, doc, "available"); err != nil {
		return err
	}
	seq, at := 3*i, time.Now().UnixNano()
	var args []any
	for k, change := range [][3]string{{"create", "", "requested"}, {"update", "requested", "pending"}, {"update", "pending", "available"}} {
		args = append(args, seq+int64(k), at, kind, id, account, region, change[0], change[1], change[2])
	}
	if _, err := st(floorEvents).ExecContext(ctx, args...); err != nil {
		return err
	}
	_, err := st(floorEventOwner).ExecContext(ctx, account, seq, account, seq+1, account, seq+2)
	return err
}
