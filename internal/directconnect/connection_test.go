package directconnect_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"
	"github.com/aws/smithy-go"

	"github.com/dxlab/dxlab/internal/dxlabtest"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/store"
)

const (
	account  = "111122223333"
	account2 = "444455556666"
	region   = "us-east-1"
)

var ctx = context.Background()

// apiError asserts err is an API error with code and a message containing
// want.
func apiError(t *testing.T, err error, code, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("got %v, want a %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), want) {
		t.Fatalf("got %s %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, want)
	}
}

func create(t *testing.T, c *directconnect.Client, name string) *directconnect.CreateConnectionOutput {
	t.Helper()
	out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String(name),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func describe(t *testing.T, c *directconnect.Client, id string) types.Connection {
	t.Helper()
	out, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Connections) != 1 {
		t.Fatalf("describe %s: %d connections", id, len(out.Connections))
	}
	return out.Connections[0]
}

var idRE = regexp.MustCompile(`^dxcon-[a-z0-9]{8}$`)
var deviceRE = regexp.MustCompile(`^EqDC2-[a-z0-9]{12,13}$`)

func TestCreateConnectionLifecycle(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)

	out := create(t, c, "primary")
	if !idRE.MatchString(aws.ToString(out.ConnectionId)) {
		t.Errorf("connection id %q", aws.ToString(out.ConnectionId))
	}
	if out.ConnectionState != types.ConnectionStateRequested {
		t.Errorf("state at creation = %s, want requested", out.ConnectionState)
	}
	if aws.ToString(out.OwnerAccount) != account || aws.ToString(out.Region) != region || aws.ToString(out.Location) != "EqDC2" || aws.ToString(out.Bandwidth) != "1Gbps" {
		t.Errorf("connection fields: %+v", out)
	}
	for _, d := range []*string{out.AwsDevice, out.AwsDeviceV2, out.AwsLogicalDeviceId} {
		if !deviceRE.MatchString(aws.ToString(d)) {
			t.Errorf("device %q is not <location>-<id>", aws.ToString(d))
		}
	}

	// Instant provisioning: the next look finds it available.
	got := describe(t, c, *out.ConnectionId)
	if got.ConnectionState != types.ConnectionStateAvailable {
		t.Fatalf("state after provisioning = %s, want available", got.ConnectionState)
	}

	upd, err := c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: out.ConnectionId, ConnectionName: aws.String("renamed")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.ConnectionName) != "renamed" || aws.ToString(describe(t, c, *out.ConnectionId).ConnectionName) != "renamed" {
		t.Errorf("rename did not stick: %q", aws.ToString(upd.ConnectionName))
	}

	del, err := c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: out.ConnectionId})
	if err != nil {
		t.Fatal(err)
	}
	if del.ConnectionState != types.ConnectionStateDeleted {
		t.Errorf("state after delete = %s", del.ConnectionState)
	}
	if s := describe(t, c, *out.ConnectionId).ConnectionState; s != types.ConnectionStateDeleted {
		t.Errorf("deleted connection listed as %s", s)
	}
	_, err = c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: out.ConnectionId})
	apiError(t, err, "DirectConnectClientException", "already been deleted")
	_, err = c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: out.ConnectionId, ConnectionName: aws.String("x")})
	apiError(t, err, "DirectConnectClientException", "deleted")

	// Deleted connections stay listed for a while, then are gone.
	dx.Advance(14 * time.Minute)
	describe(t, c, *out.ConnectionId)
	dx.Advance(2 * time.Minute)
	_, err = c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: out.ConnectionId})
	apiError(t, err, "DirectConnectClientException", "Could not find Connection with ID "+*out.ConnectionId)

	// Every change is on the timeline, with who made it.
	want := []string{
		"create -> requested by api CreateConnection",
		"update requested -> pending by step connection.approve (aws-staff)",
		"update pending -> available by step connection.cross-connect (technician)",
		"update available -> available by api UpdateConnection",
		"update available -> deleted by api DeleteConnection",
		"delete deleted -> by step connection.forget (housekeeping)",
	}
	if got := timeline(t, dx, *out.ConnectionId); !slices.Equal(got, want) {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// timeline reads a resource's events from the store, one line each, and
// checks what every line has.
func timeline(t *testing.T, dx *dxlabtest.Instance, id string) []string {
	t.Helper()
	var events []store.Event
	err := dx.Server.Store().View(ctx, func(r store.Reader) (err error) {
		events, err = r.Events(ctx, store.EventQuery{ResourceID: id})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range events {
		if e.Account != account || e.Region != region || e.ResourceKind != "dx.connection" || e.At.Before(dxlabtest.Start) {
			t.Errorf("event %d: %+v", e.Seq, e)
		}
		line := fmt.Sprintf("%s %s -> %s by %s", e.Action, e.From, e.To, e.Cause.Type)
		switch e.Cause.Type {
		case store.CauseAPI:
			if e.Cause.Account != account || e.Cause.RequestID == "" {
				t.Errorf("event %d has no caller: %+v", e.Seq, e.Cause)
			}
			line += " " + e.Cause.Operation
		default:
			line += fmt.Sprintf(" %s (%s)", e.Cause.Step, e.Cause.Actor)
		}
		out = append(out, strings.Join(strings.Fields(line), " "))
	}
	return out
}

func TestRealisticProvisioningFollowsTheClock(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: facility.Realistic})
	c := dx.DirectConnect(account, region)
	id := *create(t, c, "slow").ConnectionId

	steps := []struct {
		advance time.Duration
		want    types.ConnectionState
	}{
		{0, types.ConnectionStateRequested},
		{facility.RealisticAWSStaff - time.Millisecond, types.ConnectionStateRequested},
		{time.Millisecond, types.ConnectionStatePending},
		{facility.RealisticTechnician, types.ConnectionStateAvailable},
	}
	for _, s := range steps {
		dx.Advance(s.advance)
		if got := describe(t, c, id).ConnectionState; got != s.want {
			t.Fatalf("after +%v: state %s, want %s", s.advance, got, s.want)
		}
	}
}

// A connection deleted while AWS is still reviewing it stays deleted: the
// provisioning steps it was waiting for are called off.
func TestDeleteWhileProvisioningCancelsTheSteps(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: facility.Realistic})
	c := dx.DirectConnect(account, region)
	id := *create(t, c, "short-lived").ConnectionId
	if _, err := c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	var pending transitions
	dx.Operator("GET", "/_dxlab/v1/transitions?resource="+id, &pending)
	if len(pending.Transitions) != 1 || pending.Transitions[0].Step != "connection.forget" {
		t.Fatalf("pending after delete: %+v", pending.Transitions)
	}
	dx.Advance(time.Minute)
	if got := describe(t, c, id).ConnectionState; got != types.ConnectionStateDeleted {
		t.Fatalf("a minute after deleting a requested connection it is %s", got)
	}
}

