// Package server assembles dxlab: the store, the facility, the services,
// the AWS protocol handler and the operator API, on one listener, and runs
// them until told to stop.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dxlab/dxlab/internal/accounts"
	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/directconnect"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/interconnect"
	"github.com/dxlab/dxlab/internal/opapi"
	"github.com/dxlab/dxlab/internal/protocol"
	"github.com/dxlab/dxlab/internal/smithy"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
	"github.com/dxlab/dxlab/internal/vpc"
)

// Version is dxlab's version, set at build time with -ldflags.
var Version = "dev"

// Options configures a Server. Its zero value serves an embedded store in
// "dxlab-data" with the realistic profile.
type Options struct {
	// DataDir holds the embedded store; default "dxlab-data".
	DataDir string
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
	// Quotas raise Direct Connect quotas, as "name=value".
	Quotas []string
	// StrictGateways accepts only registered VGWs and TGWs (--gateways
	// strict); GatewaysFile registers some at start (--gateways-file).
	StrictGateways bool
	GatewaysFile   string
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// on shutdown; default 10s.
	ShutdownTimeout time.Duration
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
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	catalog, err := facility.LoadCatalog(opts.LocationsFile)
	if err != nil {
		return nil, err
	}
	quotas, err := directconnect.ParseQuotas(opts.Quotas)
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(opts.DataDir)
	if err != nil {
		return nil, err
	}
	fac, err := facility.New(facility.Options{
		Store:   st,
		Clock:   opts.Clock,
		Profile: opts.Profile,
		Catalog: catalog,
		Logger:  opts.Logger,
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
	if opts.GatewaysFile != "" {
		if _, err := gateways.Seed(context.Background(), opts.GatewaysFile); err != nil {
			st.Close()
			return nil, err
		}
	}
	ic := interconnect.New(interconnect.Options{Facility: fac})
	s := &Server{opts: opts, store: st, facility: fac, dx: dx, ic: ic, log: opts.Logger, started: time.Now()}

	aws := protocol.New(protocol.Options{
		Services: []*smithy.Service{dxapi.Service(dx), icapi.Service(ic)},
		MapError: mapError,
		Accounts: opts.Accounts,
		Logger:   opts.Logger,
	})
	ops := opapi.New(opapi.Options{
		Facility: fac,
		World:    dx,
		Gateways: gateways,
		Clock:    opts.Clock,
		Version:  Version,
		Store:    st.Describe(),
		Started:  s.started,
	})
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, opapi.Prefix) {
			ops.ServeHTTP(w, r)
			return
		}
		aws.ServeHTTP(w, r)
	})
	return s, nil
}

// Handler serves the AWS APIs and the operator API.
func (s *Server) Handler() http.Handler { return s.handler }

// Store is the store, for embedders and tests.
func (s *Server) Store() store.Store { return s.store }

// Facility is the simulated facility, for embedders and tests.
func (s *Server) Facility() *facility.Facility { return s.facility }

// Serve serves on ln and drives the facility until ctx is done, then stops
// accepting, lets in-flight requests finish, and closes the store.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
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
		<-serveErr
	}
	stopFacility()
	<-facilityDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, s.Close())
}

// Close closes the store. Serve calls it; call it yourself only when not
// serving.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.store.Close() })
	return s.closeErr
}

// Describe is a one-line summary for the startup log.
func (s *Server) Describe() string {
	return fmt.Sprintf("store=%s data-dir=%s provisioning=%s", s.store.Describe(), s.opts.DataDir, s.opts.Profile)
}
