// Package cli is dxlab's command line: it parses flags (each also settable by
// an environment variable) and delegates to the server.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dxlab/dxlab/internal/accounts"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/server"
)

// Defaults of the serve flags.
const (
	DefaultAddr    = "127.0.0.1:4580"
	DefaultDataDir = "dxlab-data"
)

// Main runs dxlab with the process's arguments and signals, returning the
// exit code.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := Run(ctx, args, os.Stdout, os.Stderr)
	var usage usageError
	switch {
	case errors.As(err, &usage):
		return 2
	case err != nil:
		fmt.Fprintln(os.Stderr, "dxlab:", err)
		return 1
	}
	return 0
}

type usageError struct{ error }

// Run runs one dxlab command. With no command it serves.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "dxlab", server.Version)
		return nil
	case "help":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	fmt.Fprintf(stderr, "dxlab: unknown command %q\n\n%s", cmd, usageText)
	return usageError{fmt.Errorf("unknown command %q", cmd)}
}

const usageText = `usage: dxlab [serve] [flags]   serve AWS Direct Connect and AWS Interconnect
       dxlab version            print the version

Run "dxlab serve -h" for the flags.
`

// env returns the value of an environment variable, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", env("DXLAB_ADDR", DefaultAddr), "listen address (env DXLAB_ADDR)")
	dataDir := fs.String("data-dir", env("DXLAB_DATA_DIR", DefaultDataDir), "directory of the embedded store (env DXLAB_DATA_DIR)")
	profile := fs.String("provisioning", env("DXLAB_PROVISIONING", string(facility.Realistic)), "how resources move through their states: instant, realistic or manual (env DXLAB_PROVISIONING)")
	accountsFile := fs.String("accounts", env("DXLAB_ACCOUNTS", ""), "credentials file mapping access keys to accounts (env DXLAB_ACCOUNTS)")
	locations := fs.String("locations", env("DXLAB_LOCATIONS", ""), "location catalog to use instead of the built-in one (env DXLAB_LOCATIONS)")
	logLevel := fs.String("log-level", env("DXLAB_LOG_LEVEL", "info"), "debug, info, warn or error (env DXLAB_LOG_LEVEL)")
	partners := fs.String("partners", env("DXLAB_PARTNERS", "open"), "open: any account acts as a Direct Connect partner; strict: only partners the accounts file declares (env DXLAB_PARTNERS)")
	gateways := fs.String("gateways", env("DXLAB_GATEWAYS", "lenient"), "lenient: an unknown well-formed vgw-/tgw- id is registered on first use; strict: only registered ones (env DXLAB_GATEWAYS)")
	gatewaysFile := fs.String("gateways-file", env("DXLAB_GATEWAYS_FILE", ""), "JSON list of VGWs and TGWs to register at start (env DXLAB_GATEWAYS_FILE)")
	var quotaFlags []string
	if v := env("DXLAB_QUOTAS", ""); v != "" {
		quotaFlags = strings.Split(v, ",")
	}
	fs.Func("quota", "raise a quota as a Service Quotas increase would, e.g. lags-per-region=20; repeatable (env DXLAB_QUOTAS, comma-separated)", func(v string) error {
		quotaFlags = append(quotaFlags, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "dxlab serve: unexpected argument %q\n", fs.Arg(0))
		return usageError{errors.New("unexpected argument")}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageError{fmt.Errorf("log level %q: %w", *logLevel, err)}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	prof, err := facility.ParseProfile(*profile)
	if err != nil {
		return usageError{err}
	}
	opts := server.Options{DataDir: *dataDir, Profile: prof, LocationsFile: *locations, Logger: log}
	switch *partners {
	case "open":
	case "strict":
		opts.StrictPartners = true
	default:
		return usageError{fmt.Errorf("--partners %q is not open or strict", *partners)}
	}
	if *gateways != "lenient" && *gateways != "strict" {
		return usageError{fmt.Errorf("--gateways %q is not lenient or strict", *gateways)}
	}
	opts.StrictGateways, opts.GatewaysFile = *gateways == "strict", *gatewaysFile
	opts.Quotas = quotaFlags
	if *accountsFile != "" {
		if opts.Accounts, err = accounts.Load(*accountsFile); err != nil {
			return err
		}
	}
	srv, err := server.New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close()
		return err
	}
	log.Info("dxlab serving", "url", "http://"+ln.Addr().String(), "version", server.Version, "summary", srv.Describe())
	err = srv.Serve(ctx, ln)
	log.Info("dxlab stopped")
	return err
}
