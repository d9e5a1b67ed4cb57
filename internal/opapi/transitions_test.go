package opapi_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

func ids(ts []opclient.Transition) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// The pending list comes in due order, the steps waiting for an operator
// last, and its pages hold every pending step exactly once.
func TestTransitionsPages(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	c, c2 := l.dx(account), l.dx(account2)
	var conns []string
	for i := range 5 {
		conns = append(conns, l.create(c, fmt.Sprint("a", i)))
	}
	for i := range 2 {
		l.create(c2, fmt.Sprint("b", i))
	}
	// Deleting swaps the approval for housekeeping, due 15 minutes later.
	l.delete(c, conns[3])
	l.clock.Advance(time.Minute)
	l.delete(c, conns[1])

	all := l.list("")
	if all.NextToken != nil || len(all.Transitions) != 7 {
		t.Fatalf("the whole list: %+v", all)
	}
	auto, manual := all.Transitions[:2], all.Transitions[2:]
	for i, want := range []string{conns[3], conns[1]} {
		tr := auto[i]
		due := dxlabtest.Start.Add(time.Duration(i)*time.Minute + 15*time.Minute)
		if tr.ResourceID != want || tr.Step != "connection.forget" || tr.WaitsForOperator || tr.DueAt == nil || !tr.DueAt.Equal(due) {
			t.Errorf("transition %d: %+v; want %s's forget due %v", i, tr, want, due)
		}
	}
	for _, tr := range manual {
		if tr.Step != "connection.approve" || !tr.WaitsForOperator || tr.DueAt != nil {
			t.Errorf("want an approval waiting for the operator: %+v", tr)
		}
	}
	if !slices.IsSorted(ids(manual)) {
		t.Errorf("the ones waiting for an operator are not in id order: %v", ids(manual))
	}

	var paged []string
	query := "?limit=2"
	for pages := 1; ; pages++ {
		p := l.list(query)
		if len(p.Transitions) > 2 || pages > 4 {
			t.Fatalf("page %d: %d transitions", pages, len(p.Transitions))
		}
		paged = append(paged, ids(p.Transitions)...)
		if p.NextToken == nil {
			break
		}
		query = "?limit=2&nextToken=" + url.QueryEscape(*p.NextToken)
	}
	if !slices.Equal(paged, ids(all.Transitions)) {
		t.Fatalf("pages hold %v, want %v", paged, ids(all.Transitions))
	}

	for _, id := range []string{conns[1], conns[2]} {
		if got := l.list("?resource=" + id).Transitions; len(got) != 1 || got[0].ResourceID != id {
			t.Errorf("transitions of %s: %+v", id, got)
		}
	}

	token := *l.list("?limit=1").NextToken
	for _, q := range []string{
		"?nextToken=garbage",
		"?limit=1&nextToken=" + url.QueryEscape(token) + "x",
		"?resource=" + conns[0] + "&nextToken=" + url.QueryEscape(token), // another filter's token
		"?limit=abc",
		"?limit=0",
		"?limit=-2",
		"?limit=99999999999",
	} {
		l.wantError("GET", "/_dxlab/v1/transitions"+q, http.StatusBadRequest)
	}
}

// Firing one transition moves its resource on; firing what is gone, or was
// never there, is a 404.
func TestFire(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	c := l.dx(account)
	id := l.create(c, "manual")
	approve := l.list("?resource=" + id).Transitions[0]

	var out struct{ Fired opclient.Transition }
	if code := l.call("POST", "/_dxlab/v1/transitions/"+approve.ID+"/fire", &out); code != http.StatusOK ||
		out.Fired.ID != approve.ID || out.Fired.Step != "connection.approve" || out.Fired.ResourceID != id {
		t.Fatalf("fire: %d %+v", code, out)
	}
	if got := l.state(c, id); got != types.ConnectionStatePending {
		t.Fatalf("after approval: %s", got)
	}
	next := l.list("?resource=" + id).Transitions
	if len(next) != 1 || next[0].Step != "connection.cross-connect" || !next[0].WaitsForOperator {
		t.Fatalf("after approval, pending %+v", next)
	}
	l.wantError("POST", "/_dxlab/v1/transitions/"+approve.ID+"/fire", http.StatusNotFound)
	l.wantError("POST", "/_dxlab/v1/transitions/tr-nope/fire", http.StatusNotFound)
	l.wantError("GET", "/_dxlab/v1/nope", http.StatusNotFound)
}

// fire-due fires what the clock has brought due, not what waits for an
// operator.
func TestFireDue(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	c := l.dx(account)
	kept, gone := l.create(c, "kept"), l.create(c, "gone")
	l.delete(c, gone)

	l.fireDue(0)
	l.clock.Advance(15*time.Minute - time.Nanosecond)
	l.fireDue(0)
	if got := l.state(c, gone); got != types.ConnectionStateDeleted {
		t.Fatalf("before its forget is due: %s", got)
	}
	l.clock.Advance(time.Nanosecond)
	l.fireDue(1)
	if got := l.list("?resource=" + gone).Transitions; len(got) != 0 {
		t.Fatalf("still pending after fire-due: %+v", got)
	}
	out, err := c.DescribeConnections(t.Context(), &directconnect.DescribeConnectionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Connections) != 1 || aws.ToString(out.Connections[0].ConnectionId) != kept {
		t.Fatalf("after forgetting %s: %+v", gone, out.Connections)
	}
	if got := l.state(c, kept); got != types.ConnectionStateRequested {
		t.Fatalf("a manual approval fired by fire-due: %s", got)
	}
}
