// Package bench is dxlab's load tool, the engine of `dxlab bench`: it drives
// a dxlab with real SigV4-signed requests over HTTP from the AWS SDK for Go
// v2's Direct Connect client, many clients at once, in a named workload for
// a duration, and reports requests a second and latency percentiles per
// operation, and errors by code. In the same run it can measure the
// ceilings those figures are read against (a hello-world HTTP handler
// driven by the same clients, SQLite's single-row insert rate with
// dxlab's settings, and a create's rows alone in dxlab's schema) and
// reports each dxlab figure as a ratio to its ceiling.
//
// It starts a dxlab of its own in this process, on a temporary data
// directory under the instant profile, or drives one running elsewhere
// (Options.Endpoint). A dxlab of its own can be seeded with any number of
// connections through its store, a bench-only path (seed.go).
//
// Beside it, bench's tests hold the Go benchmarks of the request path's hot
// parts (hotpath_test.go): decoding, validation, the store's read, encoding.
package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"
	"github.com/aws/smithy-go"

	"github.com/dxlab/dxlab/internal/store"
)

// Options configures a run. The zero value of a field means its default.
type Options struct {
	// Endpoint is the URL of a running dxlab to drive; empty starts one in
	// this process.
	Endpoint string
	// OperatorToken is the operator token of the dxlab at Endpoint, if it
	// has one. The bench only reads through the operator API.
	OperatorToken string
	// DataDir, for a dxlab of the bench's own, is a data directory to use
	// and keep (a seeded store then serves later runs); default a temporary
	// one, removed at the end.
	DataDir string
	// Workload is Describe (default), Create or Mixed.
	Workload string
	// Client is SDK (default) or Raw: what sends the load's calls, to
	// dxlab and to the hello-world baseline alike.
	Client string
	// Concurrency is how many clients call at once; default 32.
	Concurrency int
	// Rate, when positive, paces the calls of all clients together to this
	// many a second (an open loop: a call is due at its time whether or
	// not the last was answered, and its latency counts from when it was
	// due), to measure latency at a given load instead of at the most the
	// clients can drive. The hello-world baseline runs unpaced.
	Rate float64
	// Duration is how long the load is measured; default 10 s. Warmup is
	// how long it runs before that, unmeasured; default 1 s.
	Duration time.Duration
	Warmup   time.Duration
	// Seed is how many connections to write through the store before the
	// run (seed.go). Only for a dxlab of the bench's own. The describe and
	// mixed workloads need connections: with neither Seed nor connections
	// in a kept DataDir, 1000 are seeded; against Endpoint, each account
	// creates PopulatePerAccount through the API instead.
	Seed int
	// Accounts is how many accounts the clients call as, in turn; default
	// 4.
	Accounts int
	// Region is where everything happens; default us-east-1.
	Region string
	// Baseline measures the hello-world and SQLite ceilings first (with
	// creates in the workload, a create's rows alone too), for the same
	// Duration each.
	Baseline bool
	// Progress gets progress lines while the run goes; nil for none.
	Progress io.Writer
	// ServerLog is the log of a dxlab of the bench's own; default none.
	ServerLog *slog.Logger
	// CPUProfile and MemProfile, when set, get a CPU profile of the
	// measured span of the dxlab load, and the process's allocations
	// (pprof's "allocs" profile) at its end; MemProfileBase gets the same
	// profile at its start, to subtract (go tool pprof -diff_base).
	CPUProfile, MemProfile, MemProfileBase io.Writer
}

// setupTimeout bounds the API calls that set a run up (listing locations,
// the template, populating a dxlab at an endpoint).
const setupTimeout = time.Minute

// PopulatePerAccount is how many connections each account creates through
// the API before reading them from a dxlab running elsewhere: within AWS's
// default quota of ten per location.
const PopulatePerAccount = 8

// defaultSeed is how many connections a describe or mixed run on a new
// store of the bench's own seeds when not told.
const defaultSeed = 1000

