package bench

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/smithy-go"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/page"
	"github.com/dxlab/dxlab/opclient"
)

// These tests run the tool end to end, briefly, so that it cannot rot
// unnoticed. They assert what it does, never how fast.

// syncBuffer is a buffer the run's progress goes to while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The mixed workload with both baselines, on a dxlab of the bench's own
// seeded through its store: every call answered, every figure and ratio
// reported.
func TestMixedWithBaselines(t *testing.T) {
	var progress syncBuffer
	rep, err := Run(t.Context(), Options{Workload: Mixed, Concurrency: 4, Accounts: 2, Seed: 300,
		Duration: time.Second, Warmup: 200 * time.Millisecond, Baseline: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Seeded != 300 || rep.Connections != 300 {
		t.Errorf("seeded %d, reading %d; want 300 both", rep.Seeded, rep.Connections)
	}
	total := rep.Op("total")
	if total == nil || total.Requests == 0 || total.PerSecond <= 0 || total.P50 <= 0 || total.Max < total.P99 || total.P99 < total.P50 {
		t.Errorf("total: %+v", total)
	}
	for _, s := range rep.Operations {
		if s.Errors > 0 {
			t.Errorf("%s: %d errors: %v %v", s.Operation, s.Errors, s.ErrorCodes, s.ErrorExamples)
		}
	}
	if rep.Op(opDescribe) == nil {
		t.Errorf("no %s in %+v", opDescribe, rep.Operations)
	}
	if hw := rep.HelloWorld; hw == nil || hw.Requests == 0 || hw.Errors > 0 {
		t.Errorf("hello-world: %+v", hw)
	}
	if ins := rep.SQLiteInserts; ins == nil || ins.Transactions == 0 || ins.RowBytes == 0 {
		t.Errorf("sqlite: %+v", ins)
	}
	if rows := rep.SQLiteCreateRows; rows == nil || rows.Creates == 0 || rows.PerSecond <= 0 || rows.PerTransaction == 0 {
		t.Errorf("a create's rows: %+v", rows)
	}
	if len(rep.Ratios) != 4 {
		t.Errorf("ratios: %+v", rep.Ratios)
	}
	if rep.AllocsPerRequest <= 0 {
		t.Errorf("allocations per request: %v", rep.AllocsPerRequest)
	}
	var out bytes.Buffer
	if err := rep.Print(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"workload mixed", "300 connections seeded", opDescribe, opDescribeTags, "hello-world", "SQLite", "creates' rows alone", "ratios to the ceilings", "total"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"seeding 300 connections", "hello-world:", "sqlite:", "a create's rows", "dxlab:", "req/s"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("the progress lacks %q:\n%s", want, progress.String())
		}
	}
}

// The create workload needs no connections to read; every create is
// answered.
func TestCreate(t *testing.T) {
	rep, err := Run(t.Context(), Options{Workload: Create, Concurrency: 2, Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond,
		Baseline: true})
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Op(opCreate)
	if c == nil || c.Requests == 0 || c.Errors > 0 || rep.Seeded != 0 {
		t.Errorf("%+v, seeded %d", c, rep.Seeded)
	}
	// To SQLite's insert transactions, and to a create's rows alone.
	if len(rep.Ratios) != 2 || rep.Ratios[0].Value <= 0 || rep.Ratios[1].Value <= rep.Ratios[0].Value {
		t.Errorf("ratios: %+v", rep.Ratios)
	}
}

// A paced run sends its calls at the pace, all clients together: no more
// than the pace allows over the run (warm-up and measured span), and the
// report says the pace. The hello-world ceiling is not paced.
func TestPaced(t *testing.T) {
	const rate = 40
	rep, err := Run(t.Context(), Options{Workload: Describe, Concurrency: 8, Rate: rate, Seed: 10,
		Duration: 500 * time.Millisecond, Warmup: 250 * time.Millisecond, Baseline: true})
	if err != nil {
		t.Fatal(err)
	}
	d := rep.Op(opDescribe)
	// 0.75 s at 40 a second is 30 calls due, the first at once; the
	// measured span holds at most 21 of them.
	if d == nil || d.Requests == 0 || d.Requests > 21 || d.Errors > 0 {
		t.Errorf("paced at %d a second for 0.5 s: %+v", rate, d)
	}
	if rep.Rate != rate {
		t.Errorf("report's rate %v", rep.Rate)
	}
	if rep.HelloWorld == nil || rep.HelloWorld.Requests <= 21 {
		t.Errorf("the hello-world was paced too: %+v", rep.HelloWorld)
	}
}

// A dxlab running elsewhere is populated through its API, within AWS's
// default quota, and read.
func TestEndpoint(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	rep, err := Run(t.Context(), Options{Endpoint: dx.URL, Workload: Describe, Concurrency: 2, Accounts: 2,
		Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Op(opDescribe); d == nil || d.Requests == 0 || d.Errors > 0 || rep.Connections != 2*PopulatePerAccount {
		t.Errorf("%+v, reading %d connections", d, rep.Connections)
	}
	if _, err := Run(t.Context(), Options{Endpoint: dx.URL, Seed: 10}); err == nil {
		t.Error("seeding a dxlab at an endpoint: no error")
	}
}

// Every operation of the mix is answered: the mix's rarer ones may not come
// up in a short run.
func TestEveryOperation(t *testing.T) {
	ctx := t.Context()
	tg, cl, env := started(t, []string{"111100000001"})
	tmpl, _, err := makeTemplate(ctx, tg, cl, env)
	if err != nil {
		t.Fatal(err)
	}
	if env.ids, err = seed(ctx, tg.store, tmpl, env.accounts, 5, nil); err != nil {
		t.Fatal(err)
	}
	ops, err := operations(Mixed)
	if err != nil {
		t.Fatal(err)
	}
	w := &worker{c: cl.byAccount[0], env: env, rng: newRand()}
	for _, op := range ops {
		if err := op.call(w, ctx); err != nil {
			t.Errorf("%s: %v", op.name, err)
		}
	}
}

// A seeded connection is described, listed, looked up and on the timeline
// as the connection the service created that it copies.
func TestSeededAsCreated(t *testing.T) {
	ctx := t.Context()
	tg, cl, env := started(t, []string{"111100000001", "111100000002"})
	tmpl, _, err := makeTemplate(ctx, tg, cl, env)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := seed(ctx, tg.store, tmpl, env.accounts, 6, nil)
	if err != nil {
		t.Fatal(err)
	}
	if ids.len(0) != 3 || ids.len(1) != 3 {
		t.Fatalf("seeded %d and %d, want 3 each", ids.len(0), ids.len(1))
	}
	describe := func(account int, id string) directconnect.DescribeConnectionsOutput {
		t.Helper()
		out, err := cl.byAccount[account].DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
		if err != nil {
			t.Fatalf("describing %s: %v", id, err)
		}
		return *out
	}
	created := describe(0, tmpl.record.ID).Connections[0]
	for a := range env.accounts {
		seeded := describe(a, ids.pick(a, newRand())).Connections[0]
		if seeded.ConnectionId == created.ConnectionId || aws.ToString(seeded.OwnerAccount) != env.accounts[a] {
			t.Errorf("seeded %s owned by %s", aws.ToString(seeded.ConnectionId), aws.ToString(seeded.OwnerAccount))
		}
		seeded.ConnectionId, seeded.OwnerAccount = created.ConnectionId, created.OwnerAccount
		if !reflect.DeepEqual(created, seeded) {
			t.Errorf("a seeded connection differs from the created one it copies:\ncreated %+v\nseeded  %+v", created, seeded)
		}
	}
	list, err := cl.byAccount[1].DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
	if err != nil || len(list.Connections) != 3 {
		t.Errorf("account 2 lists %d connections (%v), want 3", len(list.Connections), err)
	}
	id := ids.pick(1, newRand())
	res, err := tg.op.Resource(ctx, id)
	if err != nil || res.Kind != tmpl.record.Kind || res.State != "available" || res.Account != env.accounts[1] {
		t.Errorf("the operator API sees %+v (%v)", res, err)
	}
	events, err := tg.op.AllEvents(ctx, opclient.EventQuery{Resource: id})
	if err != nil || len(events) != 1 || events[0].Action != "create" || events[0].To != "available" || events[0].Cause.Type != "operator" {
		t.Errorf("the timeline of %s: %+v (%v)", id, events, err)
	}
}

// started starts a dxlab of the bench's own for a test, with clients for
// accounts.
func started(t *testing.T, accounts []string) (*target, *clients, *environment) {
	t.Helper()
	tg, err := startDxlab("", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tg.stop(); err != nil {
			t.Error(err)
		}
	})
	cl := newClients(tg.url, "us-east-1", accounts, 2)
	t.Cleanup(cl.close)
	env := &environment{region: "us-east-1", accounts: accounts}
	if env.places, err = places(context.Background(), cl.byAccount[0]); err != nil {
		t.Fatal(err)
	}
	return tg, cl, env
}

func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// A server that never answers ends the phase a grace period after its end,
// with its calls counted unanswered, instead of holding the run forever.
func TestHangingServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	accounts := []string{"111100000001"}
	cl := newClients(srv.URL, "us-east-1", accounts, 2)
	defer cl.close()
	env := &environment{region: "us-east-1", accounts: accounts, ids: newIDPool(1)}
	env.ids.add(0, "dxcon-fffffff1")
	ops, _ := operations(Describe)
	p := &phase{name: "hanging", clients: cl, ops: ops, env: env, concurrency: 2, duration: 200 * time.Millisecond,
		grace: 100 * time.Millisecond}
	start := time.Now()
	res := p.run(t.Context())
	if res.unanswered != 2 || res.requests != 0 {
		t.Errorf("%d unanswered, %d answered; want 2 and 0", res.unanswered, res.requests)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the phase took %s", d)
	}
}

// The paged workload walks the whole listing, a page after another, and
// starts over after the last, with either client.
func TestPagedWalksTheListing(t *testing.T) {
	ctx := t.Context()
	tg, cl, env := started(t, []string{"111100000001"})
	tmpl, _, err := makeTemplate(ctx, tg, cl, env)
	if err != nil {
		t.Fatal(err)
	}
	// With the template, 250 connections: pages of 100, 100 and 50.
	if env.ids, err = seed(ctx, tg.store, tmpl, env.accounts, 249, nil); err != nil {
		t.Fatal(err)
	}
	if cl.raw, err = newRawClient(ctx, tg.url, cl); err != nil {
		t.Fatal(err)
	}
	ops, err := operations(Paged)
	if err != nil || len(ops) != 1 {
		t.Fatalf("%v, %v", ops, err)
	}
	for _, client := range Clients {
		w := &worker{c: cl.byAccount[0], env: env, rng: newRand()}
		if client == Raw {
			w.raw = cl.raw
		}
		var tokens []string
		for range 4 {
			if err := ops[0].call(w, ctx); err != nil {
				t.Fatalf("%s: %v", client, err)
			}
			tokens = append(tokens, aws.ToString(w.next))
		}
		// After the first page, the second, the last, and the first again.
		if tokens[0] == "" || tokens[1] == "" || tokens[1] == tokens[0] || tokens[2] != "" || tokens[3] != tokens[0] {
			t.Errorf("%s: tokens after each page %q", client, tokens)
		}
	}
}

// DescribeConnections without maxResults answers every connection up to
// page.MaxWhole, and refuses more with DirectConnectClientException saying
// how to page, instead of reading them all (issue 12: a million connections
// listed in bounded memory); with maxResults the same connections page.
func TestUnpagedListingRefusedPastMaxWhole(t *testing.T) {
	ctx := t.Context()
	tg, cl, env := started(t, []string{"111100000001", "111100000002"})
	tmpl, _, err := makeTemplate(ctx, tg, cl, env)
	if err != nil {
		t.Fatal(err)
	}
	// The template and MaxWhole-1 copies: MaxWhole for the first account.
	if _, err := seed(ctx, tg.store, tmpl, env.accounts[:1], page.MaxWhole-1, nil); err != nil {
		t.Fatal(err)
	}
	c := cl.byAccount[0]
	out, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
	if err != nil || len(out.Connections) != page.MaxWhole || out.NextToken != nil {
		t.Fatalf("at MaxWhole: %v, %d connections", err, len(out.Connections))
	}
	if _, err := seed(ctx, tg.store, tmpl, env.accounts[:1], 1, nil); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "DirectConnectClientException" ||
		!strings.Contains(api.ErrorMessage(), "maxResults") || !strings.Contains(api.ErrorMessage(), "nextToken") {
		t.Fatalf("past MaxWhole: %v, want a DirectConnectClientException saying to page", err)
	}
	n := 0
	var next *string
	for {
		out, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{MaxResults: aws.Int32(100), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Connections)
		if next = out.NextToken; next == nil {
			break
		}
	}
	if n != page.MaxWhole+1 {
		t.Errorf("paged through %d connections, want %d", n, page.MaxWhole+1)
	}
	// Another account's listing is unaffected.
	if out, err := cl.byAccount[1].DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{}); err != nil || len(out.Connections) != 0 {
		t.Errorf("the other account: %v, %v", out, err)
	}
}
