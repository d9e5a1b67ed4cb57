// Package dxlabtest starts a real dxlab in-process for tests, on a random
// loopback port with a temporary data directory and a clock that moves only
// when the test says so, and hands out real AWS SDK clients pointed at it.
package dxlabtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
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
	"github.com/dxlab/dxlab/internal/server"
)

// Start is the clock's reading when an Instance starts.
var Start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Options configures an Instance; the zero value is the instant profile.
type Options struct {
	Profile facility.Profile
	// DataDir reuses a data directory (to test restarts); default a new
	// temporary one.
	DataDir  string
	Accounts *accounts.Directory
	// Clock is shared across restarts; default a new Fake at Start.
	Clock *clock.Fake
	// Locations replaces the location catalog (a file in its format).
	Locations string
	// StrictPartners and Quotas are as in server.Options.
	StrictPartners bool
	Quotas         []string
	// StrictGateways and GatewaysFile are as in server.Options.
	StrictGateways bool
	GatewaysFile   string
	// AllowErrors lets the test pass although dxlab logged errors. Without
	// it, every error dxlab logs (an internal error answered to a client, a
	// step that failed) fails the test.
	AllowErrors bool
}

// Instance is a running dxlab.
type Instance struct {
	t       testing.TB
	URL     string
	DataDir string
	Clock   *clock.Fake
	Server  *server.Server
	stop    context.CancelFunc
	done    chan error
}

// New starts a dxlab that stops when the test ends.
func New(t testing.TB, opts Options) *Instance {
	t.Helper()
	if opts.Profile == "" {
		opts.Profile = facility.Instant
	}
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.Clock == nil {
		opts.Clock = clock.NewFake(Start)
	}
	errs := newErrorLog()
	srv, err := server.New(server.Options{
		DataDir:  opts.DataDir,
		Profile:  opts.Profile,
		Accounts: opts.Accounts,
		Clock:    opts.Clock,
		Logger:   slog.New(errs),

		LocationsFile:  opts.Locations,
		StrictPartners: opts.StrictPartners,
		Quotas:         opts.Quotas,
		StrictGateways: opts.StrictGateways,
		GatewaysFile:   opts.GatewaysFile,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &Instance{
		t: t, URL: "http://" + ln.Addr().String(), DataDir: opts.DataDir, Clock: opts.Clock,
		Server: srv, stop: cancel, done: make(chan error, 1),
	}
	go func() { in.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		in.Stop()
		if logged := errs.lines(); len(logged) > 0 && !opts.AllowErrors {
			t.Errorf("dxlab logged %d errors:\n%s", len(logged), strings.Join(logged, "\n"))
		}
	})
	return in
}

// errorLog is a slog handler that keeps what is logged at error level: an
// error dxlab logs is one a user would find in its log.
type errorLog struct {
	sink  *errorSink
	attrs []slog.Attr
}

type errorSink struct {
	mu     sync.Mutex
	logged []string
}

func newErrorLog() *errorLog { return &errorLog{sink: &errorSink{}} }

func (h *errorLog) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	for _, a := range h.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	h.sink.logged = append(h.sink.logged, b.String())
	return nil
}

func (h *errorLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &errorLog{sink: h.sink, attrs: append(slices.Clone(h.attrs), attrs...)}
}

func (h *errorLog) WithGroup(string) slog.Handler { return h }

func (h *errorLog) lines() []string {
	h.sink.mu.Lock()
	defer h.sink.mu.Unlock()
	return slices.Clone(h.sink.logged)
}

// Stop shuts the instance down and waits for it; later calls do nothing.
func (in *Instance) Stop() {
	if in.stop == nil {
		return
	}
	in.stop()
	in.stop = nil
	if err := <-in.done; err != nil {
		in.t.Errorf("dxlab stopped with %v", err)
	}
}

// Advance moves the clock and fires every transition that came due. The
// server's own driver may have taken some of them first: Advance waits
// (briefly, in real time) until it has fired them too, so that what the
// test reads next is what they did.
func (in *Instance) Advance(d time.Duration) {
	in.t.Helper()
	in.Clock.Advance(d)
	f := in.Server.Facility()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if _, err := f.FireDue(context.Background()); err != nil {
			in.t.Fatal(err)
		}
		first, err := f.Pending(context.Background(), facility.PendingQuery{Limit: 1})
		if err != nil {
			in.t.Fatal(err)
		}
		due := len(first) == 1 && !first[0].DueAt.IsZero() && !first[0].DueAt.After(in.Clock.Now())
		if !due || time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond) // held by the driver, which is firing it
	}
}

// DirectConnect returns an SDK client signing as account in region.
func (in *Instance) DirectConnect(account, region string) *directconnect.Client {
	return directconnect.New(directconnect.Options{
		Region:           region,
		BaseEndpoint:     aws.String(in.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(account, "dxlab-test-secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       readOnlyBodies{&http.Client{Transport: awshttp.NewBuildableClient().GetTransport()}},
	})
}

// readOnlyBodies is the HTTP client of the SDK clients DirectConnect
// returns. It hides the WriteTo method of the SDK's request bodies from
// net/http: smithy-go closes a request's body as soon as the response's
// headers arrive, and WriteTo on the closed body answers io.EOF as an
// error. When dxlab answers before net/http has finished with the body
// (net/http reads on past Content-Length to check there is nothing more),
// net/http takes that io.EOF for a failed write and closes the connection
// under the response being read: the call fails with "use of closed network
// connection". Read on the closed body answers a plain end of file.
type readOnlyBodies struct{ *http.Client }

func (c readOnlyBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.Client.Do(req)
}

// Operator calls the operator API and decodes its JSON answer into out,
// returning the HTTP status.
func (in *Instance) Operator(method, path string, out any) int {
	in.t.Helper()
	resp, body := in.Raw(method, path, nil, nil)
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			in.t.Fatalf("%s %s: %v: %s", method, path, err, body)
		}
	}
	return resp.StatusCode
}

// Raw sends one raw HTTP request to the instance.
func (in *Instance) Raw(method, path string, headers map[string]string, body []byte) (*http.Response, []byte) {
	in.t.Helper()
	req, err := http.NewRequest(method, in.URL+path, bytes.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatal(err)
	}
	return resp, data
}

// SigV4 returns an Authorization header value whose credential scope names
// account (as a 12-digit access key) and region. The signature is not
// checked yet, so any will do.
func SigV4(account, region, service string) string {
	return fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/20261102/%s/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=%064d",
		account, region, service, 0)
}