func (o *Options) defaults() error {
	if o.Workload == "" {
		o.Workload = Describe
	}
	if o.Client == "" {
		o.Client = SDK
	}
	if o.Concurrency == 0 {
		o.Concurrency = 32
	}
	if o.Duration == 0 {
		o.Duration = 10 * time.Second
	}
	if o.Warmup == 0 {
		o.Warmup = time.Second
	}
	if o.Accounts == 0 {
		o.Accounts = 4
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	switch {
	case o.Concurrency < 0, o.Duration < 0, o.Warmup < 0, o.Accounts < 0, o.Seed < 0, o.Rate < 0:
		return errors.New("concurrency, duration, warm-up, accounts, seed and rate cannot be negative")
	case o.Accounts > 1000:
		return errors.New("at most 1000 accounts")
	case o.Client != SDK && o.Client != Raw:
		return fmt.Errorf("no client named %q: use %s", o.Client, joinOr(Clients))
	case o.Seed > 0 && o.Endpoint != "":
		return errors.New("seeding writes through the store of a dxlab the bench starts itself; a dxlab at an endpoint is populated through its API")
	case o.DataDir != "" && o.Endpoint != "":
		return errors.New("a data directory is for a dxlab the bench starts itself, not one at an endpoint")
	}
	return nil
}

// Report is what a run measured.
type Report struct {
	Workload    string `json:"workload"`
	Client      string `json:"client"`
	Target      string `json:"target"`
	Concurrency int    `json:"concurrency"`
	// Rate is the pace the calls were sent at, a second; 0 for as fast as
	// the clients could.
	Rate     float64 `json:"rate,omitempty"`
	Accounts int     `json:"accounts"`
	// DurationSeconds is the measured span of each phase.
	DurationSeconds float64 `json:"durationSeconds"`
	// Seeded connections, and how long seeding them took.
	Seeded      int     `json:"seeded"`
	SeedSeconds float64 `json:"seedSeconds,omitempty"`
	// Connections is how many connections the workload read and changed.
	Connections int `json:"connections"`
	// Operations are dxlab's figures per operation, "total" last when
	// there are several.
	Operations []OpStats `json:"operations"`
	// AllocsPerRequest is the process's heap allocations per answered
	// call: the clients' and, with dxlab in this process, dxlab's; GCs the
	// garbage collections during the measured span.
	AllocsPerRequest float64 `json:"allocsPerRequest"`
	GCs              uint32  `json:"gcs"`
	// Unanswered counts the calls to dxlab still unanswered ten seconds
	// after the end (then cancelled): more than none means it hangs.
	Unanswered int `json:"unanswered"`
	// The baselines, when measured.
	HelloWorld       *OpStats     `json:"helloWorld,omitempty"`
	HelloWorldAllocs float64      `json:"helloWorldAllocsPerRequest,omitempty"`
	SQLiteInserts    *InsertStats `json:"sqliteInserts,omitempty"`
	// SQLiteCreateRows is the floor of a create, with creates in the
	// workload.
	SQLiteCreateRows *CreateRowsStats `json:"sqliteCreateRows,omitempty"`
	// Ratios are dxlab's figures over their ceilings.
	Ratios []Ratio `json:"ratios,omitempty"`
}

// Ratio is one of dxlab's figures over its ceiling.
type Ratio struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Op returns the figures of one operation, or nil.
func (r *Report) Op(name string) *OpStats {
	for i := range r.Operations {
		if r.Operations[i].Operation == name {
			return &r.Operations[i]
		}
	}
	return nil
}

// Failed counts the failed and unanswered calls of the measured load,
// baselines included.
func (r *Report) Failed() int {
	n := 0
	for _, s := range r.Operations {
		if s.Operation != "total" {
			n += s.Errors
		}
	}
	if r.HelloWorld != nil {
		n += r.HelloWorld.Errors
	}
	return n + r.Unanswered
}

// Run measures a dxlab under a workload as opts says.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	ops, err := operations(opts.Workload)
	if err != nil {
		return nil, err
	}
	say := func(format string, args ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "bench: "+format+"\n", args...)
		}
	}

	var t *target
	if opts.Endpoint != "" {
		t, err = dialDxlab(ctx, opts.Endpoint, opts.OperatorToken)
	} else {
		log := opts.ServerLog
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		t, err = startDxlab(opts.DataDir, log)
	}
	if err != nil {
		return nil, err
	}
	defer t.stop()
	say("driving %s", t.describe)

	accounts := make([]string, opts.Accounts)
	for i := range accounts {
		accounts[i] = fmt.Sprintf("1111%08d", i+1)
	}
	cl := newClients(t.url, opts.Region, accounts, opts.Concurrency)
	defer cl.close()
	env := &environment{region: opts.Region, accounts: accounts}
	// The calls that set the run up are bounded: a server that hangs stops
	// the run with an error.
	setup, cancelSetup := context.WithTimeout(ctx, setupTimeout)
	defer cancelSetup()
	if env.places, err = places(setup, cl.byAccount[0]); err != nil {
		return nil, err
	}
	if opts.Client == Raw {
		if cl.raw, err = newRawClient(setup, t.url, cl); err != nil {
			return nil, err
		}
	}
	rep := &Report{Workload: opts.Workload, Client: opts.Client, Target: t.describe, Concurrency: opts.Concurrency, Rate: opts.Rate, Accounts: opts.Accounts,
		DurationSeconds: opts.Duration.Seconds()}

	// The template: a connection the service creates, which seeding copies
	// and whose answer the hello-world baseline gives.
	tmpl, answer, err := makeTemplate(setup, t, cl, env)
	if err != nil {
		return nil, err
	}

	if needsIDs(ops) || opts.Seed > 0 {
		if env.ids, err = populate(ctx, t, &opts, tmpl, cl, env, rep, say); err != nil {
			return nil, err
		}
		rep.Connections = env.ids.total()
		if rep.Connections == 0 {
			return nil, errNoIDs
		}
	}

	newPhase := func(name string, c *clients, ops []operation) *phase {
		return &phase{name: name, clients: c, ops: ops, env: env, concurrency: opts.Concurrency, rate: opts.Rate,
			warmup: opts.Warmup, duration: opts.Duration, progress: opts.Progress}
	}
	if opts.Baseline {
		hw, err := startHelloWorld(answer)
		if err != nil {
			return nil, err
		}
		hc := newClients(hw.url, opts.Region, accounts, opts.Concurrency)
		if cl.raw != nil {
			hc.raw = &rawClient{url: hw.url, http: hc.http, target: cl.raw.target, headers: cl.raw.headers}
		}
		describeOnly, _ := operations(Describe)
		hp := newPhase("hello-world", hc, describeOnly)
		hp.rate = 0 // a ceiling: as fast as the clients can
		if env.ids == nil {
			// The create workload reads nothing; the hello-world answers
			// any id alike.
			hp.env = &environment{region: env.region, accounts: accounts, ids: newIDPool(len(accounts))}
			for a := range accounts {
				hp.env.ids.add(a, tmpl.id)
			}
		}
		res := hp.run(ctx)
		hc.close()
		hw.stop()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.HelloWorld = &res.ops[0]
		rep.HelloWorld.Operation = "hello-world (" + opDescribe + ")"
		rep.HelloWorldAllocs = res.allocsPerRequest()

		dir, remove, err := tempDir()
		if err != nil {
			return nil, err
		}
		say("sqlite: single-row insert transactions for %s", opts.Duration)
		// Rows the size of a connection's document, or of its answer when
		// the store is out of reach.
		rowBytes := cmp.Or(len(tmpl.record.Data), len(answer))
		rep.SQLiteInserts, err = sqliteInserts(ctx, dir, rowBytes, opts.Duration)
		remove()
		if err != nil {
			return nil, fmt.Errorf("sqlite baseline: %w", err)
		}
		if slices.ContainsFunc(ops, func(o operation) bool { return o.name == opCreate }) {
			dir, remove, err := tempDir()
			if err != nil {
				return nil, err
			}
			say("sqlite: a create's rows alone for %s", opts.Duration)
			rep.SQLiteCreateRows, err = sqliteCreateRows(ctx, dir, opts.Duration)
			remove()
			if err != nil {
				return nil, fmt.Errorf("sqlite baseline of a create's rows: %w", err)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	name := "dxlab"
	if t.op == nil {
		name = "peer"
	}
	p := newPhase(name, cl, ops)
	p.measuring = opts.profiler()
	res := p.run(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Operations, rep.AllocsPerRequest, rep.GCs, rep.Unanswered = res.ops, res.allocsPerRequest(), res.gcs, res.unanswered
	rep.Ratios = ratios(rep, ops)
	return rep, nil
}

// makeTemplate creates a connection through the API as the first account,
// tagged as a fleet's would be, and returns its record (when the bench can
// reach the store) and the bytes of the answer to describing it.
func makeTemplate(ctx context.Context, t *target, cl *clients, env *environment) (template, []byte, error) {
	c := cl.byAccount[0]
	p := env.places[0]
	id, err := createConnection(ctx, c, cl, &directconnect.CreateConnectionInput{
		Location: aws.String(p.location), Bandwidth: aws.String(p.bandwidth), ConnectionName: aws.String("bench"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("network")}, {Key: aws.String("env"), Value: aws.String("bench")}},
	})
	if err != nil {
		return template{}, nil, fmt.Errorf("creating the template connection: %w", err)
	}
	// The answer, as bytes: the same client, through an HTTP client that
	// keeps the body it reads.
	keep := &keepBody{HTTPClient: readOnlyBodies{cl.http}}
	_, err = c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: &id},
		func(o *directconnect.Options) { o.HTTPClient = keep })
	if err != nil && !unreadable(err) {
		return template{}, nil, fmt.Errorf("describing the template connection: %w", err)
	}
	tmpl := template{id: id}
	if t.store != nil {
		res, err := t.op.Resource(ctx, id)
		if err != nil {
			return template{}, nil, fmt.Errorf("reading the template connection: %w", err)
		}
		err = t.store.View(ctx, func(r store.Reader) (err error) {
			tmpl.record, err = r.Get(ctx, res.Kind, id)
			return err
		})
		if err != nil {
			return template{}, nil, fmt.Errorf("reading the template connection: %w", err)
		}
		tmpl.state = res.State
	}
	return tmpl, keep.body, nil
}

