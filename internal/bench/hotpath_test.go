package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/protocol/awsjson"
	"github.com/dxlab/dxlab/internal/protocol/sigv4"
	"github.com/dxlab/dxlab/internal/store"
)

// BenchmarkRequestPath measures the hot parts of a request's way through
// dxlab, each alone, on requests the AWS SDK signed and answers dxlab gave,
// with a store holding hotPathConnections connections:
//
//	sigv4/parse            reading the credential scope of a signed request
//	decode/<op>            the awsJson body into the operation's input
//	validate/<op>          the model's constraints, and the dispatch to the handler
//	store/get              one record by id, in a read transaction
//	store/list-101         a page of an account's records, as a page of 100 reads
//	encode/<answer>        the output into the awsJson body
//	handler/<op>           all of it, in dxlab's HTTP handler with no network and
//	                       no client: the server's whole cost of a request
//
// The end-to-end figures, with the SDK's client and HTTP, are `dxlab bench`'s
// and internal/directconnect's benchmarks'. Run one part with, e.g.,
// go test ./internal/bench -run XXX -bench 'RequestPath/decode'.
func BenchmarkRequestPath(b *testing.B) {
	f := newHotPath(b)
	describe := f.requests[opDescribe]
	create := f.requests[opCreate]
	svc := dxapi.Service(stub{})

	b.Run("sigv4/parse", func(b *testing.B) {
		r := describe.http()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := sigv4.Parse(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, req := range []capturedRequest{describe, create} {
		op := svc.Operations[req.op]
		b.Run("decode/"+req.op, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := awsjson.Decode(req.body, op.NewInput()); err != nil {
					b.Fatal(err)
				}
			}
		})
		in := op.NewInput()
		if err := awsjson.Decode(req.body, in); err != nil {
			b.Fatal(err)
		}
		b.Run("validate/"+req.op, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := op.Invoke(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	b.Run("store/get", func(b *testing.B) {
		ctx := context.Background()
		r := newRand()
		b.ReportAllocs()
		for b.Loop() {
			id := f.ids.pick(0, r)
			err := f.target.store.View(ctx, func(rd store.Reader) error {
				_, err := rd.Get(ctx, f.kind, id)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("store/list-101", func(b *testing.B) {
		ctx := context.Background()
		q := store.ListQuery{Kind: f.kind, Account: f.accounts[0], Region: "us-east-1", Limit: 101}
		b.ReportAllocs()
		for b.Loop() {
			err := f.target.store.View(ctx, func(rd store.Reader) error {
				recs, err := rd.List(ctx, q)
				if err == nil && len(recs) != 101 {
					err = fmt.Errorf("%d records, want 101", len(recs))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})

	for _, enc := range []struct {
		name   string
		answer []byte
	}{{"encode/Connection", f.answers[opDescribe]}, {"encode/Connections-100", f.answers[opDescribePage]}} {
		var out dxapi.Connections
		if err := json.Unmarshal(enc.answer, &out); err != nil {
			b.Fatal(err)
		}
		b.Run(enc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(enc.answer)))
			for b.Loop() {
				if _, err := awsjson.Encode(&out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	for _, name := range []string{opDescribe, opDescribePage, opCreate} {
		reqs := []capturedRequest{f.requests[name]}
		if name == opCreate {
			reqs = f.creates
		}
		b.Run("handler/"+reqs[0].name(), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				w := httptest.NewRecorder()
				f.target.handler.ServeHTTP(w, reqs[i%len(reqs)].http())
				if w.Code != http.StatusOK {
					b.Fatalf("%d: %s", w.Code, w.Body)
				}
				i++
			}
		})
	}
}

// hotPathConnections is how many connections the store holds, seeded.
const hotPathConnections = 10000

// hotPath is what the benchmarks share: a dxlab of the bench's own,
// seeded, with requests the SDK signed for it and the answers it gave.
type hotPath struct {
	target   *target
	kind     string
	accounts []string
	ids      *idPool
	requests map[string]capturedRequest
	answers  map[string][]byte
	// creates are the CreateConnection request at each place in turn, so
	// that a long benchmark fills the region's ports last. dxlab checks no
	// signature (its default, accept-any), so a body may change under one.
	creates []capturedRequest
}

func newHotPath(b *testing.B) *hotPath {
	b.Helper()
	ctx := context.Background()
	tg, err := startDxlab(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { tg.stop() })
	accounts := []string{"111100000001"}
	cl := newClients(tg.url, "us-east-1", accounts, 1)
	b.Cleanup(cl.close)
	env := &environment{region: "us-east-1", accounts: accounts}
	if env.places, err = places(ctx, cl.byAccount[0]); err != nil {
		b.Fatal(err)
	}
	tmpl, _, err := makeTemplate(ctx, tg, cl, env)
	if err != nil {
		b.Fatal(err)
	}
	f := &hotPath{target: tg, kind: tmpl.record.Kind, accounts: accounts,
		requests: map[string]capturedRequest{}, answers: map[string][]byte{}}
	if f.ids, err = seed(ctx, tg.store, tmpl, accounts, hotPathConnections, nil); err != nil {
		b.Fatal(err)
	}
	// One call of each kind through a client that keeps what it sent and
	// what came back.
	rec := &recordingClient{next: readOnlyBodies{cl.http}}
	c := cl.byAccount[0]
	with := func(o *directconnect.Options) { o.HTTPClient = rec }
	calls := []struct {
		op   string
		call func() error
	}{
		{opDescribe, func() error {
			_, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(f.ids.pick(0, newRand()))}, with)
			return err
		}},
		{opDescribePage, func() error {
			_, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{MaxResults: aws.Int32(100)}, with)
			return err
		}},
		{opCreate, func() error {
			_, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String(env.places[1].location),
				Bandwidth: aws.String(env.places[1].bandwidth), ConnectionName: aws.String("bench")}, with)
			return err
		}},
	}
	for _, call := range calls {
		if err := call.call(); err != nil {
			b.Fatalf("%s: %v", call.op, err)
		}
		req := rec.request
		req.op, req.label = rec.request.op, call.op
		f.requests[call.op] = req
		f.answers[call.op] = rec.answer
	}
	for _, p := range env.places {
		req := f.requests[opCreate]
		req.body, err = json.Marshal(map[string]string{"location": p.location, "bandwidth": p.bandwidth, "connectionName": "bench"})
		if err != nil {
			b.Fatal(err)
		}
		f.creates = append(f.creates, req)
	}
	return f
}

// name is the benchmark's name of the request, without spaces.
func (c capturedRequest) name() string {
	if c.label == opDescribePage {
		return "DescribeConnections-page-100"
	}
	return c.op
}

// http makes the request anew, as the server would receive it.
func (c capturedRequest) http() *http.Request {
	r := httptest.NewRequest(c.method, c.url, bytes.NewReader(c.body))
	r.Header = c.header.Clone()
	r.ContentLength = int64(len(c.body))
	return r
}

// stub answers without doing anything, so that validate/<op> measures the
// model's validators and the dispatch alone.
type stub struct{ dxapi.Unimplemented }

func (stub) DescribeConnections(context.Context, *dxapi.DescribeConnectionsRequest) (*dxapi.Connections, error) {
	return &dxapi.Connections{}, nil
}

func (stub) CreateConnection(context.Context, *dxapi.CreateConnectionRequest) (*dxapi.Connection, error) {
	return &dxapi.Connection{}, nil
}
