package opapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/opclient"
)

func transition(t store.Transition) opclient.Transition {
	out := opclient.Transition{
		ID: t.ID, Step: t.Step, Note: t.Note, ResourceKind: t.ResourceKind, ResourceID: t.ResourceID,
		Account: t.Account, Region: t.Region, CreatedAt: t.CreatedAt, WaitsForOperator: t.DueAt.IsZero(),
		Attempts: t.Attempts, LastError: t.LastError,
	}
	if !t.DueAt.IsZero() {
		due := t.DueAt
		out.DueAt = &due
	}
	return out
}

// transitionPages: the pending list comes 100 at a time unless ?limit=
// says otherwise, up to 1000.
var transitionPages = page.Options{Default: 100, Max: 1000}

// transitions lists pending steps a page at a time:
// ?resource=<id>&limit=<n>&nextToken=<token>.
func (a *api) transitions(r *http.Request) (any, error) {
	scope := page.Scope{List: "dxlab.transitions", Filter: r.URL.Query().Get("resource")}
	limit, err := limitParam(r)
	if err != nil {
		return nil, err
	}
	req, err := page.Read(scope, transitionPages, limit, tokenParam(r))
	if err != nil {
		return nil, badRequest("%s", err.Error())
	}
	fq := facility.PendingQuery{ResourceID: scope.Filter, Limit: req.Fetch()}
	if req.After != "" {
		if fq.After, err = parseTransitionKey(req.After); err != nil {
			return nil, badRequest("%s", err.Error())
		}
	}
	pending, err := a.opts.Facility.Pending(r.Context(), fq)
	if err != nil {
		return nil, err
	}
	pending, next := page.Trim(scope, req, pending, transitionKey)
	out := []opclient.Transition{}
	for _, t := range pending {
		out = append(out, transition(t))
	}
	return opclient.TransitionList{Transitions: out, NextToken: next}, nil
}

// transitionKey is a transition's place in the pending list as a page key
// that sorts as the list does: automatic ones by due time ("a/", the time
// as a fixed-width unsigned number, so that text order is time order for
// any time), then the ones waiting for an operator ("m/").
func transitionKey(t store.Transition) string {
	if t.DueAt.IsZero() {
		return "m/" + t.ID
	}
	return fmt.Sprintf("a/%020d/%s", uint64(t.DueAt.UnixNano())^(1<<63), t.ID)
}

func parseTransitionKey(key string) (*store.TransitionKey, error) {
	bad := errors.New("the page token does not name a place in the list")
	if id, ok := strings.CutPrefix(key, "m/"); ok {
		return &store.TransitionKey{ID: id}, nil
	}
	rest, ok := strings.CutPrefix(key, "a/")
	due, id, found := strings.Cut(rest, "/")
	n, err := strconv.ParseUint(due, 10, 64)
	if !ok || !found || err != nil {
		return nil, bad
	}
	return &store.TransitionKey{DueAt: time.Unix(0, int64(n^(1<<63))).UTC(), ID: id}, nil
}

func (a *api) fire(r *http.Request) (any, error) {
	id := r.PathValue("id")
	t, err := a.opts.Facility.Fire(r.Context(), id)
	if errors.Is(err, facility.ErrNoTransition) {
		return nil, &Error{http.StatusNotFound, fmt.Sprintf("no pending transition %s", id)}
	}
	if errors.Is(err, facility.ErrHeld) {
		return nil, &Error{http.StatusConflict, err.Error()}
	}
	if err != nil {
		return nil, err
	}
	a.log.Info("operator fired a step", "transition", t.ID, "step", t.Step, "resource", t.ResourceID)
	return opclient.Fired{Fired: transition(t)}, nil
}

func (a *api) fireDue(r *http.Request) (any, error) {
	n, err := a.opts.Facility.FireDue(r.Context())
	if err != nil {
		return nil, err
	}
	a.log.Info("operator fired the due steps", "fired", n)
	return opclient.FiredCount{Fired: n}, nil
}
