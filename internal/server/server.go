// Package server assembles dxlab: the store, the facility, the services,
// the AWS protocol handler and the operator API, on one listener, and runs
// them until told to stop.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dxlab/dxlab/internal/accounts"
	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/api/ec2api"
	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/api/stsapi"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/console"
	"github.com/dxlab/dxlab/internal/directconnect"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/interconnect"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/metrics"
	"github.com/dxlab/dxlab/internal/opapi"
	"github.com/dxlab/dxlab/internal/protocol"
	"github.com/dxlab/dxlab/internal/quota"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/postgres"
	"github.com/dxlab/dxlab/internal/store/sqlite"
	"github.com/dxlab/dxlab/internal/sts"
	"github.com/dxlab/dxlab/internal/vpc"
)

// Version is dxlab's version, set at build time with -ldflags.
var Version = "dev"

// Options configures a Server. Its zero value serves an embedded store in
// "dxlab-data" with the realistic profile.
type Options struct {
	// DataDir holds the embedded store; default "dxlab-data".
	DataDir string
	// Store, when a postgres:// URL, keeps everything in that PostgreSQL
	// database instead, shared with every other dxlab replica using it;
	// empty uses the embedded store in DataDir.
	Store string
	// Profile is the provisioning profile; default realistic.
	Profile facility.Profile
	// Accounts maps access keys to accounts; nil uses only the built-in
	// rules (12-digit keys are accounts, others the default account).
	Accounts *accounts.Directory
	// LocationsFile replaces the built-in location catalog.
	LocationsFile string
	// Clock defaults to the system clock, shiftable by operators.
	Clock clock.Advancer
	// Logger defaults to discarding.
	Logger *slog.Logger
	// StrictPartners lets only the partners Accounts declares create
	// interconnects and allocate hosted connections.
	StrictPartners bool
	// Quotas raise Direct Connect and Interconnect quotas, as "name=value".
	Quotas []string
	// EventRetention is how long events are kept, on dxlab's clock; default
	// facility.DefaultEventRetention.
	EventRetention time.Duration
	// StrictGateways accepts only registered VGWs and TGWs (--gateways
	// strict); GatewaysFile registers some at start (--gateways-file).
	StrictGateways bool
	GatewaysFile   string
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// on shutdown; default limits.ShutdownTimeout. Those still running then
	// are cut off and logged.
	ShutdownTimeout time.Duration
	// Auth says how signatures are checked; default protocol.AcceptAny.
	// protocol.Strict needs Accounts with keys.
	Auth protocol.Auth
	// WallClock is what signing times are checked against; default the
	// system clock.
	WallClock clock.Clock
	// OperatorToken, when set, must accompany every changing operator
	// request (and every reading one not from loopback) as
	// "Authorization: Bearer <token>". Serve refuses to listen beyond
	// loopback without one.
	OperatorToken string
	// AllowedHosts are the Host header names dxlab answers to besides IP
	// addresses, "localhost" (and *.localhost) and this machine's name:
	// anything else is refused, against DNS rebinding. "*" allows any.
	AllowedHosts []string
	// Timeouts and the connection cap of the HTTP server; zero means the
	// limits package's value.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	MaxConnections                         int
}

// Server is an assembled dxlab.
type Server struct {
	opts     Options
	store    store.Store
	facility *facility.Facility
	dx       *directconnect.Service
	ic       *interconnect.Service
	handler  http.Handler
	log      *slog.Logger
	started  time.Time

	closeOnce sync.Once
	closeErr  error
	// addr is the address Serve listens on, once it does.
	addr atomic.Pointer[string]
}

// Addr is the address Serve listens on, or "" before it does.
func (s *Server) Addr() string {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return ""
}