type transitions struct {
	Transitions []struct {
		ID               string `json:"id"`
		Step             string `json:"step"`
		ResourceID       string `json:"resourceId"`
		WaitsForOperator bool   `json:"waitsForOperator"`
	} `json:"transitions"`
}

func TestManualProvisioningWaitsForTheOperator(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: facility.Manual})
	c := dx.DirectConnect(account, region)
	id := *create(t, c, "manual").ConnectionId

	dx.Advance(24 * time.Hour)
	if got := describe(t, c, id).ConnectionState; got != types.ConnectionStateRequested {
		t.Fatalf("a day later without an operator: %s, want requested", got)
	}
	for _, want := range []types.ConnectionState{types.ConnectionStatePending, types.ConnectionStateAvailable} {
		var pending transitions
		if code := dx.Operator("GET", "/_dxlab/v1/transitions?resource="+id, &pending); code != 200 {
			t.Fatalf("list transitions: %d", code)
		}
		if len(pending.Transitions) != 1 || !pending.Transitions[0].WaitsForOperator {
			t.Fatalf("pending transitions of %s: %+v", id, pending)
		}
		if code := dx.Operator("POST", "/_dxlab/v1/transitions/"+pending.Transitions[0].ID+"/fire", nil); code != 200 {
			t.Fatalf("fire: %d", code)
		}
		if got := describe(t, c, id).ConnectionState; got != want {
			t.Fatalf("after firing %s: %s, want %s", pending.Transitions[0].Step, got, want)
		}
	}
	if code := dx.Operator("POST", "/_dxlab/v1/transitions/tr-nope/fire", nil); code != 404 {
		t.Errorf("firing an unknown transition: %d, want 404", code)
	}
}