// createConnection creates a connection and returns its id. From a peer
// whose answer the SDK cannot read (moto's says hasLogicalRedundancy is
// false, where the model has a string), the id is read from the answer's
// bytes.
func createConnection(ctx context.Context, c *directconnect.Client, cl *clients, in *directconnect.CreateConnectionInput) (string, error) {
	keep := &keepBody{HTTPClient: readOnlyBodies{cl.http}}
	out, err := c.CreateConnection(ctx, in, func(o *directconnect.Options) { o.HTTPClient = keep })
	if err == nil {
		return aws.ToString(out.ConnectionId), nil
	}
	var answer struct {
		ConnectionID string `json:"connectionId"`
	}
	if unreadable(err) && json.Unmarshal(keep.body, &answer) == nil && answer.ConnectionID != "" {
		return answer.ConnectionID, nil
	}
	return "", err
}

// unreadable says whether err is an answer the SDK could not read: a
// server's mistake, not a failed call.
func unreadable(err error) bool {
	var de *smithy.DeserializationError
	return errors.As(err, &de)
}

// keepBody keeps the body of the last answer it carries.
type keepBody struct {
	directconnect.HTTPClient
	body []byte
}

func (k *keepBody) Do(req *http.Request) (*http.Response, error) {
	resp, err := k.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	k.body, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(k.body))
	return resp, err
}