// New opens the store and assembles everything; Close releases it.
func New(opts Options) (*Server, error) {
	if opts.DataDir == "" {
		opts.DataDir = "dxlab-data"
	}
	if opts.Profile == "" {
		opts.Profile = facility.Realistic
	}
	if opts.Clock == nil {
		opts.Clock = &clock.Shifted{}
	}
	if opts.Accounts == nil {
		opts.Accounts = &accounts.Directory{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	catalog, err := facility.LoadCatalog(opts.LocationsFile)
	if err != nil {
		return nil, err
	}
	quotas, err := quota.Parse(opts.Quotas, slices.Concat(directconnect.QuotaNames(), interconnect.QuotaNames()))
	if err != nil {
		return nil, err
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = limits.ShutdownTimeout
	}
	if opts.Auth == "" {
		opts.Auth = protocol.AcceptAny
	}
	if opts.Auth == protocol.Strict && opts.Accounts.Len() == 0 {
		return nil, errors.New("strict auth verifies signatures with the secrets of the accounts file: give one with access keys (--accounts)")
	}
	var db store.Store
	shared := postgres.IsURL(opts.Store)
	switch {
	case shared:
		db, err = postgres.Open(context.Background(), opts.Store)
	case opts.Store == "" || opts.Store == "sqlite":
		db, err = sqlite.Open(opts.DataDir)
	default:
		err = fmt.Errorf("store %q is neither empty (the embedded store) nor a postgres:// URL", opts.Store)
	}
	if err != nil {
		return nil, err
	}
	met := metrics.New()
	st := met.Store(db)
	fac, err := facility.New(facility.Options{
		Store:   st,
		Clock:   opts.Clock,
		Profile: opts.Profile,
		Catalog: catalog,
		Logger:  opts.Logger,

		EventRetention: opts.EventRetention,
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	dx := directconnect.New(directconnect.Options{
		Store: st, Facility: fac, Logger: opts.Logger,
		Partners: opts.Accounts, StrictPartners: opts.StrictPartners, Quotas: quotas,
		StrictGateways: opts.StrictGateways,
	})
	gateways := &vpc.Admin{Store: st, Now: opts.Clock.Now}
	fac.Track(vpc.Tracked()...)
	if opts.GatewaysFile != "" {
		if _, err := gateways.Seed(context.Background(), opts.GatewaysFile); err != nil {
			st.Close()
			return nil, err
		}
	}
	ic := interconnect.New(interconnect.Options{Store: st, Facility: fac, Quotas: quotas})
	// Records of a store older than their state column get it, so that the
	// census counts them (once: every write keeps it since).
	if n, err := fac.Restate(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("recording resources' states: %w", err)
	} else if n > 0 {
		opts.Logger.Info("recorded the state of resources an older dxlab stored", "resources", n)
	}
	// Steps an earlier run under manual left for an operator follow this
	// run's profile (docs/behavior.md).
	if _, err := fac.Retime(context.Background()); err != nil {
		st.Close()
		return nil, fmt.Errorf("re-timing pending steps: %w", err)
	}
	s := &Server{opts: opts, store: st, facility: fac, dx: dx, ic: ic, log: opts.Logger, started: time.Now()}
	met.Watch(fac, opts.Logger)

	aws := protocol.New(protocol.Options{
		Services: []*smithy.Service{dxapi.Service(dx), icapi.Service(ic),
			ec2api.Service(&vpc.EC2{Store: st, Now: opts.Clock.Now, DirectConnect: dx}), stsapi.Service(sts.Service{})},
		MapError:  mapError,
		Accounts:  opts.Accounts,
		Logger:    opts.Logger,
		Auth:      opts.Auth,
		WallClock: opts.WallClock,
		Served: func(r protocol.Served) {
			met.Request(r.Service, r.Operation, r.Status, r.Duration)
		},
	})
	ops := opapi.New(opapi.Options{
		Facility:     fac,
		World:        dx,
		Interconnect: icOperator{ic},
		Clock:        opts.Clock,
		Version:      Version,
		Store:        st.Describe(),
		DataDir:      opts.DataDir,
		Addr:         s.Addr,
		Started:      s.started,
		Logger:       opts.Logger,
		Auth:         string(opts.Auth),
		Token:        opts.OperatorToken,
		Gateways:     gateways,
		Quotas:       []opapi.Quotas{dx, ic},
		Console:      console.Prefix,
	})
	metricsHandler := met.Handler()
	consoleHandler := console.Handler()
	hosts := newHostGuard(opts.AllowedHosts)
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hosts.allows(r.Host) {
			hosts.refuse(w, r)
			return
		}
		if shared {
			// Another replica may have moved the clock: follow it before
			// anything reads the time.
			if err := fac.SyncClock(r.Context()); err != nil {
				s.log.Warn("reading the shared clock", "err", err)
			}
		}
		switch {
		case strings.HasPrefix(r.URL.Path, console.Prefix[:len(console.Prefix)-1]):
			consoleHandler.ServeHTTP(w, r)
		case strings.HasPrefix(r.URL.Path, opapi.Prefix):
			ops.ServeHTTP(w, r)
		case r.URL.Path == MetricsPath && r.Method == http.MethodGet:
			metricsHandler.ServeHTTP(w, r)
		default:
			aws.ServeHTTP(w, r)
		}
	})
	return s, nil
}

// MetricsPath is where the Prometheus metrics are served.
const MetricsPath = "/metrics"

// ConsolePath is where the web console is served.
const ConsolePath = console.Prefix

// Handler serves the AWS APIs, the operator API and the metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the store, for embedders and tests.
func (s *Server) Store() store.Store { return s.store }

// Serve serves on ln and drives the facility until ctx is done, then stops
// accepting, lets in-flight requests finish (up to ShutdownTimeout; the rest
// are cut off and logged), and closes the store. It refuses a listener
// beyond loopback when no operator token is set.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.CheckListener(ln.Addr()); err != nil {
		ln.Close()
		s.Close()
		return err
	}
	maxConns := cmp.Or(s.opts.MaxConnections, limits.MaxConnections)
	ln = newLimitListener(ln, maxConns)
	conns := &connTracker{}
	addr := ln.Addr().String()
	s.addr.Store(&addr)
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: limits.ReadHeaderTimeout,
		ReadTimeout:       cmp.Or(s.opts.ReadTimeout, limits.ReadTimeout),
		WriteTimeout:      cmp.Or(s.opts.WriteTimeout, limits.WriteTimeout),
		IdleTimeout:       cmp.Or(s.opts.IdleTimeout, limits.IdleTimeout),
		MaxHeaderBytes:    limits.MaxHeaderBytes,
		ConnState:         conns.track,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	runCtx, stopFacility := context.WithCancel(context.Background())
	facilityDone := make(chan struct{})
	go func() {
		defer close(facilityDone)
		_ = s.facility.Run(runCtx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	var err error
	select {
	case err = <-serveErr:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
		err = srv.Shutdown(shutdownCtx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			active, idle := conns.counts()
			s.log.Warn("requests still running after the drain timeout were cut off",
				"timeout", s.opts.ShutdownTimeout, "active_connections", active, "idle_connections", idle)
			err = srv.Close()
		}
		<-serveErr
	}
	stopFacility()
	<-facilityDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, s.Close())
}

// CheckListener refuses an address beyond loopback when no operator token
// is set: anyone who reaches it could fire steps and move the clock.
func (s *Server) CheckListener(addr net.Addr) error {
	if !isLoopback(addr) && s.opts.OperatorToken == "" {
		return fmt.Errorf("dxlab listens on %s, beyond loopback, and anyone who reaches it could fire steps and move the clock: "+
			"set an operator token (--operator-token or --operator-token-file) or listen on 127.0.0.1", addr)
	}
	return nil
}

// Close closes the store. Serve calls it; call it yourself only when not
// serving.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.store.Close() })
	return s.closeErr
}

// Describe is a one-line summary for the startup log.
func (s *Server) Describe() string {
	where := ""
	if s.store.Describe() == "sqlite" {
		where = " data-dir=" + s.opts.DataDir
	}
	return fmt.Sprintf("store=%s%s provisioning=%s auth=%s operator-token=%t", s.store.Describe(), where, s.opts.Profile, s.opts.Auth,
		s.opts.OperatorToken != "")
}
