// Package opapi is dxlab's operator API under /_dxlab/: an index of its
// endpoints, health, the pending steps of the simulated facility and firing
// them, dxlab's clock, resources by id and the event timeline. One file per
// resource; handlers return a value or an error, and one wrapper writes
// either as JSON (and logs the request). The answers' types are the public
// client's (package opclient), so that server and clients agree.
package opapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Prefix is where everything dxlab adds beside the AWS APIs lives.
const Prefix = "/_dxlab/"

// Facility is what the operator API drives and reads.
type Facility interface {
	Pending(ctx context.Context, q facility.PendingQuery) ([]store.Transition, error)
	Fire(ctx context.Context, id string) (store.Transition, error)
	FireDue(ctx context.Context) (int, error)
	Advance(ctx context.Context, d time.Duration) (int, error)
	Profile() facility.Profile
	Inspect(ctx context.Context, id string) (resource.Inspected, error)
	Survey(ctx context.Context, q resource.SurveyQuery) ([]resource.Inspected, bool, error)
	Devices(ctx context.Context, region string) ([]facility.DeviceStatus, error)
	Census(ctx context.Context) ([]resource.Count, error)
	PendingCounts(ctx context.Context) ([]facility.StepCount, error)
	Events(ctx context.Context, q store.EventQuery) ([]store.Event, error)
	EventRetention() time.Duration
}

// Options configures the API. Facility and Clock are required.
type Options struct {
	Facility Facility
	// World takes ports, devices and BGP sessions down and up; nil leaves
	// those endpoints out.
	World World
	// Interconnect plays the other side of AWS Interconnect connections;
	// nil leaves those endpoints out.
	Interconnect Interconnect
	// Gateways is the VGW and TGW registry; nil leaves it out.
	Gateways Gateways
	// Quotas tell an account's use of its quotas, one per service; none
	// leaves the endpoint out.
	Quotas []Quotas
	// Console is the path the web console is served at, for the index to
	// point to; empty leaves it out.
	Console string
	Clock   clock.Clock
	// Version, Store, DataDir, Auth and Started feed the health report;
	// Addr tells the address dxlab listens on once it does.
	Version string
	Store   string
	DataDir string
	// Auth names how AWS requests are authenticated; default "accept-any".
	Auth    string
	Addr    func() string
	Started time.Time
	// Logger gets one line per operator request; nil discards.
	Logger *slog.Logger
	// Token, when set, must come as "Authorization: Bearer <token>" with
	// every request that changes something, and with every request from
	// beyond loopback but the health report (guard.go).
	Token string
}

// Error is an error with the HTTP status it answers with.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

func badRequest(format string, args ...any) error {
	return &Error{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// statusClientClosed is what the log shows for a request whose client went
// away before the answer (nginx's 499); the client never sees it.
const statusClientClosed = 499

type handlerFunc func(r *http.Request) (any, error)

type api struct {
	opts Options
	log  *slog.Logger
}

// route is one endpoint: its pattern, what it does, and its handler.
type route struct {
	method, path, summary string
	fn                    handlerFunc
}

func (a *api) routes() []route {
	return append([]route{
		{"GET", "/_dxlab/", "this index of the operator endpoints (JSON, or HTML for a browser)", a.index},
		{"GET", "/_dxlab/health", "version, listen address, data directory, store, provisioning profile, auth mode, uptime, resources by kind and state, pending steps", a.health},
		{"GET", "/_dxlab/v1/transitions", "pending steps, due first: ?resource=<id>&limit=<n>&nextToken=<t>", a.transitions},
		{"POST", "/_dxlab/v1/transitions/{id}/fire", "carry out one step now, due or not (\"the cross-connect is done\")", a.fire},
		{"POST", "/_dxlab/v1/transitions/fire-due", "carry out every step that is due", a.fireDue},
		{"GET", "/_dxlab/v1/clock", "dxlab's clock and how far it runs ahead of the system clock", a.clock},
		{"POST", "/_dxlab/v1/clock/advance", "move the clock forward (?by=15m) and carry out what came due", a.advance},
		{"GET", "/_dxlab/v1/resources/{id}", "one resource by id, whoever owns it: kind, owner, region, state, and its place, links and Describe view", a.resource},
		{"GET", "/_dxlab/v1/topology", "the simulated world as the console draws it: ?account=&region=&limit=", a.topology},
		{"GET", "/_dxlab/v1/quotas", "how much of each quota an account takes in a region: ?account=&region=", a.quotas},
		{"GET", "/_dxlab/v1/events", "the event timeline, oldest first: ?resource=&account=&kind=&since=&until=&after=<seq>&limit=&nextToken=, or the most recent: ?last=<n>", a.events},
	}, slices.Concat(a.worldRoutes(), a.interconnectRoutes(), a.gatewayRoutes())...)
}

// New returns the operator API's handler, to mount at Prefix.
func New(opts Options) http.Handler {
	if opts.Auth == "" {
		opts.Auth = "accept-any"
	}
	a := &api{opts: opts, log: opts.Logger}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		pattern := rt.method + " " + rt.path
		if rt.path == Prefix {
			pattern += "{$}"
		}
		fn := rt.fn
		if rt.path != "/_dxlab/health" {
			fn = a.guarded(fn)
		}
		mux.Handle(pattern, a.wrap(fn))
	}
	mux.Handle(Prefix, a.wrap(func(r *http.Request) (any, error) {
		return nil, &Error{http.StatusNotFound, fmt.Sprintf("no operator endpoint %s %s; GET %s lists them", r.Method, r.URL.Path, Prefix)}
	}))
	return a.crossSite(mux)
}

// htmlPage is an answer that can also render itself for a browser.
type htmlPage interface {
	HTML() []byte
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (a *api) wrap(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		v, err := fn(r)
		status := http.StatusOK
		if err != nil {
			var e *Error
			switch {
			case errors.As(err, &e):
			case r.Context().Err() != nil:
				// The client went away (a wait that timed out): nobody
				// reads the answer, and nothing went wrong in dxlab.
				a.log.Debug("operator request abandoned by its client", "method", r.Method, "path", r.URL.Path, "err", err)
				e = &Error{statusClientClosed, "the client went away"}
			default:
				a.log.Error("operator request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				e = &Error{http.StatusInternalServerError, "dxlab hit an internal error; its log says more"}
			}
			status, v = e.Status, map[string]string{"error": e.Message}
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dxlab operator"`)
			}
		}
		if page, ok := v.(htmlPage); ok && prefersHTML(r) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write(page.HTML())
		} else {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			_ = enc.Encode(v)
		}
		level := slog.LevelDebug
		if r.Method != http.MethodGet {
			level = slog.LevelInfo // an operator action: it changes the world
		}
		a.log.Log(r.Context(), level, "operator request", "method", r.Method, "path", r.URL.Path, "status", status,
			"duration", time.Since(start).Round(time.Microsecond))
	})
}

// limitParam reads ?limit=; nil when absent.
func limitParam(r *http.Request) (*int32, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return nil, badRequest("limit must be a whole number")
	}
	return new(int32(n)), nil
}

// tokenParam reads ?nextToken=; nil when absent.
func tokenParam(r *http.Request) *string {
	if v := r.URL.Query().Get("nextToken"); v != "" {
		return &v
	}
	return nil
}