// populate provides the connections a workload reads and changes: seeded
// through the store of a dxlab of the bench's own, found in its kept
// store, or created through the API of one running elsewhere.
func populate(ctx context.Context, t *target, opts *Options, tmpl template, cl *clients, env *environment, rep *Report,
	say func(string, ...any)) (*idPool, error) {
	if t.store == nil {
		say("creating %d connections per account through the API", PopulatePerAccount)
		ctx, cancel := context.WithTimeout(ctx, setupTimeout)
		defer cancel()
		ids := newIDPool(len(env.accounts))
		for a := range env.accounts {
			w := &worker{n: a, account: a, c: cl.byAccount[a], env: env}
			for range PopulatePerAccount {
				p := env.places[w.calls%len(env.places)]
				id, err := createConnection(ctx, w.c, cl, &directconnect.CreateConnectionInput{
					Location: aws.String(p.location), Bandwidth: aws.String(p.bandwidth),
					ConnectionName: aws.String(fmt.Sprintf("bench-%d-%d", a, w.calls))})
				w.calls++
				if err != nil {
					return nil, fmt.Errorf("creating connections to read: %w", err)
				}
				ids.add(a, id)
			}
		}
		return ids, nil
	}
	n := opts.Seed
	if n == 0 && opts.DataDir != "" {
		kept, err := collectIDs(ctx, t.store, tmpl.record.Kind, env.region, env.accounts)
		if err != nil {
			return nil, err
		}
		// Beside the template, which this run made.
		if kept.total() > 1 {
			say("found %d connections in %s", kept.total(), t.dataDir)
			for a, account := range env.accounts {
				if kept.len(a) == 0 {
					return nil, fmt.Errorf("%s holds no connection of account %s to read: seed some (--seed)", t.dataDir, account)
				}
			}
			return kept, nil
		}
	}
	if n == 0 {
		n = defaultSeed
	}
	say("seeding %d connections through the store", n)
	start := time.Now()
	ids, err := seed(ctx, t.store, tmpl, env.accounts, n, func(done int) {
		if s := time.Since(start).Seconds(); s > 0 {
			say("seeded %d of %d (%.0f/s)", done, n, float64(done)/s)
		}
	})
	if err != nil {
		return nil, err
	}
	rep.Seeded, rep.SeedSeconds = n, time.Since(start).Seconds()
	return ids, nil
}

