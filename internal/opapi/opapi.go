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
	"time"

	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/store"
)

// Prefix is where everything dxlab adds beside the AWS APIs lives.
const Prefix = "/_dxlab/"

// Facility is what the operator API drives.
type Facility interface {
	Pending(ctx context.Context) ([]store.Transition, error)
	Fire(ctx context.Context, id string) (store.Transition, error)
	FireDue(ctx context.Context) (int, error)
	Profile() facility.Profile
}

// Options configures the API. Facility and Clock are required.
type Options struct {
	Facility Facility
	Clock    clock.Advancer
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
	// it (the manual profile's human steps).
	WaitsForOperator bool `json:"waitsForOperator"`
}

func transition(t store.Transition) Transition {
	out := Transition{
		ID: t.ID, Step: t.Step, Note: t.Note, ResourceKind: t.ResourceKind, ResourceID: t.ResourceID,
		Account: t.Account, Region: t.Region, CreatedAt: t.CreatedAt, WaitsForOperator: t.DueAt.IsZero(),
	}
	if !t.DueAt.IsZero() {
		due := t.DueAt
		out.DueAt = &due
	}
	return out
}

func (a *api) transitions(r *http.Request) (any, error) {
	pending, err := a.opts.Facility.Pending(r.Context())
	if err != nil {
		return nil, err
	}
	resource := r.URL.Query().Get("resource")
	out := []Transition{}
	for _, t := range pending {
		if resource == "" || t.ResourceID == resource {
			out = append(out, transition(t))
		}
	}
	return map[string]any{"transitions": out}, nil
}

func (a *api) fire(r *http.Request) (any, error) {
	t, err := a.opts.Facility.Fire(r.Context(), r.PathValue("id"))
	if errors.Is(err, facility.ErrNoTransition) {
		return nil, &Error{http.StatusNotFound, fmt.Sprintf("no pending transition %s", r.PathValue("id"))}
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
	a.opts.Clock.Advance(by)
	n, err := a.opts.Facility.FireDue(r.Context())
	if err != nil {
		return nil, err
	}
	c, _ := a.clock(r)
	report := c.(Clock)
	report.Fired = &n
	return report, nil
}
