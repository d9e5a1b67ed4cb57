package opapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

// The timeline filters by resource, account, kind and time, pages without
// repeating or skipping, and continues after a seq.
func TestEvents(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	cl := l.client()
	ctx := t.Context()
	mine := l.create(l.dx(account), "mine")
	l.clock.Advance(time.Minute)
	theirs := l.create(l.dx(account2), "theirs")
	p := l.list("?resource=" + mine).Transitions[0]
	if _, err := cl.Fire(ctx, p.ID); err != nil {
		t.Fatal(err)
	}

	all, err := cl.AllEvents(ctx, opclient.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	line := func(e opclient.Event) string {
		return e.ResourceID + " " + e.Action + " " + e.From + ">" + e.To + " " + e.Cause.Type
	}
	var lines []string
	for _, e := range all {
		lines = append(lines, line(e))
	}
	want := []string{mine + " create >requested api", theirs + " create >requested api", mine + " update requested>pending operator"}
	if !slices.Equal(lines, want) {
		t.Fatalf("timeline %q, want %q", lines, want)
	}
	if c := all[2].Cause; c.Step != "connection.approve" || c.Actor != "aws-staff" || c.Transition != p.ID {
		t.Errorf("the operator's cause: %+v", c)
	}
	if c := all[0].Cause; c.Operation != "CreateConnection" || c.Account != account || c.RequestID == "" {
		t.Errorf("the API call's cause: %+v", c)
	}

	count := func(q opclient.EventQuery) int {
		t.Helper()
		evs, err := cl.AllEvents(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	start := dxlabtest.Start
	for name, tc := range map[string]struct {
		q    opclient.EventQuery
		want int
	}{
		"resource":       {opclient.EventQuery{Resource: mine}, 2},
		"account":        {opclient.EventQuery{Account: account2}, 1},
		"kind":           {opclient.EventQuery{Kind: "dx.connection"}, 3},
		"other kind":     {opclient.EventQuery{Kind: "dx.lag"}, 0},
		"since":          {opclient.EventQuery{Since: start.Add(time.Minute)}, 2},
		"until":          {opclient.EventQuery{Until: start.Add(time.Minute)}, 1},
		"after":          {opclient.EventQuery{After: all[0].Seq}, 2},
		"one per page":   {opclient.EventQuery{Limit: 1}, 3},
		"account, paged": {opclient.EventQuery{Account: account, Limit: 1}, 2},
	} {
		if got := count(tc.q); got != tc.want {
			t.Errorf("%s: %d events, want %d", name, got, tc.want)
		}
	}
	first, err := cl.Events(ctx, opclient.EventQuery{Limit: 2})
	if err != nil || first.NextToken == nil || len(first.Events) != 2 {
		t.Fatalf("first page: %+v %v", first, err)
	}
	for _, q := range []string{"?since=yesterday", "?until=1", "?after=x", "?after=-1", "?limit=0", "?limit=x",
		"?nextToken=garbage", "?account=" + account + "&nextToken=" + *first.NextToken} {
		l.wantError("GET", "/_dxlab/v1/events"+q, http.StatusBadRequest)
	}
}

// ?last=<n> answers the tail of the timeline, oldest first, whatever its
// length; it takes no paging of its own.
func TestLastEvents(t *testing.T) {
	t.Parallel()
	dx, _, hosted, _ := partnerWorld(t)
	op := dx.OperatorClient()
	all, err := op.AllEvents(t.Context(), opclient.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	last, err := op.Events(t.Context(), opclient.EventQuery{Last: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 5 || len(last.Events) != 3 || last.NextToken != nil {
		t.Fatalf("%d events in all; last 3 answered %d, token %v", len(all), len(last.Events), last.NextToken)
	}
	for i, e := range last.Events {
		if want := all[len(all)-3+i]; e.Seq != want.Seq {
			t.Errorf("last[%d] is event %d, want %d", i, e.Seq, want.Seq)
		}
	}
	// With a filter: the customer's hosted connection's own events.
	mine, err := op.Events(t.Context(), opclient.EventQuery{Resource: hosted, Last: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Events) != 2 || mine.Events[0].Seq >= mine.Events[1].Seq || mine.Events[1].ResourceID != hosted || mine.Events[1].To != "available" {
		t.Errorf("the hosted connection's last 2 events: %+v", mine.Events)
	}
	for _, bad := range []string{"last=0", "last=1001", "last=x", "last=5&after=1", "last=5&limit=2"} {
		if code := dx.Operator("GET", "/_dxlab/v1/events?"+bad, nil); code != 400 {
			t.Errorf("?%s answered %d, want 400", bad, code)
		}
	}
}
