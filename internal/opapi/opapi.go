// Package opapi is dxlab's operator API under /_dxlab/: health, the pending
// transitions of the simulated facility, firing one now, and moving the
// clock forward. Handlers return a value or an error; one wrapper writes
// either as JSON.
package opapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/internal/store"
)

// Prefix is where everything dxlab adds beside the AWS APIs lives.
const Prefix = "/_dxlab/"

// Facility is what the operator API drives.
type Facility interface {
	Pending(ctx context.Context, q facility.PendingQuery) ([]store.Transition, error)
	Fire(ctx context.Context, id string) (store.Transition, error)
	FireDue(ctx context.Context) (int, error)
	Advance(ctx context.Context, d time.Duration) (int, error)
	Profile() facility.Profile
}

// Options configures the API. Facility and Clock are required.
type Options struct {
	Facility Facility
	// World takes ports and devices down and up; nil leaves those out.
	World World
	// Gateways is the VGW and TGW registry; nil leaves it out.
	Gateways Gateways
	Clock    clock.Clock
	// Version, Store and Started feed the health report.
	Version string
	Store   string
	Started time.Time
}

// Error is an error with the HTTP status it answers with.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

type handlerFunc func(r *http.Request) (any, error)

// New returns the operator API's handler, to mount at Prefix.
func New(opts Options) http.Handler {
	a := &api{opts: opts}
	mux := http.NewServeMux()
	mux.Handle("GET /_dxlab/health", a.wrap(a.health))
	mux.Handle("GET /_dxlab/v1/transitions", a.wrap(a.transitions))
	mux.Handle("POST /_dxlab/v1/transitions/{id}/fire", a.wrap(a.fire))
	mux.Handle("POST /_dxlab/v1/transitions/fire-due", a.wrap(a.fireDue))
	mux.Handle("GET /_dxlab/v1/clock", a.wrap(a.clock))
	mux.Handle("POST /_dxlab/v1/clock/advance", a.wrap(a.advance))
	if opts.World != nil {
		a.routeWorld(mux)
	}
	if opts.Gateways != nil {
		a.routeGateways(mux)
	}
	mux.Handle("/_dxlab/", a.wrap(func(r *http.Request) (any, error) {
		return nil, &Error{http.StatusNotFound, fmt.Sprintf("no operator endpoint %s %s", r.Method, r.URL.Path)}
	}))
	return mux
}

type api struct {
	opts Options
}

func (a *api) wrap(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := fn(r)
		status := http.StatusOK
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				e = &Error{http.StatusInternalServerError, err.Error()}
			}
			status, v = e.Status, map[string]string{"error": e.Message}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	})
}

// Health is the health report.
type Health struct {
	Status        string  `json:"status"`
	Version       string  `json:"version"`
	Store         string  `json:"store"`
	Provisioning  string  `json:"provisioning"`
	UptimeSeconds float64 `json:"uptimeSeconds"`
}

func (a *api) health(*http.Request) (any, error) {
	return Health{
		Status:        "ok",
		Version:       a.opts.Version,
		Store:         a.opts.Store,
		Provisioning:  string(a.opts.Facility.Profile()),
		UptimeSeconds: time.Since(a.opts.Started).Round(time.Millisecond).Seconds(),
	}, nil
}

// Transition is a pending transition as operators see it.
type Transition struct {
	ID           string     `json:"id"`
	Step         string     `json:"step"`
	Note         string     `json:"note"`
	ResourceKind string     `json:"resourceKind"`
	ResourceID   string     `json:"resourceId"`
	Account      string     `json:"account"`
	Region       string     `json:"region"`
	CreatedAt    time.Time  `json:"createdAt"`
	DueAt        *time.Time `json:"dueAt,omitempty"`
	// WaitsForOperator marks a step that fires only when an operator fires
	// it (the manual profile's human steps, and a step that kept failing).
	WaitsForOperator bool `json:"waitsForOperator"`
	// Attempts and LastError tell of firings that failed; the step is
	// retried.
	Attempts  int    `json:"attempts,omitempty"`
	LastError string `json:"lastError,omitempty"`
}

func transition(t store.Transition) Transition {
	out := Transition{
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
	q := r.URL.Query()
	scope := page.Scope{List: "dxlab.transitions", Filter: q.Get("resource")}
	var limit *int32
	if v := q.Get("limit"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return nil, &Error{http.StatusBadRequest, "limit must be a whole number"}
		}
		limit = new(int32(n))
	}
	var token *string
	if v := q.Get("nextToken"); v != "" {
		token = &v
	}
	req, err := page.Read(scope, transitionPages, limit, token)
	if err != nil {
		return nil, &Error{http.StatusBadRequest, err.Error()}
	}
	fq := facility.PendingQuery{ResourceID: scope.Filter, Limit: req.Fetch()}
	if req.After != "" {
		if fq.After, err = parseTransitionKey(req.After); err != nil {
			return nil, &Error{http.StatusBadRequest, err.Error()}
		}
	}
	pending, err := a.opts.Facility.Pending(r.Context(), fq)
	if err != nil {
		return nil, err
	}
	pending, next := page.Trim(scope, req, pending, transitionKey)
	out := []Transition{}
	for _, t := range pending {
		out = append(out, transition(t))
	}
	return TransitionList{Transitions: out, NextToken: next}, nil
}

// TransitionList is a page of pending transitions.
type TransitionList struct {
	Transitions []Transition `json:"transitions"`
	NextToken   *string      `json:"nextToken,omitempty"`
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
	t, err := a.opts.Facility.Fire(r.Context(), r.PathValue("id"))
	if errors.Is(err, facility.ErrNoTransition) {
		return nil, &Error{http.StatusNotFound, fmt.Sprintf("no pending transition %s", r.PathValue("id"))}
	}
	if errors.Is(err, facility.ErrHeld) {
		return nil, &Error{http.StatusConflict, err.Error()}
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"fired": transition(t)}, nil
}

func (a *api) fireDue(r *http.Request) (any, error) {
	n, err := a.opts.Facility.FireDue(r.Context())
	if err != nil {
		return nil, err
	}
	return map[string]any{"fired": n}, nil
}

// Clock is the clock report.
type Clock struct {
	Now time.Time `json:"now"`
	// OffsetSeconds is how far the clock runs ahead of the system clock.
	OffsetSeconds float64 `json:"offsetSeconds,omitempty"`
	Fired         *int    `json:"fired,omitempty"`
}

func (a *api) clock(*http.Request) (any, error) {
	c := Clock{Now: a.opts.Clock.Now()}
	if s, ok := a.opts.Clock.(*clock.Shifted); ok {
		c.OffsetSeconds = s.Offset().Seconds()
	}
	return c, nil
}

// advance moves the clock forward by ?by=<duration> (e.g. 90s, 15m) and
// fires what came due.
func (a *api) advance(r *http.Request) (any, error) {
	by, err := time.ParseDuration(r.URL.Query().Get("by"))
	if err != nil || by <= 0 {
		return nil, &Error{http.StatusBadRequest, "give a positive duration to advance by, e.g. ?by=15m"}
	}
	n, err := a.opts.Facility.Advance(r.Context(), by)
	if errors.Is(err, facility.ErrClockBound) {
		return nil, &Error{http.StatusBadRequest, err.Error()}
	}
	if err != nil {
		return nil, err
	}
	c, _ := a.clock(r)
	report := c.(Clock)
	report.Fired = &n
	return report, nil
}