// profiler returns the phase's hook that profiles its measured span.
func (o *Options) profiler() func() func() {
	if o.CPUProfile == nil && o.MemProfile == nil {
		return nil
	}
	return func() func() {
		if o.MemProfileBase != nil {
			pprof.Lookup("allocs").WriteTo(o.MemProfileBase, 0)
		}
		cpu := o.CPUProfile != nil && pprof.StartCPUProfile(o.CPUProfile) == nil
		return func() {
			if cpu {
				pprof.StopCPUProfile()
			}
			if o.MemProfile != nil {
				pprof.Lookup("allocs").WriteTo(o.MemProfile, 0)
			}
		}
	}
}

// ratios reads dxlab's figures against their ceilings: reads against the
// hello-world handler, creates against SQLite's insert transactions and
// against a create's own rows in SQLite.
func ratios(rep *Report, ops []operation) []Ratio {
	var out []Ratio
	if hw := rep.HelloWorld; hw != nil && hw.PerSecond > 0 {
		if d := rep.Op(opDescribe); d != nil && rep.Workload == Describe {
			out = append(out, Ratio{opDescribe + " req/s ÷ hello-world req/s", d.PerSecond / hw.PerSecond})
		}
		if rep.Workload == Mixed {
			reads := 0.0
			for _, o := range ops {
				if s := rep.Op(o.name); s != nil && o.reads {
					reads += s.PerSecond
				}
			}
			out = append(out, Ratio{"reads req/s (of the mix) ÷ hello-world req/s", reads / hw.PerSecond})
			if tot := rep.Op("total"); tot != nil {
				out = append(out, Ratio{"all req/s ÷ hello-world req/s", tot.PerSecond / hw.PerSecond})
			}
		}
	}
	// Creates against a ceiling of SQLite's, per second.
	creates := func(ceiling string, perSecond float64) {
		c := rep.Op(opCreate)
		if c == nil || perSecond <= 0 {
			return
		}
		of := ""
		if rep.Workload == Mixed {
			of = " (of the mix)"
		}
		out = append(out, Ratio{opCreate + " req/s" + of + " ÷ " + ceiling, c.PerSecond / perSecond})
	}
	if ins := rep.SQLiteInserts; ins != nil {
		creates("SQLite insert transactions/s", ins.PerSecond)
	}
	if rows := rep.SQLiteCreateRows; rows != nil {
		creates("a create's rows alone in SQLite/s", rows.PerSecond)
	}
	return out
}
