package opapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/server"
	"github.com/dxlab/dxlab/opclient"
)

const (
	account  = "111122223333"
	account2 = "444455556666"
	region   = "us-east-1"
)

// lab is a whole dxlab with the manual profile, served without its driver:
// dxlabtest's instance runs the facility's driver on a real timer, which
// could fire due steps between a test's clock advance and its fire-due
// call, so counts of fired steps would depend on real time. Here only the
// operator API fires steps.
type lab struct {
	t     *testing.T
	url   string
	clock clock.Advancer
}

func newLab(t *testing.T, c clock.Advancer) *lab {
	srv, err := server.New(server.Options{DataDir: t.TempDir(), Profile: facility.Manual, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return &lab{t: t, url: ts.URL, clock: c}
}

func newFakeLab(t *testing.T) *lab { return newLab(t, clock.NewFake(dxlabtest.Start)) }

// dx is the real SDK client signing as account.
func (l *lab) dx(account string) *directconnect.Client {
	return directconnect.New(directconnect.Options{
		Region:           region,
		BaseEndpoint:     aws.String(l.url),
		Credentials:      credentials.NewStaticCredentialsProvider(account, "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// call sends an operator request and decodes its JSON answer into out.
func (l *lab) call(method, path string, out any) int {
	l.t.Helper()
	req, err := http.NewRequestWithContext(l.t.Context(), method, l.url+path, nil)
	if err != nil {
		l.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		l.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		l.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			l.t.Fatalf("%s %s: %v: %s", method, path, err, body)
		}
	}
	return resp.StatusCode
}

// wantError checks that a request is refused with status and a JSON error.
func (l *lab) wantError(method, path string, status int) {
	l.t.Helper()
	var e struct{ Error string }
	if got := l.call(method, path, &e); got != status || e.Error == "" {
		l.t.Errorf("%s %s: %d %q, want %d with an error message", method, path, got, e.Error, status)
	}
}

func (l *lab) list(query string) opclient.TransitionList {
	l.t.Helper()
	var out opclient.TransitionList
	if code := l.call("GET", "/_dxlab/v1/transitions"+query, &out); code != http.StatusOK {
		l.t.Fatalf("list transitions%s: %d", query, code)
	}
	return out
}

func (l *lab) create(c *directconnect.Client, name string) string {
	l.t.Helper()
	out, err := c.CreateConnection(l.t.Context(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String(name),
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return aws.ToString(out.ConnectionId)
}

func (l *lab) delete(c *directconnect.Client, id string) {
	l.t.Helper()
	if _, err := c.DeleteConnection(l.t.Context(), &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) state(c *directconnect.Client, id string) types.ConnectionState {
	l.t.Helper()
	out, err := c.DescribeConnections(l.t.Context(), &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
	if err != nil {
		l.t.Fatal(err)
	}
	if len(out.Connections) != 1 {
		l.t.Fatalf("describe %s: %d connections", id, len(out.Connections))
	}
	return out.Connections[0].ConnectionState
}

// fireDue asks the operator API to fire what is due and checks the count.
func (l *lab) fireDue(want int) {
	l.t.Helper()
	var out struct{ Fired int }
	if code := l.call("POST", "/_dxlab/v1/transitions/fire-due", &out); code != http.StatusOK || out.Fired != want {
		l.t.Fatalf("fire-due: %d, fired %d, want %d", code, out.Fired, want)
	}
}

func (l *lab) advance(by string) opclient.Clock {
	l.t.Helper()
	var out opclient.Clock
	if code := l.call("POST", "/_dxlab/v1/clock/advance?by="+url.QueryEscape(by), &out); code != http.StatusOK {
		l.t.Fatalf("advance by %s: %d", by, code)
	}
	return out
}

func (l *lab) now() opclient.Clock {
	l.t.Helper()
	var out opclient.Clock
	if code := l.call("GET", "/_dxlab/v1/clock", &out); code != http.StatusOK {
		l.t.Fatalf("clock: %d", code)
	}
	return out
}

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

// clock/advance moves the clock and fires what came due; a bad duration is a
// 400 that moves nothing.
func TestClockAdvance(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	c := l.dx(account)
	id := l.create(c, "short-lived")
	l.delete(c, id)

	if got := l.now(); !got.Now.Equal(dxlabtest.Start) || got.Fired != nil {
		t.Fatalf("clock: %+v", got)
	}
	steps := []struct {
		by    string
		fired int
		now   time.Time
	}{
		{"10m", 0, dxlabtest.Start.Add(10 * time.Minute)},
		{"5m", 1, dxlabtest.Start.Add(15 * time.Minute)},
	}
	for _, s := range steps {
		got := l.advance(s.by)
		if got.Fired == nil || *got.Fired != s.fired || !got.Now.Equal(s.now) {
			t.Fatalf("advance by %s: %+v, want %d fired, now %v", s.by, got, s.fired, s.now)
		}
	}
	for _, by := range []string{"", "abc", "0s", "-5m", "10", "9999999999999h"} {
		l.wantError("POST", "/_dxlab/v1/clock/advance?by="+url.QueryEscape(by), http.StatusBadRequest)
	}
	if got := l.now().Now; !got.Equal(steps[len(steps)-1].now) {
		t.Fatalf("bad advances moved the clock to %v", got)
	}
}

// On dxlab's own clock the operator sees the offset, and cannot run it past
// facility.MaxClockOffset.
func TestClockAdvanceIsBounded(t *testing.T) {
	t.Parallel()
	l := newLab(t, &clock.Shifted{})
	ahead := func(want time.Duration) {
		t.Helper()
		before := time.Now()
		got := l.now()
		after := time.Now()
		if got.OffsetSeconds != want.Seconds() || got.Now.Sub(before) < want || got.Now.Sub(after) > want {
			t.Fatalf("clock %+v read between %v and %v; want %v ahead", got, before, after, want)
		}
	}
	ahead(0)
	if got := l.advance("1h"); got.OffsetSeconds != 3600 || got.Fired == nil {
		t.Fatalf("advance by 1h: %+v", got)
	}
	ahead(time.Hour)
	for _, by := range []time.Duration{facility.MaxClockOffset, facility.MaxClockOffset - time.Hour + time.Second} {
		var e struct{ Error string }
		code := l.call("POST", "/_dxlab/v1/clock/advance?by="+by.String(), &e)
		if code != http.StatusBadRequest || !strings.Contains(e.Error, "ahead") {
			t.Errorf("advance by %v: %d %q, want 400 for running past the bound", by, code, e.Error)
		}
		ahead(time.Hour)
	}
}
