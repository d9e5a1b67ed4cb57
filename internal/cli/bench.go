package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dxlab/dxlab/internal/bench"
)

var benchCommand = command{
	name: "bench",
	summary: `measure dxlab under load: requests a second and latency per operation, beside their ceilings

Drives dxlab with real signed requests over HTTP from the AWS SDK for Go's
Direct Connect client, --concurrency clients at once, for --duration after
a --warmup, and prints requests a second, p50/p90/p99/max latency per
operation and errors by code, with a progress line a second on stderr.

Without --endpoint it starts a dxlab of its own in this process, under the
instant profile, on a temporary data directory (or --data-dir, kept), and
removes it at the end. With --endpoint it drives the dxlab there instead;
give that one a quota for the creates, e.g.
--quota connections-per-location=1000000. DXLAB_ENDPOINT is not read: only
an explicit --endpoint points the load at a running dxlab.

Workloads:
  describe  DescribeConnections by id over a populated store
  create    CreateConnection (at 1 and 10 Gbps across the region's locations)
  mixed     90% reads (by id, a page of 100, DescribeTags of 3 ARNs) and
            10% changes (CreateConnection, TagResource, UpdateConnection),
            as several accounts
  paged     DescribeConnections, 100 at a time, each client following
            its nextToken through its account's connections and starting
            over after the last
  tags      DescribeTags of 3 connections' ARNs over a populated store

--seed N writes N connections through the store of the bench's own dxlab
before the run: a bench-only path that copies a connection the service
created, so that every Describe sees them as it sees created ones; they
claim no port or quota. --baseline first measures the ceilings: a
hello-world HTTP handler driven by the same clients, and SQLite's
single-row insert transactions with dxlab's settings; with creates in the
workload, also a create's rows alone (its claims, record, events and
reads) through the store's own statements with nothing around them, the
most creates a second any write path over them could answer. The report
gives dxlab's figures as ratios to them.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		endpoint := fs.String("endpoint", "", "URL of a running dxlab to drive; empty starts one in this process")
		dataDir := fs.String("data-dir", "", "for the bench's own dxlab: a data directory to use and keep instead of a temporary one")
		workload := fs.String("workload", bench.Describe, "describe, create, mixed, paged or tags")
		client := fs.String("client", bench.SDK, "sdk (the AWS SDK for Go's client, as users' programs call) or raw (the requests the SDK signed, replayed with net/http alone: a light client, as wrk is, so the server's cost is not diluted by the SDK's; needs dxlab's default auth, accept-any)")
		concurrency := fs.Int("concurrency", 32, "clients calling at once")
		rate := fs.Float64("rate", 0, "pace the clients' calls together at this many a second, each timed from when it was due (latency at a given load); 0 calls as fast as the clients can")
		duration := fs.Duration("duration", 10*time.Second, "how long the load is measured (each baseline too)")
		warmup := fs.Duration("warmup", time.Second, "how long the load runs before it is measured")
		seed := fs.Int("seed", 0, "connections to write through the store before the run (bench's own dxlab only); every workload but create seeds 1000 on a new store when not told")
		accounts := fs.Int("accounts", 4, "accounts the clients call as, in turn")
		region := fs.String("region", "us-east-1", "the region everything happens in")
		baseline := fs.Bool("baseline", false, "measure the hello-world and SQLite ceilings first, and print the ratios")
		output := fs.String("output", "table", "table (for people) or json (for scripts)")
		failOnErrors := fs.Bool("fail-on-errors", false, "exit 1 when any call failed (for CI: a smoke run whose calls fail is a failure)")
		logLevel := fs.String("log-level", "warn", "log level of the bench's own dxlab, on stderr: debug, info (a line per request, as dxlab serve logs by default), warn or error")
		cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured dxlab load to this file (go tool pprof)")
		memProfile := fs.String("memprofile", "", "write the allocations of the measured dxlab load to this file, and those before it to FILE.base (go tool pprof -sample_index=alloc_space -diff_base FILE.base FILE)")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("bench", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			if !slices.Contains(bench.Workloads, *workload) {
				return usagef("--workload %q: use %s", *workload, strings.Join(bench.Workloads, ", "))
			}
			if !slices.Contains(bench.Clients, *client) {
				return usagef("--client %q: use %s", *client, strings.Join(bench.Clients, " or "))
			}
			if *output != "table" && *output != "json" {
				return usagef("--output must be table or json, not %q", *output)
			}
			if *concurrency < 1 || *accounts < 1 || *accounts > 1000 || *duration <= 0 || *warmup < 0 || *seed < 0 || !(*rate >= 0) || math.IsInf(*rate, 0) {
				return usagef("--concurrency and --accounts (at most 1000) must be at least 1, --duration positive, --warmup, --seed and --rate not negative (and --rate a finite number)")
			}
			if *endpoint != "" && (*seed > 0 || *dataDir != "") {
				return usagef("--seed and --data-dir are for the bench's own dxlab; a dxlab at --endpoint is populated through its API")
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
				return usagef("--log-level %q is not a log level: use debug, info, warn or error", *logLevel)
			}
			opts := bench.Options{
				Endpoint: *endpoint, OperatorToken: env("DXLAB_OPERATOR_TOKEN", ""), DataDir: *dataDir,
				Workload: *workload, Client: *client, Concurrency: *concurrency, Rate: *rate, Duration: *duration, Warmup: *warmup,
				Seed: *seed, Accounts: *accounts, Region: *region, Baseline: *baseline, Progress: io.err,
				ServerLog: slog.New(slog.NewTextHandler(io.err, &slog.HandlerOptions{Level: level})),
			}
			// --warmup 0 means none; the engine's zero means its default.
			if *warmup == 0 {
				opts.Warmup = time.Nanosecond
			}
			var files []*os.File
			defer func() {
				for _, f := range files {
					f.Close()
				}
			}()
			create := func(name string) (*os.File, error) {
				f, err := os.Create(name)
				if err == nil {
					files = append(files, f)
				}
				return f, err
			}
			if *cpuProfile != "" {
				f, err := create(*cpuProfile)
				if err != nil {
					return err
				}
				opts.CPUProfile = f
			}
			if *memProfile != "" {
				f, err := create(*memProfile)
				if err != nil {
					return err
				}
				base, err := create(*memProfile + ".base")
				if err != nil {
					return err
				}
				opts.MemProfile, opts.MemProfileBase = f, base
			}
			rep, err := bench.Run(ctx, opts)
			if err != nil {
				return err
			}
			for _, f := range files {
				if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
					return err
				}
			}
			if *output == "json" {
				err = (&remote{io: io}).printJSON(rep)
			} else {
				fmt.Fprintln(io.out)
				err = rep.Print(io.out)
			}
			if err != nil {
				return err
			}
			if failed := rep.Failed(); *failOnErrors && failed > 0 {
				return fmt.Errorf("%d calls failed (--fail-on-errors)", failed)
			}
			return nil
		}
	},
}
