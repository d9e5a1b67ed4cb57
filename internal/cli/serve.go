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
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/accounts"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/limits"
	"github.com/dxlab/dxlab/internal/protocol"
	"github.com/dxlab/dxlab/internal/server"
)

// Defaults of the serve flags.
const (
	DefaultAddr    = "127.0.0.1:4580"
	DefaultDataDir = "dxlab-data"
)

// version is the server's version: this is the one file of the command
// that may import the server.
func version() string { return server.Version }

var serveCommand = command{
	name: "serve",
	summary: `serve AWS Direct Connect and AWS Interconnect (what dxlab does with no command)

Runs until SIGINT or SIGTERM, then lets requests in flight finish and closes
the store. Every flag can also be set by its environment variable.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		addr := fs.String("addr", env("DXLAB_ADDR", DefaultAddr), "listen address (env DXLAB_ADDR)")
		dataDir := fs.String("data-dir", env("DXLAB_DATA_DIR", DefaultDataDir), "directory of the embedded store; one dxlab at a time (env DXLAB_DATA_DIR)")
		profile := fs.String("provisioning", env("DXLAB_PROVISIONING", string(facility.Realistic)), "how resources move through their states: instant, realistic or manual (env DXLAB_PROVISIONING)")
		accountsFile := fs.String("accounts", env("DXLAB_ACCOUNTS", ""), "credentials file mapping access keys to accounts (env DXLAB_ACCOUNTS)")
		locations := fs.String("locations", env("DXLAB_LOCATIONS", ""), "location catalog to use instead of the built-in one (env DXLAB_LOCATIONS)")
		logLevel := fs.String("log-level", env("DXLAB_LOG_LEVEL", "info"), "debug, info, warn or error (env DXLAB_LOG_LEVEL)")
		logFormat := fs.String("log-format", env("DXLAB_LOG_FORMAT", "text"), "text or json (env DXLAB_LOG_FORMAT)")
		retention := fs.String("event-retention", env("DXLAB_EVENT_RETENTION", facility.DefaultEventRetention.String()), "how long events are kept, on dxlab's clock (env DXLAB_EVENT_RETENTION)")
		storeURL := fs.String("store", env("DXLAB_STORE", ""), "a postgres:// URL to keep everything in PostgreSQL, shared by every replica using it; empty keeps the embedded store in --data-dir (env DXLAB_STORE)")
		auth := fs.String("auth", env("DXLAB_AUTH", string(protocol.AcceptAny)), "accept-any (read the account from the credential, check nothing) or strict (verify every signature with the --accounts secrets) (env DXLAB_AUTH)")
		token := fs.String("operator-token", env("DXLAB_OPERATOR_TOKEN", ""), "token operator requests must carry as Authorization: Bearer <token>; required to listen beyond loopback (env DXLAB_OPERATOR_TOKEN)")
		tokenFile := fs.String("operator-token-file", env("DXLAB_OPERATOR_TOKEN_FILE", ""), "file holding the operator token (env DXLAB_OPERATOR_TOKEN_FILE)")
		drain := fs.String("drain-timeout", env("DXLAB_DRAIN_TIMEOUT", limits.ShutdownTimeout.String()), "on SIGINT or SIGTERM, how long requests in flight may take to finish before they are cut off (env DXLAB_DRAIN_TIMEOUT)")
		allowedHosts := fs.String("allowed-hosts", env("DXLAB_ALLOWED_HOSTS", ""), "comma-separated host names dxlab answers to besides IP addresses, localhost and this machine's name; * for any (env DXLAB_ALLOWED_HOSTS)")
		partners := fs.String("partners", env("DXLAB_PARTNERS", "open"), "open: any account acts as a Direct Connect partner; strict: only partners the accounts file declares (env DXLAB_PARTNERS)")
		gateways := fs.String("gateways", env("DXLAB_GATEWAYS", "lenient"), "lenient: an unknown well-formed vgw-/tgw- id is registered on first use; strict: only registered ones (env DXLAB_GATEWAYS)")
		gatewaysFile := fs.String("gateways-file", env("DXLAB_GATEWAYS_FILE", ""), "JSON list of VGWs and TGWs to register at start (env DXLAB_GATEWAYS_FILE)")
		var quotas []string
		if v := env("DXLAB_QUOTAS", ""); v != "" {
			quotas = strings.Split(v, ",")
		}
		fs.Func("quota", "raise a quota as a Service Quotas increase would, e.g. lags-per-region=20; repeatable (env DXLAB_QUOTAS, comma-separated)", func(v string) error {
			quotas = append(quotas, v)
			return nil
		})
		return func(ctx context.Context, args []string) error {
			if len(args) > 0 {
				return usagef("serve takes no arguments, not %q; run \"dxlab serve --help\"", args[0])
			}
			// Where a value came from, for the message when it is bad.
			from := func(flagName, envName string) string {
				set := false
				fs.Visit(func(f *flag.Flag) { set = set || f.Name == flagName })
				if set {
					return "--" + flagName
				}
				return envName
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
				return usagef("%s %q is not a log level: use debug, info, warn or error", from("log-level", "DXLAB_LOG_LEVEL"), *logLevel)
			}
			prof, err := facility.ParseProfile(*profile)
			if err != nil {
				return usagef("%s %q is not a provisioning profile: use instant, realistic or manual", from("provisioning", "DXLAB_PROVISIONING"), *profile)
			}
			log, err := newLogger(io.err, *logFormat, level)
			if err != nil {
				return usagef("%s %q is not a log format: use text or json", from("log-format", "DXLAB_LOG_FORMAT"), *logFormat)
			}
			keep, err := time.ParseDuration(*retention)
			if err != nil || keep <= 0 {
				return usagef("%s %q is not a positive duration, e.g. 168h", from("event-retention", "DXLAB_EVENT_RETENTION"), *retention)
			}
			if *partners != "open" && *partners != "strict" {
				return usagef("%s %q is not open or strict", from("partners", "DXLAB_PARTNERS"), *partners)
			}
			if *gateways != "lenient" && *gateways != "strict" {
				return usagef("%s %q is not lenient or strict", from("gateways", "DXLAB_GATEWAYS"), *gateways)
			}
			authMode, err := protocol.ParseAuth(*auth)
			if err != nil {
				return usagef("%s %q: use accept-any or strict", from("auth", "DXLAB_AUTH"), *auth)
			}
			drainFor, err := time.ParseDuration(*drain)
			if err != nil || drainFor <= 0 {
				return usagef("%s %q is not a positive duration, e.g. 10s", from("drain-timeout", "DXLAB_DRAIN_TIMEOUT"), *drain)
			}
			opts := server.Options{DataDir: *dataDir, Store: *storeURL, Profile: prof, LocationsFile: *locations, Logger: log, EventRetention: keep,
				StrictPartners: *partners == "strict", Quotas: quotas,
				StrictGateways: *gateways == "strict", GatewaysFile: *gatewaysFile, Auth: authMode, OperatorToken: *token, ShutdownTimeout: drainFor}
			for _, h := range strings.Split(*allowedHosts, ",") {
				if h = strings.TrimSpace(h); h != "" {
					opts.AllowedHosts = append(opts.AllowedHosts, h)
				}
			}
			if *tokenFile != "" {
				if *token != "" {
					return usagef("give the operator token either by --operator-token or by --operator-token-file, not both")
				}
				data, err := os.ReadFile(*tokenFile)
				if err != nil {
					return fmt.Errorf("operator token: %w", err)
				}
				if opts.OperatorToken = strings.TrimSpace(string(data)); opts.OperatorToken == "" {
					return fmt.Errorf("operator token file %s is empty", *tokenFile)
				}
			}
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
			if err := srv.CheckListener(ln.Addr()); err != nil {
				ln.Close()
				srv.Close()
				return err
			}
			log.Info("dxlab serving", "url", "http://"+ln.Addr().String(), "console", "http://"+ln.Addr().String()+server.ConsolePath,
				"version", server.Version, "summary", srv.Describe())
			err = srv.Serve(ctx, ln)
			log.Info("dxlab stopped")
			return err
		}
	},
}

func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, errors.New(fmt.Sprint("unknown log format ", format))
}
