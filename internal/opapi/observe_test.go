package opapi_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/opapi"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/opclient"
)

func (l *lab) client() *opclient.Client { return opclient.New(l.url) }

// GET /_dxlab/ lists every endpoint, as JSON or, for a browser, HTML.
func TestIndex(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	idx, err := l.client().Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range idx.Endpoints {
		if e.Method == "" || e.Summary == "" {
			t.Errorf("endpoint %+v lacks a method or a summary", e)
		}
		paths = append(paths, e.Method+" "+e.Path)
	}
	for _, want := range []string{"GET /_dxlab/health", "GET /_dxlab/v1/transitions", "POST /_dxlab/v1/transitions/{id}/fire",
		"POST /_dxlab/v1/transitions/fire-due", "GET /_dxlab/v1/clock", "POST /_dxlab/v1/clock/advance",
		"GET /_dxlab/v1/resources/{id}", "GET /_dxlab/v1/events", "GET /metrics"} {
		if !slices.Contains(paths, want) {
			t.Errorf("the index lacks %s: %v", want, paths)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", l.url+"/_dxlab/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("a browser gets %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	l.wantError("POST", "/_dxlab/", http.StatusNotFound)
}

// Health counts resources by kind and state, and the pending steps.
func TestHealthCounts(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	c := l.dx(account)
	l.create(c, "one")
	gone := l.create(c, "two")
	l.delete(c, gone)
	h, err := l.client().Health(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []opclient.ResourceCount{{Kind: "dx.connection", State: "deleted", Count: 1}, {Kind: "dx.connection", State: "requested", Count: 1}}
	if h.Status != "ok" || h.Store != "sqlite" || h.Provisioning != "manual" || h.Auth != "accept-any" || h.DataDir == "" ||
		!slices.Equal(h.Resources, want) || h.PendingSteps != 2 || h.WaitingSteps != 1 || h.EventRetentionSeconds <= 0 {
		t.Errorf("health %+v; want resources %v, 2 pending steps of which 1 waits", h, want)
	}
}

// A resource is found by id alone, whoever owns it.
func TestResourceByID(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	id := l.create(l.dx(account2), "theirs")
	got, err := l.client().Resource(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := opclient.Resource{Kind: "dx.connection", ID: id, Account: account2, Region: region, State: "requested", Version: 1}
	if got != want {
		t.Errorf("resource %+v, want %+v", got, want)
	}
	if _, err := l.client().Resource(t.Context(), "dxcon-nothere"); !opclient.IsNotFound(err) {
		t.Errorf("an unknown id: %v, want a 404", err)
	}
}

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

// A request whose client goes away is no error of dxlab's: nothing is
// logged at error level (dxlabtest would fail the test).
func TestAbandonedRequestIsNotAnError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	h := opapi.New(opapi.Options{Facility: cancelled{}, Clock: clock.NewFake(dxlabtest.Start), Logger: slog.New(failOnError{t})})
	req := httptest.NewRequestWithContext(ctx, "GET", "/_dxlab/v1/resources/dxcon-x", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 499 {
		t.Errorf("abandoned request answered %d", rec.Code)
	}
}

// cancelled is a facility whose reads fail as a store's do when their
// context ends.
type cancelled struct{ opapi.Facility }

func (cancelled) Lookup(ctx context.Context, _ string) (resource.Status, error) {
	return resource.Status{}, fmt.Errorf("store: %w", ctx.Err())
}

// failOnError fails the test on a record at error level.
type failOnError struct{ t *testing.T }

func (h failOnError) Enabled(context.Context, slog.Level) bool { return true }
func (h failOnError) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.t.Errorf("logged at error: %s", r.Message)
	}
	return nil
}
func (h failOnError) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h failOnError) WithGroup(string) slog.Handler      { return h }
