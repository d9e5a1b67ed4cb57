package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/cli"
	"github.com/dxlab/dxlab/opclient"
)

// syncBuffer is a buffer a command writes to while the test reads it.
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

type result struct {
	code           int
	stdout, stderr string
}

// run runs one dxlab command line as the binary would and returns its exit
// code and output.
func run(ctx context.Context, args ...string) result {
	var out, errOut syncBuffer
	code := cli.ExitCode(cli.Run(ctx, args, &out, &errOut), &errOut)
	return result{code, out.String(), errOut.String()}
}

// at runs a command against a dxlab.
func at(t *testing.T, dx *dxlabtest.Instance, args ...string) result {
	t.Helper()
	// The commands send the operator token the environment gives them.
	t.Setenv("DXLAB_OPERATOR_TOKEN", dx.OperatorToken)
	return run(t.Context(), append(args, "--endpoint", dx.URL)...)
}

func (r result) want(t *testing.T, code int, contains ...string) {
	t.Helper()
	for _, s := range contains {
		if !strings.Contains(r.stdout+r.stderr, s) {
			t.Errorf("output lacks %q:\nstdout:\n%s\nstderr:\n%s", s, r.stdout, r.stderr)
		}
	}
	if r.code != code {
		t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

func create(t *testing.T, dx *dxlabtest.Instance) string {
	t.Helper()
	out, err := dx.DirectConnect("111122223333", "us-east-1").CreateConnection(t.Context(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("primary"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ConnectionId)
}

func TestHelpVersionAndUsageErrors(t *testing.T) {
	ctx := t.Context()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := run(ctx, args...)
		r.want(t, 0, "usage: dxlab <command>", "wait", "events", "fire")
		if r.stderr != "" {
			t.Errorf("%v wrote to stderr: %s", args, r.stderr)
		}
	}
	for _, cmd := range []string{"serve", "status", "steps", "fire", "fire-due", "clock", "advance", "resource", "wait", "events", "version",
		"cross-connect", "port", "device", "bgp", "routes", "portal", "propose", "remote-routes", "gateways", "gateway", "bench"} {
		run(ctx, cmd, "--help").want(t, 0, "usage: dxlab "+cmd)
		run(ctx, "help", cmd).want(t, 0, "usage: dxlab "+cmd)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if r := run(ctx, args...); r.code != 0 || !strings.HasPrefix(r.stdout, "dxlab ") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"launch"}, `unknown command "launch"`},
		{[]string{"steps", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"steps", "--output", "yaml"}, `--output must be table or json, not "yaml"`},
		{[]string{"advance", "soon"}, `"soon" is not a positive duration`},
		{[]string{"advance"}, "advance takes one duration"},
		{[]string{"wait", "dxcon-x"}, "wait takes a resource id and a state"},
		{[]string{"wait", "dxcon-x", "available", "--timeout", "forever"}, "invalid value"},
		{[]string{"fire"}, "fire takes step ids or --resource"},
		{[]string{"events", "--since", "yesterday"}, "is neither a time"},
		{[]string{"serve", "--provisioning", "fast"}, `--provisioning "fast" is not a provisioning profile: use instant, realistic or manual`},
		{[]string{"serve", "--log-level", "loud"}, `--log-level "loud" is not a log level`},
		{[]string{"serve", "--log-format", "xml"}, `--log-format "xml" is not a log format`},
		{[]string{"serve", "--event-retention", "0s"}, "is not a positive duration"},
		{[]string{"serve", "extra"}, "serve takes no arguments"},
		{[]string{"--addr"}, "flag needs an argument"},
		{[]string{"cross-connect"}, "cross-connect takes one resource id"},
		{[]string{"cross-connect", "dxcon-x", "dxcon-y"}, "cross-connect takes one resource id"},
		{[]string{"port", "dxcon-x"}, "port takes a connection or interconnect id and down or up"},
		{[]string{"port", "dxcon-x", "sideways"}, `port: "sideways" is neither down nor up`},
		{[]string{"device", "EqDC2-x"}, "device takes a device id and down or up"},
		{[]string{"device", "EqDC2-x", "off"}, `device: "off" is neither down nor up`},
		{[]string{"bgp"}, "bgp takes a BGP peer id and down or up"},
		{[]string{"bgp", "dxpeer-x", "flap"}, `bgp: "flap" is neither down nor up`},
		{[]string{"routes"}, "routes takes a BGP peer id and the CIDRs"},
		{[]string{"portal"}, "portal takes one activation key"},
		{[]string{"portal", "key", "--reason", "no"}, "--reason goes with --refuse"},
		{[]string{"propose", "--environment", "mce-aws-gcp-iad"}, "propose needs --environment, --bandwidth, --account and --region"},
		{[]string{"propose", "extra"}, "propose takes no arguments"},
		{[]string{"remote-routes"}, "remote-routes takes an Interconnect connection id"},
		{[]string{"gateways", "extra"}, "gateways takes no arguments"},
		{[]string{"gateway", "vgw-x"}, "gateway takes register or remove and a VGW or TGW id"},
		{[]string{"gateway", "add", "vgw-x"}, `gateway: "add" is neither register nor remove`},
		{[]string{"gateway", "register", "vgw-x", "--region", "us-east-1"}, "gateway register needs --account and --region"},
		{[]string{"gateway", "remove", "vgw-x", "--cidr", "10.0.0.0/16"}, "gateway remove takes only the id"},
		{[]string{"gateway", "register", "vgw-x", "--asn", "big"}, "invalid value"},
	} {
		run(ctx, tc.args...).want(t, 2, tc.says)
	}
}

// Bad values from the environment are refused as clearly, naming the
// variable.
func TestServeRefusesBadEnvironment(t *testing.T) {
	t.Setenv("DXLAB_PROVISIONING", "fast")
	run(t.Context(), "serve").want(t, 2, `DXLAB_PROVISIONING "fast" is not a provisioning profile`)
	t.Setenv("DXLAB_PROVISIONING", "manual")
	t.Setenv("DXLAB_LOG_LEVEL", "chatty")
	run(t.Context()).want(t, 2, `DXLAB_LOG_LEVEL "chatty" is not a log level`)
}

// A connection goes through every state with dxlab commands alone.
func TestDriveAConnectionThroughItsStates(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	id := create(t, dx)

	at(t, dx, "steps").want(t, 0, "ID", "connection.approve", id, "waits for an operator")
	at(t, dx, "resource", id).want(t, 0, "dx.connection", "111122223333", "requested")
	at(t, dx, "status").want(t, 0, "provisioning", "manual", "accept-any", "dx.connection", "requested", "1 (1 waiting for an operator)",
		"web console", dx.URL+"/_dxlab/console/")
	at(t, dx, "fire", "--resource", id).want(t, 0, "fired", "connection.approve", id)
	at(t, dx, "wait", id, "pending", "--timeout", "10s").want(t, 0, id+" is pending")
	at(t, dx, "fire", "--resource", id, "--step", "connection.approve").want(t, 1, "has no pending connection.approve step")
	steps := dx.Pending(id)
	at(t, dx, "fire", steps[0].ID).want(t, 0, "connection.cross-connect")
	at(t, dx, "resource", id).want(t, 0, "available")
	at(t, dx, "fire", "--resource", id).want(t, 1, "has no pending step")
	at(t, dx, "fire", "tr-nothing").want(t, 1, "404", "no pending transition tr-nothing")
	at(t, dx, "steps").want(t, 0, "no pending steps")
	at(t, dx, "fire-due").want(t, 0, "fired 0 steps")
	at(t, dx, "clock").want(t, 0, "2026-11-02 09:00:00.000Z")
	at(t, dx, "advance", "15m").want(t, 0, "clock now 2026-11-02 09:15:00.000Z; fired 0 steps")

	r := at(t, dx, "events", "--resource", id, "--output", "json")
	var evs opclient.EventList
	if err := json.Unmarshal([]byte(r.stdout), &evs); err != nil || r.code != 0 {
		t.Fatalf("events --output json: %v %+v", err, r)
	}
	var got []string
	for _, e := range evs.Events {
		got = append(got, e.From+">"+e.To+" "+e.Cause.Type)
	}
	if want := ">requested api,requested>pending operator,pending>available operator"; strings.Join(got, ",") != want {
		t.Errorf("events %s, want %s", strings.Join(got, ","), want)
	}
	at(t, dx, "events", "--since", "2026-11-02T09:00:00Z", "--kind", "dx.connection").want(t, 0,
		"SEQ", "api CreateConnection by 111122223333", "operator fired connection.cross-connect (technician's step)")
	at(t, dx, "events", "--since", "10m").want(t, 0, "no events")
	at(t, dx, "events", "--account", "444455556666").want(t, 0, "no events")

	var h opclient.Health
	r = at(t, dx, "status", "--output", "json")
	if err := json.Unmarshal([]byte(r.stdout), &h); err != nil || h.Provisioning != "manual" || len(h.Resources) != 1 {
		t.Errorf("status --output json: %v %+v", err, h)
	}
}

// wait gives up after --timeout with the last state and the step it waits
// for, exit 1.
func TestWaitTimesOut(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	id := create(t, dx)
	at(t, dx, "wait", id, "available", "--timeout", "50ms", "--interval", "10ms").want(t, 1,
		"timed out after 50ms", `requested; next step connection.approve`, "waits for an operator: dxlab fire tr-")
	at(t, dx, "wait", "dxcon-nothere", "available", "--timeout", "30ms", "--interval", "10ms").want(t, 1, "dxcon-nothere: not found")
}

// wait follows a resource that someone else moves, and returns once it is
// there, having printed each state on the way.
func TestWaitFollowsProgress(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	id := create(t, dx)
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(t.Context(), []string{"wait", id, "available", "--endpoint", dx.URL, "--interval", "5ms", "--timeout", "1m"}, &out, &errOut)
	}()
	// A bounded poll for the first progress line, then move it on.
	for !strings.Contains(errOut.String(), id+": requested; next step connection.approve") {
		select {
		case err := <-done:
			t.Fatalf("wait ended early: %v\n%s", err, errOut.String())
		case <-t.Context().Done():
			t.Fatalf("no progress line:\n%s", errOut.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	dx.Fire(id)
	dx.Fire(id)
	if err := <-done; err != nil {
		t.Fatalf("wait: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), id+" is available") {
		t.Errorf("stdout %q", out.String())
	}
}

// events --follow prints what happens as it happens, until interrupted.
func TestEventsFollow(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	first := create(t, dx)
	ctx, cancel := context.WithCancel(t.Context())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"events", "--follow", "--interval", "5ms", "--endpoint", dx.URL}, &out, &errOut)
	}()
	second := create(t, dx)
	dx.Fire(first)
	// A bounded poll for the output, not a sleep.
	for !strings.Contains(out.String(), "operator fired connection.approve") {
		select {
		case err := <-done:
			t.Fatalf("events --follow ended early: %v\n%s%s", err, out.String(), errOut.String())
		case <-t.Context().Done():
			t.Fatalf("events --follow did not print the firing:\n%s", out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("events --follow ended with %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], first) || !strings.Contains(lines[2], second) || !strings.Contains(lines[3], first) {
		t.Errorf("want a header and three events in order:\n%s", out.String())
	}
}

// A second dxlab on a data directory in use fails at once, saying why.
func TestSecondServerOnADataDirectoryFails(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	var errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-format", "json"}, &syncBuffer{}, &errOut)
	}()
	for !strings.Contains(errOut.String(), `"msg":"dxlab serving"`) {
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, errOut.String())
		case <-t.Context().Done():
			t.Fatalf("serve did not start:\n%s", errOut.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	run(t.Context(), "serve", "--addr", "127.0.0.1:0", "--data-dir", dir).want(t, 1, "in use by another dxlab", "--data-dir")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the first serve ended with %v", err)
	}
}

// With --log-format json, every AWS request is one JSON line with who asked
// what and how it was answered; operator actions are logged too.
func TestServeLogsEachRequest(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--log-format", "json",
			"--provisioning", "manual"}, &syncBuffer{}, &errOut)
	}()
	url := ""
	for url == "" {
		for _, line := range strings.Split(errOut.String(), "\n") {
			var l struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "dxlab serving" {
				url = l.URL
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, errOut.String())
		case <-t.Context().Done():
			t.Fatalf("serve did not start:\n%s", errOut.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	client := directconnect.New(directconnect.Options{Region: "eu-west-1", BaseEndpoint: aws.String(url),
		Credentials: staticCreds{}, RetryMaxAttempts: 1})
	out, err := client.CreateConnection(t.Context(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqLD5"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("logged"),
	})
	if err != nil {
		t.Fatal(err)
	}
	run(t.Context(), "fire", "--resource", aws.ToString(out.ConnectionId), "--endpoint", url).want(t, 0, "fired")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var request, fired, step map[string]any
	for _, line := range strings.Split(errOut.String(), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil {
			continue
		}
		switch l["msg"] {
		case "request":
			request = l
		case "operator fired a step":
			fired = l
		case "step fired":
			step = l
		}
		if strings.Contains(line, "dxlab-secret") {
			t.Errorf("a secret was logged: %s", line)
		}
	}
	want := map[string]any{"level": "INFO", "service": "DirectConnect", "operation": "CreateConnection",
		"account": "210987654321", "region": "eu-west-1", "status": float64(200), "error_code": ""}
	for k, v := range want {
		if request[k] != v {
			t.Errorf("request line %s=%v, want %v (%v)", k, request[k], v, request)
		}
	}
	if request["request_id"] == "" || request["duration"] == nil {
		t.Errorf("request line without id or duration: %v", request)
	}
	if fired == nil || fired["step"] != "connection.approve" || step == nil || step["cause"] != "operator" {
		t.Errorf("operator action %v, step %v", fired, step)
	}
}

type staticCreds struct{}

func (staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "210987654321", SecretAccessKey: "dxlab-secret"}, nil
}