func TestDescribeConnectionsPaginates(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	want := map[string]bool{}
	for i := range 5 {
		want[*create(t, c, fmt.Sprint("c", i)).ConnectionId] = true
	}
	seen := map[string]bool{}
	pages := 0
	var token *string
	for {
		out, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{MaxResults: aws.Int32(2), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, conn := range out.Connections {
			if seen[*conn.ConnectionId] {
				t.Errorf("%s listed twice", *conn.ConnectionId)
			}
			seen[*conn.ConnectionId] = true
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if pages != 3 || len(seen) != 5 {
		t.Errorf("%d pages, %d connections; want 3 pages of 5", pages, len(seen))
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("%s never listed", id)
		}
	}
	all, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
	if err != nil || len(all.Connections) != 5 || all.NextToken != nil {
		t.Errorf("unpaginated describe: %d connections, token %v, %v", len(all.Connections), all.NextToken, err)
	}
	_, err = c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{NextToken: aws.String("garbage")})
	apiError(t, err, "DirectConnectClientException", "pagination token")
}

func TestAccountsAndRegionsAreIsolated(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	mine := dx.DirectConnect(account, region)
	id := *create(t, mine, "mine").ConnectionId

	for _, other := range []struct{ account, region string }{{account2, region}, {account, "us-west-2"}, {account2, "eu-west-1"}} {
		c := dx.DirectConnect(other.account, other.region)
		_, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
		apiError(t, err, "DirectConnectClientException", "Could not find Connection with ID "+id)
		_, err = c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: aws.String(id), ConnectionName: aws.String("stolen")})
		apiError(t, err, "DirectConnectClientException", "Could not find Connection with ID "+id)
		_, err = c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String(id)})
		apiError(t, err, "DirectConnectClientException", "Could not find Connection with ID "+id)
		all, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
		if err != nil || len(all.Connections) != 0 {
			t.Errorf("%+v sees %d connections (%v)", other, len(all.Connections), err)
		}
		arn := fmt.Sprintf("arn:aws:directconnect:%s:%s:dxcon/%s", region, account, id)
		_, err = c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("k")}}})
		apiError(t, err, "DirectConnectClientException", "Could not find Connection")
	}
	if got := describe(t, mine, id); got.ConnectionState == types.ConnectionStateDeleted || aws.ToString(got.ConnectionName) != "mine" {
		t.Errorf("another account changed my connection: %s %q", got.ConnectionState, aws.ToString(got.ConnectionName))
	}
}

