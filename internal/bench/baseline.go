package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/dxlab/dxlab/internal/store/sqlite"
	_ "modernc.org/sqlite" // the driver dxlab's embedded store uses
)

// The baselines are the ceilings dxlab's figures are read against, measured
// on the same machine in the same run.

// helloWorld serves every request with the same bytes: an answer dxlab
// gave, so that the clients decode the same answer from both servers and
// the ratio of the two rates is the server's cost alone. It does nothing
// else: no routing, no signature, no store, no encoding.
type helloWorld struct {
	url  string
	stop func()
}

func startHelloWorld(body []byte) (*helloWorld, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/x-amz-json-1.1"}
		h["X-Amzn-Requestid"] = []string{"00000000-0000-0000-0000-000000000000"}
		w.Write(body)
	})}
	go srv.Serve(ln)
	return &helloWorld{url: "http://" + ln.Addr().String(), stop: func() { srv.Close() }}, nil
}

// InsertStats is the raw SQLite baseline: single-row insert transactions.
type InsertStats struct {
	Transactions int     `json:"transactions"`
	PerSecond    float64 `json:"perSecond"`
	// Latencies of one transaction (begin, insert, commit), in
	// milliseconds.
	P50 float64 `json:"p50Ms"`
	P99 float64 `json:"p99Ms"`
	Max float64 `json:"maxMs"`
	// RowBytes is the size of each row's document.
	RowBytes int `json:"rowBytes"`
}

// sqliteInserts measures how many single-row insert transactions a second
// SQLite takes with dxlab's settings: one writer connection and checkpoints
// beside it, as dxlab's store has, inserting rows shaped as dxlab's records
// (a two-column text key, owner, region, parent, version, and a document of
// rowBytes) with random ids, each in a transaction of its own, one after
// another, for d.
// It is the ceiling of a store that commits once per write.
func sqliteInserts(ctx context.Context, dir string, rowBytes int, d time.Duration) (*InsertStats, error) {
	db, err := sql.Open("sqlite", sqlite.WriterDSN(filepath.Join(dir, "baseline.db")))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// As dxlab's store: one connection writes, the other checkpoints.
	db.SetMaxOpenConns(2)
	checkpoints := sqlite.NewCheckpointer(db)
	defer checkpoints.Stop()
	if _, err := db.ExecContext(ctx, `CREATE TABLE records (
		kind    TEXT NOT NULL,
		id      TEXT NOT NULL,
		account TEXT NOT NULL,
		region  TEXT NOT NULL,
		parent  TEXT NOT NULL DEFAULT '',
		version INTEGER NOT NULL DEFAULT 1,
		data    BLOB NOT NULL,
		PRIMARY KEY (kind, id)
	) WITHOUT ROWID`); err != nil {
		return nil, err
	}
	data := make([]byte, rowBytes)
	for i := range data {
		data[i] = 'x'
	}
	var lat []int64
	end := time.Now().Add(d)
	start := time.Now()
	for time.Now().Before(end) && ctx.Err() == nil {
		t0 := time.Now()
		checkpoints.BeforeWrite()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO records (kind, id, account, region, data) VALUES (?, ?, ?, ?, ?)`,
			"dx.connection", "dxcon-"+rand.Text()[:8], "111100000001", "us-east-1", data); err != nil {
			tx.Rollback()
			return nil, err
		}
		if err := tx.Commit(); err != nil {
			return nil, err
		}
		checkpoints.Poke()
		lat = append(lat, int64(time.Since(t0)))
	}
	elapsed := time.Since(start)
	if len(lat) == 0 {
		return nil, fmt.Errorf("no insert finished in %s", d)
	}
	slices.Sort(lat)
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	return &InsertStats{
		Transactions: len(lat), PerSecond: float64(len(lat)) / elapsed.Seconds(),
		P50: ms(quantile(lat, 0.5)), P99: ms(quantile(lat, 0.99)), Max: ms(lat[len(lat)-1]), RowBytes: rowBytes,
	}, nil
}

// CreateRowsStats is the floor of a create: the rows one leaves behind
// and the reads it makes, through the store's own statements with no
// group commit, write-back or service around them (sqlite.CreateRows).
type CreateRowsStats struct {
	Creates   int     `json:"creates"`
	PerSecond float64 `json:"perSecond"`
	// PerTransaction is how many creates share a transaction.
	PerTransaction int `json:"perTransaction"`
}

// sqliteCreateRows measures how many creates' rows a second SQLite takes,
// for d: the most creates a second any write path over dxlab's schema
// could answer, with everything above the store free.
func sqliteCreateRows(ctx context.Context, dir string, d time.Duration) (*CreateRowsStats, error) {
	end := time.Now().Add(d)
	n, took, err := sqlite.CreateRows(ctx, dir, func(int) bool { return time.Now().Before(end) })
	if err != nil {
		return nil, err
	}
	return &CreateRowsStats{Creates: n, PerSecond: float64(n) / took.Seconds(), PerTransaction: sqlite.CreateRowsPerTx}, nil
}

// tempDir makes a directory for a baseline's files; remove it after.
func tempDir() (string, func(), error) {
	dir, err := os.MkdirTemp("", "dxlab-bench-baseline-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}
