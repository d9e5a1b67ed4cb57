// Package dxlabtest runs a real dxlab inside a Go test: on a random loopback
// port, with a temporary store and a clock that moves only when the test
// says so. It hands out AWS SDK clients pointed at it, for any account and
// region, and drives the simulated world through dxlab's operator API:
// advance the clock, fire steps, wait for states.
//
//	func TestMyCode(t *testing.T) {
//		dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
//		client := directconnect.NewFromConfig(dx.AWSConfig("111122223333", "us-east-1"))
//		... create a connection with your code ...
//		dx.Fire(id)                  // AWS approves the request
//		dx.Fire(id)                  // the cross-connect is done
//		dx.WaitFor(id, "available")
//	}
//
// New stops the instance when the test ends, and fails the test if dxlab
// logged an error (an internal error answered to a client, a step that
// failed) unless Options.AllowErrors. Launch is for a TestMain or an example:
// it returns an instance to Close.
package dxlabtest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/internal/accounts"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/protocol"
	"github.com/dxlab/dxlab/internal/server"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/opclient"
)

// The provisioning profiles (dxlab's README tells what each does).
const (
	// Instant: every step happens at once; the default here.
	Instant = "instant"
	// Realistic: steps take seconds of the instance's clock; Advance it.
	Realistic = "realistic"
	// Manual: the steps of people wait until the test fires them.
	Manual = "manual"
)

// Start is the clock's reading when an instance starts with a new clock.
var Start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Options configures an instance; the zero value is the instant profile, a
// new temporary store and a new clock at Start.
type Options struct {
	// Profile is Instant, Realistic or Manual; default Instant.
	Profile string
	// DataDir reuses a data directory (to test a restart: stop the first
	// instance, then start another on its DataDir and Clock); default a new
	// temporary one.
	DataDir string
	// Accounts is the text of an accounts file (the AWS credentials format,
	// each profile with an aws_account_id), mapping access keys to accounts.
	// Without it, a 12-digit access key is the account and any other key is
	// the default account, 123456789012.
	Accounts string
	// Clock is the instance's clock; default NewClock(Start).
	Clock *Clock
	// Locations is a location catalog file replacing the built-in one (the
	// format of dxlab's --locations).
	Locations string
	// StrictPartners lets only the partners Accounts declares create
	// interconnects and allocate hosted connections (--partners strict).
	StrictPartners bool
	// Quotas raise Direct Connect quotas, as "name=value" (--quota).
	Quotas []string
	// StrictGateways accepts only registered VGWs and TGWs; GatewaysFile
	// registers some at start (--gateways strict, --gateways-file).
	StrictGateways bool
	GatewaysFile   string
	// Store is a postgres:// URL to keep everything in instead of the
	// embedded store.
	Store string
	// Auth is "accept-any" (the default: any signature) or "strict" (every
	// signature verified with the Accounts secrets).
	Auth string
	// WallClock is what strict auth checks signing times against; default
	// the system clock.
	WallClock interface{ Now() time.Time }
	// OperatorToken guards the operator API; default a random one, which
	// the instance's calls send. NoOperatorToken leaves it unguarded.
	OperatorToken   string
	NoOperatorToken bool
	// AllowErrors lets the test pass although dxlab logged errors.
	AllowErrors bool
	// Log, if set, receives dxlab's whole log (debug level, text).
	Log io.Writer
}

// Clock is an instance's clock: it moves only when told to.
type Clock struct{ fake *clock.Fake }

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{fake: clock.NewFake(start)} }

// Now reads the clock.
func (c *Clock) Now() time.Time { return c.fake.Now() }

// Advance moves the clock forward without firing anything; Instance.Advance
// also fires what came due.
func (c *Clock) Advance(d time.Duration) { c.fake.Advance(d) }

// Instance is a running dxlab.
type Instance struct {
	// URL is where it serves the AWS APIs and the operator API.
	URL     string
	DataDir string
	Clock   *Clock
	// OperatorToken is the token the instance's operator calls send.
	OperatorToken string

	t      testing.TB // nil for Launch's instances: failures panic
	opts   Options
	errs   *errorLog
	op     *opclient.Client
	server *server.Server
	stop   context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// New starts a dxlab that stops when the test ends. A failure to start fails
// the test.
func New(t testing.TB, opts Options) *Instance {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	in, err := start(t, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := in.Close(); err != nil {
			t.Error(err)
		}
	})
	return in
}

// Launch starts a dxlab outside a test (in a TestMain, an example). Close it
// when done; a DataDir it made is removed then. Its methods panic where an
// instance from New would fail its test.
func Launch(opts Options) (*Instance, error) { return start(nil, opts) }