func TestCreateConnectionRejectsBadInput(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	cases := []struct {
		name string
		in   directconnect.CreateConnectionInput
		code string
		msg  string
	}{
		{"unknown location", directconnect.CreateConnectionInput{Location: aws.String("Nowhere1"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x")},
			"DirectConnectClientException", "Location Nowhere1 is not a valid Direct Connect location in us-east-1"},
		{"location of another region", directconnect.CreateConnectionInput{Location: aws.String("EqSe2-EQ"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x")},
			"DirectConnectClientException", "not a valid Direct Connect location"},
		{"hosted speed", directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("500Mbps"), ConnectionName: aws.String("x")},
			"DirectConnectClientException", "Bandwidth 500Mbps is not available for dedicated connections"},
		{"speed the location lacks", directconnect.CreateConnectionInput{Location: aws.String("QTDC2"), Bandwidth: aws.String("400Gbps"), ConnectionName: aws.String("x")},
			"DirectConnectClientException", "Bandwidth 400Gbps is not available at location QTDC2."},
		{"MACsec at 1G", directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x"), RequestMACSec: aws.Bool(true)},
			"DirectConnectClientException", "MACsec is not available for 1Gbps"},
		{"unknown LAG", directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x"), LagId: aws.String("dxlag-ffffffff")},
			"DirectConnectClientException", "Could not find Lag with ID dxlag-ffffffff"},
		{"duplicate tag keys", directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x"),
			Tags: []types.Tag{{Key: aws.String("a")}, {Key: aws.String("a")}}}, "DuplicateTagKeysException", ""},
		{"reserved tag key", directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x"),
			Tags: []types.Tag{{Key: aws.String("aws:owner")}}}, "DirectConnectClientException", "reserved"},
		{"tag key too long", directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x"),
			Tags: []types.Tag{{Key: aws.String(strings.Repeat("k", 129))}}}, "DirectConnectClientException", "'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"empty tag list", directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("x"),
			Tags: []types.Tag{}}, "DirectConnectClientException", "'tags'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateConnection(ctx, &tc.in)
			apiError(t, err, tc.code, tc.msg)
		})
	}
	all, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
	if err != nil || len(all.Connections) != 0 {
		t.Errorf("rejected requests left %d connections behind (%v)", len(all.Connections), err)
	}
}

func TestMalformedAndUnknownIDs(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	_, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String("foobar")})
	apiError(t, err, "DirectConnectClientException", "Connection ID foobar has an invalid format.")
	_, err = c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: aws.String("fake-connection")})
	apiError(t, err, "DirectConnectClientException", "Connection ID fake-connection has an invalid format.")
	_, err = c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: aws.String("dxcon-fzzzzzzz"), ConnectionName: aws.String("n")})
	apiError(t, err, "DirectConnectClientException", "Could not find Connection with ID dxcon-fzzzzzzz")
}

func TestMacSecConnection(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := dx.DirectConnect(account, region)
	out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("secure"), RequestMACSec: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.MacSecCapable) || aws.ToString(out.EncryptionMode) != "should_encrypt" || aws.ToString(out.PortEncryptionStatus) != "Encryption Down" {
		t.Errorf("MACsec fields: capable=%v mode=%q status=%q", aws.ToBool(out.MacSecCapable), aws.ToString(out.EncryptionMode), aws.ToString(out.PortEncryptionStatus))
	}
	upd, err := c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: out.ConnectionId, EncryptionMode: aws.String("must_encrypt")})
	if err != nil || aws.ToString(upd.EncryptionMode) != "must_encrypt" {
		t.Fatalf("update encryption mode: %v %v", upd, err)
	}
	_, err = c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: out.ConnectionId, EncryptionMode: aws.String("sometimes")})
	apiError(t, err, "DirectConnectClientException", "Encryption mode sometimes is not valid")

	plain := create(t, c, "plain")
	_, err = c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: plain.ConnectionId, EncryptionMode: aws.String("must_encrypt")})
	apiError(t, err, "DirectConnectClientException", "does not support MACsec")
}

func TestRestartKeepsConnectionsAndTheirSchedule(t *testing.T) {
	dir := t.TempDir()
	first := dxlabtest.New(t, dxlabtest.Options{Profile: facility.Realistic, DataDir: dir})
	id := *create(t, first.DirectConnect(account, region), "durable").ConnectionId
	first.Stop()

	second := dxlabtest.New(t, dxlabtest.Options{Profile: facility.Realistic, DataDir: dir, Clock: first.Clock})
	c := second.DirectConnect(account, region)
	if got := describe(t, c, id); got.ConnectionState != types.ConnectionStateRequested || aws.ToString(got.ConnectionName) != "durable" {
		t.Fatalf("after restart: %s %q", got.ConnectionState, aws.ToString(got.ConnectionName))
	}
	second.Advance(time.Minute)
	if got := describe(t, c, id).ConnectionState; got != types.ConnectionStateAvailable {
		t.Fatalf("the schedule did not survive the restart: %s", got)
	}
}
