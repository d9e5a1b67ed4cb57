package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// The floor of a create: for dxlab bench's baseline and the store's
// benchmarks only. It runs, through the store's own statements (txn) on
// its writer and with its checkpoints, the reads a CreateConnection under
// the instant profile makes and the rows it leaves behind,
// CreateRowsPerTx creates to a transaction, one after another: no group
// commit, no write-back, no savepoints, no service around them. No write
// path over this schema and these statements can give a create less of
// the single writer's time.

// CreateRowsPerTx is about what a group transaction holds under dxlab
// bench's 32 clients.
const CreateRowsPerTx = 32

// floorDevice is the device every connection's port is on, which a create
// reads.
var floorDevice = store.Record{Kind: "facility.device", ID: "EqDC2-dev", Region: "us-east-1", Version: 1,
	Data: []byte(`{"location":"EqDC2","ports":{"1G":48,"10G":48}}`)}

// CreateRows makes a store in dir and writes creates' rows into it, a
// transaction at a time, while more(creates written so far) says so. It
// returns the creates written and the time they took.
func CreateRows(ctx context.Context, dir string, more func(done int) bool) (int, time.Duration, error) {
	s, err := Open(dir)
	if err != nil {
		return 0, 0, err
	}
	defer s.Close()
	if err := s.Update(ctx, func(w store.Writer) error { return w.Insert(ctx, floorDevice) }); err != nil {
		return 0, 0, err
	}
	// The committer stays idle: the transactions below are begun on its
	// writer directly, as it begins its own.
	start, n := time.Now(), 0
	for more(n) {
		if err := ctx.Err(); err != nil {
			return n, time.Since(start), err
		}
		s.checkpoints.BeforeWrite()
		tx, err := s.writer.BeginTx(ctx, nil)
		if err != nil {
			return n, time.Since(start), err
		}
		t := &txn{tx: tx, stmts: s.writeStmts, shared: true}
		for k := 0; k < CreateRowsPerTx && (k == 0 || more(n)); k++ {
			n++
			if err := createRows(ctx, t, int64(n)); err != nil {
				tx.Rollback()
				return n, time.Since(start), err
			}
		}
		if err := tx.Commit(); err != nil {
			return n, time.Since(start), err
		}
		s.checkpoints.Poke()
	}
	return n, time.Since(start), nil
}

// createRows makes the i-th create's reads and writes its rows, in t: the
// id found free, its two claims (a quota unit, a port), the device, the
// VIFs on it listed at each of its two state changes, its record at its
// last version, three events (created, pending, available) and their
// owner's rows.
func createRows(ctx context.Context, t *txn, i int64) error {
	const kind, region = "dx.connection", "us-east-1"
	id := fmt.Sprintf("dxcon-%08x", uint32(i*2654435761)) // random-looking, as the service's are
	account := fmt.Sprintf("1111000000%02d", i%4)
	if taken, err := t.exists(ctx, kind, id); err != nil {
		return err
	} else if taken {
		return fmt.Errorf("id %s is taken", id)
	}
	for _, scope := range []string{"quota:connections-per-location:" + account + ":" + region + ":EqDC2", "port:EqDC2-dev:1G"} {
		if err := t.Claim(ctx, store.Claim{Scope: scope, Key: fmt.Sprint(i), OwnerKind: kind, OwnerID: id}); err != nil {
			return err
		}
	}
	if _, err := t.get(ctx, floorDevice.Kind, floorDevice.ID); err != nil {
		return err
	}
	for range 2 {
		if _, err := t.List(ctx, store.ListQuery{Kind: "dx.vif", Parent: kind + "/" + id}); err != nil {
			return err
		}
	}
	doc := fmt.Appendf(nil, `{"name":"bench %d","state":"available","location":"EqDC2","bandwidth":"1Gbps","device":"EqDC2-dev","port":%d,"tags":[],"createdAt":"2026-03-04T05:06:07Z"}`, i, i)
	r := store.Record{Kind: kind, ID: id, Account: account, Region: region, Version: 3, Data: doc, State: "available"}
	if err := t.insertAt(ctx, r); err != nil {
		return err
	}
	at := time.Now()
	var events []store.Event
	for k, change := range [][3]string{{"create", "", "requested"}, {"update", "requested", "pending"}, {"update", "pending", "available"}} {
		events = append(events, store.Event{Seq: 3*i + int64(k), At: at, ResourceKind: kind, ResourceID: id, Account: account, Region: region,
			Action: change[0], From: change[1], To: change[2]})
	}
	return t.appendEvents(ctx, events)
}