func start(t testing.TB, opts Options) (*Instance, error) {
	if opts.Profile == "" {
		opts.Profile = Instant
	}
	prof, err := facility.ParseProfile(opts.Profile)
	if err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = NewClock(Start)
	}
	if opts.OperatorToken == "" && !opts.NoOperatorToken {
		opts.OperatorToken = "test-" + rand.Text()
	}
	auth, err := protocol.ParseAuth(cmp.Or(opts.Auth, string(protocol.AcceptAny)))
	if err != nil {
		return nil, err
	}
	so := server.Options{DataDir: opts.DataDir, Store: opts.Store, Profile: prof, Clock: opts.Clock.fake,
		LocationsFile: opts.Locations, StrictPartners: opts.StrictPartners, Quotas: opts.Quotas,
		Auth: auth, OperatorToken: opts.OperatorToken, StrictGateways: opts.StrictGateways, GatewaysFile: opts.GatewaysFile}
	if opts.WallClock != nil {
		so.WallClock = opts.WallClock
	}
	if opts.Accounts != "" {
		if so.Accounts, err = accounts.Parse(strings.NewReader(opts.Accounts)); err != nil {
			return nil, fmt.Errorf("dxlabtest: Options.Accounts: %w", err)
		}
	}
	var tmp string
	if so.DataDir == "" {
		if tmp, err = mkdirTemp(); err != nil {
			return nil, err
		}
		so.DataDir = tmp
	}
	errs := newErrorLog(opts.Log)
	so.Logger = slog.New(errs)
	srv, err := server.New(so)
	if err != nil {
		removeAll(tmp)
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		removeAll(tmp)
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &Instance{
		URL: "http://" + ln.Addr().String(), DataDir: so.DataDir, Clock: opts.Clock, OperatorToken: opts.OperatorToken,
		t: t, opts: opts, errs: errs, server: srv, stop: cancel, done: make(chan error, 1),
	}
	in.op = opclient.New(in.URL)
	in.op.Token = opts.OperatorToken
	go func() {
		err := srv.Serve(ctx, ln)
		removeAll(tmp)
		in.done <- err
	}()
	return in, nil
}

// Close stops the instance and waits for it: what New's cleanup does. It
// reports an error if dxlab stopped badly or logged errors (unless
// AllowErrors). Later calls return the same.
func (in *Instance) Close() error {
	in.once.Do(func() {
		in.stop()
		err := <-in.done
		if err != nil {
			err = fmt.Errorf("dxlab stopped with %w", err)
		}
		if logged := in.errs.lines(); len(logged) > 0 && !in.opts.AllowErrors {
			err = errors.Join(err, fmt.Errorf("dxlab logged %d errors:\n%s", len(logged), strings.Join(logged, "\n")))
		}
		in.err = err
	})
	return in.err
}

// Stop stops the instance now (to restart on its DataDir), failing the test
// if it stopped badly.
func (in *Instance) Stop() {
	if err := in.Close(); err != nil {
		in.fail(err)
	}
}

// fail fails the test, or panics for an instance from Launch.
func (in *Instance) fail(err error) {
	if in.t == nil {
		panic(err)
	}
	in.t.Helper()
	in.t.Fatal(err)
}

func (in *Instance) ctx() context.Context {
	if in.t != nil {
		if c, ok := in.t.(interface{ Context() context.Context }); ok {
			return c.Context()
		}
	}
	return context.Background()
}

