package opapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/server"
	"github.com/dxlab/dxlab/opclient"
)

const (
	account  = "111122223333"
	account2 = "444455556666"
	region   = "us-east-1"
)

// lab is a whole dxlab with the manual profile, served without its driver:
// dxlabtest's instance runs the facility's driver on a real timer, which
// could fire due steps between a test's clock advance and its fire-due
// call, so counts of fired steps would depend on real time. Here only the
// operator API fires steps.
type lab struct {
	t     *testing.T
	url   string
	clock clock.Advancer
}

func newLab(t *testing.T, c clock.Advancer) *lab {
	srv, err := server.New(server.Options{DataDir: t.TempDir(), Profile: facility.Manual, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return &lab{t: t, url: ts.URL, clock: c}
}

func newFakeLab(t *testing.T) *lab { return newLab(t, clock.NewFake(dxlabtest.Start)) }

// dx is the real SDK client signing as account.
func (l *lab) dx(account string) *directconnect.Client {
	return directconnect.New(directconnect.Options{
		Region:           region,
		BaseEndpoint:     aws.String(l.url),
		Credentials:      credentials.NewStaticCredentialsProvider(account, "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// call sends an operator request and decodes its JSON answer into out.
func (l *lab) call(method, path string, out any) int {
	l.t.Helper()
	req, err := http.NewRequestWithContext(l.t.Context(), method, l.url+path, nil)
	if err != nil {
		l.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		l.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		l.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			l.t.Fatalf("%s %s: %v: %s", method, path, err, body)
		}
	}
	return resp.StatusCode
}

// wantError checks that a request is refused with status and a JSON error.
func (l *lab) wantError(method, path string, status int) {
	l.t.Helper()
	var e struct{ Error string }
	if got := l.call(method, path, &e); got != status || e.Error == "" {
		l.t.Errorf("%s %s: %d %q, want %d with an error message", method, path, got, e.Error, status)
	}
}

func (l *lab) list(query string) opclient.TransitionList {
	l.t.Helper()
	var out opclient.TransitionList
	if code := l.call("GET", "/_dxlab/v1/transitions"+query, &out); code != http.StatusOK {
		l.t.Fatalf("list transitions%s: %d", query, code)
	}
	return out
}

func (l *lab) create(c *directconnect.Client, name string) string {
	l.t.Helper()
	out, err := c.CreateConnection(l.t.Context(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String(name),
	})
	if err != nil {
		l.t.Fatal(err)
	}
	return aws.ToString(out.ConnectionId)
}

func (l *lab) delete(c *directconnect.Client, id string) {
	l.t.Helper()
	if _, err := c.DeleteConnection(l.t.Context(), &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) state(c *directconnect.Client, id string) types.ConnectionState {
	l.t.Helper()
	out, err := c.DescribeConnections(l.t.Context(), &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
	if err != nil {
		l.t.Fatal(err)
	}
	if len(out.Connections) != 1 {
		l.t.Fatalf("describe %s: %d connections", id, len(out.Connections))
	}
	return out.Connections[0].ConnectionState
}

// fireDue asks the operator API to fire what is due and checks the count.
func (l *lab) fireDue(want int) {
	l.t.Helper()
	var out struct{ Fired int }
	if code := l.call("POST", "/_dxlab/v1/transitions/fire-due", &out); code != http.StatusOK || out.Fired != want {
		l.t.Fatalf("fire-due: %d, fired %d, want %d", code, out.Fired, want)
	}
}

func (l *lab) advance(by string) opclient.Clock {
	l.t.Helper()
	var out opclient.Clock
	if code := l.call("POST", "/_dxlab/v1/clock/advance?by="+url.QueryEscape(by), &out); code != http.StatusOK {
		l.t.Fatalf("advance by %s: %d", by, code)
	}
	return out
}

func (l *lab) now() opclient.Clock {
	l.t.Helper()
	var out opclient.Clock
	if code := l.call("GET", "/_dxlab/v1/clock", &out); code != http.StatusOK {
		l.t.Fatalf("clock: %d", code)
	}
	return out
}

func (l *lab) client() *opclient.Client { return opclient.New(l.url) }
