// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the database DXLAB_TEST_POSTGRES names, dropped when the test
// ends. Without DXLAB_TEST_POSTGRES the test is skipped, saying why.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the database tests may use, e.g.
// postgres://dxlab@127.0.0.1:5432/postgres.
const EnvVar = "DXLAB_TEST_POSTGRES"

// URL returns the URL of an empty schema of its own in the test database,
// or skips the test when none is configured.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		t.Skipf("no PostgreSQL to test against: set %s=postgres://user@host:port/db (.ci/run starts one)", EnvVar)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	defer conn.Close(ctx)
	schema := "dxlab_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("dropping %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
