package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// The queries whose cost must not grow with the store (issue 12: a page of
// a million connections, the driver among 100,000 pending steps) each walk
// an index in their order and stop at their limit: SQLite's plan for them
// neither scans a table nor sorts into a temporary b-tree. The benchmarks
// (driver_bench_test.go) measure it; this keeps it so.
func TestPlansReadNoMoreThanTheyAnswer(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	steps := []any{"a", "b", "c"}
	after := &store.TransitionKey{DueAt: now, ID: "tr-1"}
	waiting := &store.TransitionKey{ID: "tr-1"}
	type plan struct {
		name  string
		query string
		args  []any
	}
	var plans []plan
	add := func(name, query string, args []any) { plans = append(plans, plan{name, query, args}) }
	for _, q := range []struct {
		name string
		q    store.TransitionQuery
	}{
		{"pending, first page", store.TransitionQuery{Limit: 100}},
		{"pending, a page after a due one", store.TransitionQuery{After: after, Limit: 100}},
		{"pending, a page after a waiting one", store.TransitionQuery{After: waiting, Limit: 100}},
		{"due by now", store.TransitionQuery{DueBy: now, Limit: 100}},
	} {
		if q.q.After == nil || !q.q.After.DueAt.IsZero() {
			query, args := transitionsDueQuery(q.q)
			add(q.name+" (automatic)", query, args)
		}
		if q.q.DueBy.IsZero() {
			query, args := transitionsWaitingQuery(q.q, 100)
			add(q.name+" (waiting)", query, args)
		}
	}
	for i, query := range nextDueQueries(len(steps)) {
		add([]string{"next due", "next hold lapsing"}[i], query, steps)
	}
	add("take due", takeDueQuery(len(steps), 100), append(append([]any{"owner", 1}, steps...), 2, 3))
	for _, q := range []struct {
		name string
		q    store.ListQuery
	}{
		{"a page of an account's records", store.ListQuery{Kind: "connection", Account: "111122223333", Region: "us-east-1", Limit: 101}},
		{"a later page of an account's records", store.ListQuery{Kind: "connection", Account: "111122223333", Region: "us-east-1", After: "dxcon-x", Limit: 101}},
		{"a page of a parent's records", store.ListQuery{Kind: "connection", Parent: "interconnect/dxcon-p", After: "dxcon-x", Limit: 101}},
		{"a parent's records", store.ListQuery{Kind: "connection", Parent: "interconnect/dxcon-p"}},
		{"an account's records under a parent", store.ListQuery{Kind: "connection", Account: "111122223333", Region: "us-east-1", Parent: "lag/dxlag-p"}},
	} {
		query, args := listQuery(q.q)
		add(q.name, query, args)
	}

	for _, q := range []struct {
		name string
		q    store.EventQuery
	}{
		{"an account's events", store.EventQuery{VisibleTo: "111122223333", Limit: 100}},
		{"an account's events, a later page", store.EventQuery{VisibleTo: "111122223333", AfterSeq: 1000, Limit: 100}},
		{"an account's last events", store.EventQuery{VisibleTo: "111122223333", Newest: true, Limit: 100}},
		{"an account's events of a kind", store.EventQuery{VisibleTo: "111122223333", ResourceKind: "connection", Limit: 100}},
		{"an account's events of a resource", store.EventQuery{VisibleTo: "111122223333", ResourceID: "dxcon-x", Limit: 100}},
		{"a resource's events", store.EventQuery{ResourceID: "dxcon-x", Limit: 100}},
	} {
		query, args := eventsQuery(q.q)
		add(q.name, query, args)
	}

	ctx := context.Background()
	for _, p := range plans {
		rows, err := s.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+p.query, p.args...)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		rows.Close()
		for _, d := range steps {
			// Walking the primary key (kind, id) filters a whole kind; a
			// list subquery of an account's events gathers all of them.
			if (strings.HasPrefix(d, "SCAN ") && !strings.Contains(d, " INDEX ")) || strings.Contains(d, "TEMP B-TREE") ||
				strings.HasPrefix(d, "SEARCH records USING PRIMARY KEY (kind=?)") || strings.HasPrefix(d, "SEARCH records USING PRIMARY KEY (kind=? AND id>?)") ||
				(strings.Contains(p.name, "events") && strings.Contains(d, "LIST SUBQUERY")) {
				t.Errorf("%s: the plan %q reads or sorts more than it answers:\n%s", p.name, steps, p.query)
				break
			}
		}
		if testing.Verbose() {
			t.Logf("%s: %q", p.name, steps)
		}
	}
}
