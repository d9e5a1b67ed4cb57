package opapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/opclient"
)

// eventPages: events come 100 at a time unless ?limit= says otherwise, up
// to 1000.
var eventPages = page.Options{Default: 100, Max: 1000}

// events lists the event timeline, oldest first, a page at a time:
// ?resource=<id>&account=<account>&kind=<kind>&since=<RFC 3339>&until=<RFC 3339>&after=<seq>&limit=<n>&nextToken=<t>.
// account selects the events of resources the account owns or sees; after
// the events that follow one already seen (what `dxlab events --follow`
// asks). ?last=<n> answers the n most recent instead, in one page.
func (a *api) events(r *http.Request) (any, error) {
	v := r.URL.Query()
	q := store.EventQuery{ResourceID: v.Get("resource"), VisibleTo: v.Get("account"), ResourceKind: v.Get("kind")}
	if v.Has("last") {
		return a.lastEvents(r, q)
	}
	var err error
	if q.Since, err = timeParam(v.Get("since"), "since"); err != nil {
		return nil, err
	}
	if q.Until, err = timeParam(v.Get("until"), "until"); err != nil {
		return nil, err
	}
	if s := v.Get("after"); s != "" {
		if q.AfterSeq, err = strconv.ParseInt(s, 10, 64); err != nil || q.AfterSeq < 0 {
			return nil, badRequest("after must be an event's seq, a whole number")
		}
	}
	scope := page.Scope{List: "dxlab.events", Filter: fmt.Sprintf("%q %q %q %q %q %q",
		q.ResourceID, q.VisibleTo, q.ResourceKind, v.Get("since"), v.Get("until"), v.Get("after"))}
	limit, err := limitParam(r)
	if err != nil {
		return nil, err
	}
	req, err := page.Read(scope, eventPages, limit, tokenParam(r))
	if err != nil {
		return nil, badRequest("%s", err.Error())
	}
	if req.After != "" {
		seq, err := strconv.ParseInt(req.After, 10, 64)
		if err != nil {
			return nil, badRequest("the page token does not name a place in the list")
		}
		q.AfterSeq = max(q.AfterSeq, seq)
	}
	q.Limit = req.Fetch()
	evs, err := a.opts.Facility.Events(r.Context(), q)
	if err != nil {
		return nil, err
	}
	evs, next := page.Trim(scope, req, evs, func(e store.Event) string { return fmt.Sprintf("%020d", e.Seq) })
	out := opclient.EventList{Events: []opclient.Event{}, NextToken: next}
	for _, e := range evs {
		out.Events = append(out.Events, event(e))
	}
	return out, nil
}

// lastEvents answers the tail of the timeline: the ?last=<n> most recent
// events that match (1 to 1000), oldest first, where a console starts
// following.
func (a *api) lastEvents(r *http.Request, q store.EventQuery) (any, error) {
	v := r.URL.Query()
	n, err := strconv.Atoi(v.Get("last"))
	if err != nil || n < 1 || n > eventPages.Max {
		return nil, badRequest("last must be a whole number from 1 to %d", eventPages.Max)
	}
	for _, other := range []string{"since", "until", "after", "limit", "nextToken"} {
		if v.Has(other) {
			return nil, badRequest("last takes the most recent events: it goes with resource, account and kind, not %s", other)
		}
	}
	q.Newest, q.Limit = true, n
	evs, err := a.opts.Facility.Events(r.Context(), q)
	if err != nil {
		return nil, err
	}
	out := opclient.EventList{Events: make([]opclient.Event, 0, len(evs))}
	for i := len(evs) - 1; i >= 0; i-- {
		out.Events = append(out.Events, event(evs[i]))
	}
	return out, nil
}

func event(e store.Event) opclient.Event {
	c := e.Cause
	return opclient.Event{
		Seq: e.Seq, At: e.At, ResourceKind: e.ResourceKind, ResourceID: e.ResourceID, Account: e.Account,
		Viewers: e.Viewers, Region: e.Region, Action: e.Action, From: e.From, To: e.To,
		Cause: opclient.Cause{Type: c.Type, RequestID: c.RequestID, Account: c.Account, Operation: c.Operation,
			Step: c.Step, Actor: c.Actor, Transition: c.Transition},
	}
}

func timeParam(s, name string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badRequest("%s must be a time in RFC 3339 form, e.g. 2026-11-02T09:00:00Z", name)
	}
	return t, nil
}