// AWSConfig returns an AWS SDK configuration that signs as account (a
// 12-digit access key id, which dxlab takes as the account) in region and
// sends every service's requests to the instance.
func (in *Instance) AWSConfig(account, region string) aws.Config {
	return aws.Config{
		Region:           region,
		BaseEndpoint:     aws.String(in.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(account, "dxlabtest-secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       HTTPClient(),
	}
}

// HTTPClient is the HTTP client the instance's SDK clients use; give it to
// SDK clients made by hand (directconnect.Options.HTTPClient) that talk to
// dxlab at a high rate (see readOnlyBodies).
func HTTPClient() aws.HTTPClient {
	return readOnlyBodies{&http.Client{Transport: awshttp.NewBuildableClient().GetTransport()}}
}

// readOnlyBodies is the HTTP client of the SDK clients an instance gives
// out. It hides the WriteTo method of the SDK's request bodies from
// net/http: smithy-go closes a request's body as soon as the response's
// headers arrive, and WriteTo on the closed body answers io.EOF as an
// error. When dxlab answers before net/http has finished with the body,
// net/http takes that for a failed write and closes the connection under
// the response being read: the call fails with "use of closed network
// connection". Read on the closed body answers a plain end of file.
type readOnlyBodies struct{ *http.Client }

func (c readOnlyBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.Client.Do(req)
}

// DirectConnect returns a Direct Connect client signing as account in
// region.
func (in *Instance) DirectConnect(account, region string) *directconnect.Client {
	return directconnect.NewFromConfig(in.AWSConfig(account, region))
}

// Store is the instance's store, for dxlab's own tests of what only the
// store shows (which port a resource holds); users' tests go through the
// APIs.
func (in *Instance) Store() store.Store { return in.server.Store() }

// OperatorClient is the typed client of the instance's operator API.
func (in *Instance) OperatorClient() *opclient.Client { return in.op }

// Advance moves the clock forward and carries out every step that came due,
// through the operator API, as `dxlab advance` does; Advance(0) carries out
// what is due now.
func (in *Instance) Advance(d time.Duration) {
	if in.t != nil {
		in.t.Helper()
	}
	var err error
	if d > 0 {
		_, err = in.op.Advance(in.ctx(), d)
	} else {
		_, err = in.op.FireDue(in.ctx())
	}
	if err != nil {
		in.fail(err)
	}
}

// FireDue carries out every step that is due and reports how many.
func (in *Instance) FireDue() int {
	if in.t != nil {
		in.t.Helper()
	}
	n, err := in.op.FireDue(in.ctx())
	if err != nil {
		in.fail(err)
	}
	return n
}

// Fire carries out a resource's next pending step now, due or not (under
// Manual: AWS approving a connection, then the cross-connect being done),
// and returns it. A resource without a pending step fails the test.
func (in *Instance) Fire(resourceID string) opclient.Transition {
	if in.t != nil {
		in.t.Helper()
	}
	p, err := in.op.Transitions(in.ctx(), opclient.TransitionQuery{Resource: resourceID, Limit: 1})
	if err != nil {
		in.fail(err)
		return opclient.Transition{}
	}
	if len(p.Transitions) == 0 {
		in.fail(fmt.Errorf("dxlabtest: %s has no pending step to fire", resourceID))
		return opclient.Transition{}
	}
	t, err := in.op.Fire(in.ctx(), p.Transitions[0].ID)
	if err != nil {
		in.fail(err)
	}
	return t
}

// Pending lists a resource's pending steps ("" for all), due ones first.
func (in *Instance) Pending(resourceID string) []opclient.Transition {
	if in.t != nil {
		in.t.Helper()
	}
	all, err := in.op.AllTransitions(in.ctx(), opclient.TransitionQuery{Resource: resourceID})
	if err != nil {
		in.fail(err)
	}
	return all
}

// State is a resource's state, or "" if there is no such resource.
func (in *Instance) State(resourceID string) string {
	if in.t != nil {
		in.t.Helper()
	}
	r, err := in.op.Resource(in.ctx(), resourceID)
	if opclient.IsNotFound(err) {
		return ""
	}
	if err != nil {
		in.fail(err)
	}
	return r.State
}

// WaitTimeout bounds WaitFor, in real time.
const WaitTimeout = 10 * time.Second

// WaitFor waits until a resource is in state, for at most WaitTimeout of
// real time, failing the test with the last state seen otherwise. It fires
// nothing and does not move the clock: under Realistic, Advance first; under
// Manual, Fire.
func (in *Instance) WaitFor(resourceID, state string) opclient.Resource {
	if in.t != nil {
		in.t.Helper()
	}
	ctx, cancel := context.WithTimeout(in.ctx(), WaitTimeout)
	defer cancel()
	p, err := in.op.Wait(ctx, resourceID, state, 10*time.Millisecond, nil)
	if err != nil {
		in.fail(fmt.Errorf("dxlabtest: waiting for %s to be %s: %w", resourceID, state, err))
	}
	return p.Resource
}

// Events lists the events q selects, oldest first.
func (in *Instance) Events(q opclient.EventQuery) []opclient.Event {
	if in.t != nil {
		in.t.Helper()
	}
	evs, err := in.op.AllEvents(in.ctx(), q)
	if err != nil {
		in.fail(err)
	}
	return evs
}

// Operator calls the operator API and decodes its JSON answer into out,
// returning the HTTP status: for requests the typed client does not make.
func (in *Instance) Operator(method, path string, out any) int {
	if in.t != nil {
		in.t.Helper()
	}
	resp, body := in.Raw(method, path, nil, nil)
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			in.fail(fmt.Errorf("%s %s: %v: %s", method, path, err, body))
		}
	}
	return resp.StatusCode
}

// Raw sends one raw HTTP request to the instance.
func (in *Instance) Raw(method, path string, headers map[string]string, body []byte) (*http.Response, []byte) {
	if in.t != nil {
		in.t.Helper()
	}
	req, err := http.NewRequestWithContext(in.ctx(), method, in.URL+path, bytes.NewReader(body))
	if err != nil {
		in.fail(err)
	}
	if strings.HasPrefix(path, "/_dxlab/") && in.OperatorToken != "" {
		req.Header.Set("Authorization", "Bearer "+in.OperatorToken)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.fail(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		in.fail(err)
	}
	return resp, data
}

// SigV4 returns an Authorization header value whose credential scope names
// account (as a 12-digit access key) and region. dxlab does not check the
// signature by default, so any will do.
func SigV4(account, region, service string) string {
	return fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/20261102/%s/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=%064d",
		account, region, service, 0)
}
