package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/service/directconnect"
	sdktypes "github.com/aws/aws-sdk-go-v2/service/directconnect/types"
	"github.com/fxamacker/cbor/v2"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/interconnect"
	"github.com/dxlab/dxlab/internal/smithy"
)

// ic is an Interconnect client of one account in one region, speaking one
// protocol, with requests built from the generated icapi types.
type ic struct {
	t               *testing.T
	dx              *dxlabtest.Instance
	account, region string
	cbor            bool
}

// icErr is an error answer: status, short error code, message.
type icErr struct {
	Status  int
	Code    string
	Message string
}

func (e *icErr) String() string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// call sends op; out receives a 200 answer; an error answer comes back.
func (c ic) call(op string, in, out any) *icErr {
	c.t.Helper()
	var body []byte
	var err error
	headers := map[string]string{"Authorization": dxlabtest.SigV4(c.account, c.region, "interconnect")}
	path := "/"
	if c.cbor {
		body, err = cbor.Marshal(in)
		headers["Content-Type"], headers["Accept"], headers["Smithy-Protocol"] = "application/cbor", "application/cbor", "rpc-v2-cbor"
		path = "/service/Interconnect/operation/" + op
	} else {
		body, err = json.Marshal(in)
		headers["Content-Type"], headers["X-Amz-Target"] = "application/x-amz-json-1.0", "Interconnect."+op
	}
	if err != nil {
		c.t.Fatal(err)
	}
	resp, data := c.dx.Raw("POST", path, headers, body)
	unmarshal := json.Unmarshal
	if c.cbor {
		unmarshal = cbor.Unmarshal
	}
	if resp.StatusCode == http.StatusOK {
		if out != nil {
			if err := unmarshal(data, out); err != nil {
				c.t.Fatalf("%s: answer does not decode into the output shape: %v", op, err)
			}
		}
		return nil
	}
	var e map[string]any
	if err := unmarshal(data, &e); err != nil {
		c.t.Fatalf("%s: error body does not decode: %v %q", op, err, data)
	}
	checkNotInternal(c.t, op, resp, e)
	code, _ := e["__type"].(string)
	if c.cbor && !strings.HasPrefix(code, "com.amazonaws.interconnect#") {
		c.t.Errorf("%s: CBOR __type %q lacks the shape id namespace", op, code)
	}
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	msg, _ := e["message"].(string)
	return &icErr{resp.StatusCode, code, msg}
}

// must calls op and fails the test on an error answer.
func (c ic) must(op string, in, out any) {
	c.t.Helper()
	if e := c.call(op, in, out); e != nil {
		c.t.Fatalf("%s: %s", op, e)
	}
}

// refused calls op and checks it is refused with status and code.
func (c ic) refused(op string, in any, status int, code string) *icErr {
	c.t.Helper()
	e := c.call(op, in, nil)
	if e == nil || e.Status != status || e.Code != code || e.Message == "" {
		c.t.Errorf("%s: want %d %s, got %s", op, status, code, e)
	}
	return e
}

func (c ic) as(account, region string) ic { c.account, c.region = account, region; return c }

func (c ic) get(id string) *icapi.Connection {
	c.t.Helper()
	var out icapi.GetConnectionResponse
	c.must("GetConnection", icapi.GetConnectionRequest{Identifier: &id}, &out)
	return out.Connection
}

// gatewayFor creates a Direct Connect gateway with the SDK and waits for
// it to be available.
func gatewayFor(t *testing.T, dx *dxlabtest.Instance, account, name string) string {
	t.Helper()
	out, err := dx.DirectConnect(account, "us-east-1").CreateDirectConnectGateway(t.Context(), &sdk.CreateDirectConnectGatewayInput{
		DirectConnectGatewayName: smithy.Ptr(name)})
	if err != nil {
		t.Fatal(err)
	}
	dx.Advance(time.Minute)
	return *out.DirectConnectGateway.DirectConnectGatewayId
}

// operator sends a JSON body to the operator API.
func operator(t *testing.T, dx *dxlabtest.Instance, method, path string, body, out any) int {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, answer := dx.Raw(method, path, map[string]string{"Content-Type": "application/json"}, data)
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			t.Fatalf("%s %s: %v %s", method, path, err, answer)
		}
	}
	return resp.StatusCode
}

func createReq(dxgw string) icapi.CreateConnectionRequest {
	return icapi.CreateConnectionRequest{
		EnvironmentId: smithy.Ptr("mce-aws-gcp-iad"),
		Bandwidth:     smithy.Ptr("1Gbps"),
		AttachPoint:   &icapi.AttachPoint{DirectConnectGateway: smithy.Ptr(dxgw)},
	}
}

func bothProtocols(t *testing.T, fn func(t *testing.T, c ic)) {
	for _, p := range []string{"cbor", "json"} {
		t.Run(p, func(t *testing.T) {
			dx := dxlabtest.New(t, dxlabtest.Options{})
			fn(t, ic{t: t, dx: dx, account: account, region: "us-east-1", cbor: p == "cbor"})
		})
	}
}

var connectionIDForm = regexp.MustCompile(`^mcc-[a-z0-9]{8}$`)

func TestInterconnectConnectionLifecycle(t *testing.T) {
	bothProtocols(t, func(t *testing.T, c ic) {
		dx := c.dx
		dxgw := gatewayFor(t, dx, account, "to-gcp")

		var aps icapi.ListAttachPointsResponse
		c.must("ListAttachPoints", icapi.ListAttachPointsRequest{EnvironmentId: smithy.Ptr("mce-aws-gcp-iad")}, &aps)
		if len(aps.AttachPoints) != 1 || *aps.AttachPoints[0].Identifier != dxgw || *aps.AttachPoints[0].Name != "to-gcp" ||
			*aps.AttachPoints[0].Type != icapi.AttachPointTypeDirectConnectGateway {
			t.Fatalf("attach points: %+v", aps.AttachPoints)
		}
		c.refused("ListAttachPoints", icapi.ListAttachPointsRequest{EnvironmentId: smithy.Ptr("mce-aws-gcp-lhr")}, 404, "ResourceNotFoundException")

		req := createReq(dxgw)
		req.Description = smithy.Ptr("to GCP")
		req.RemoteAccount = &icapi.RemoteAccountIdentifier{Identifier: smithy.Ptr("my-gcp-project")}
		req.Tags = map[string]string{"team": "net"}
		req.ClientToken = smithy.Ptr("token-1")
		var created icapi.CreateConnectionResponse
		c.must("CreateConnection", req, &created)
		conn := created.Connection
		id := *conn.Id
		if !connectionIDForm.MatchString(id) || *conn.Arn != "arn:aws:interconnect:us-east-1:"+account+":connection/"+id ||
			*conn.State != icapi.ConnectionStateRequested || conn.ActivationKey == nil || len(*conn.SharedId) != 36 ||
			*conn.Type != "Multicloud" || *conn.Provider.CloudServiceProvider != "gcp" || *conn.Location != "us-east4" ||
			*conn.AttachPoint.DirectConnectGateway != dxgw || *conn.OwnerAccount != account || conn.Tags["team"] != "net" {
			t.Fatalf("created: %+v", conn)
		}
		// The same clientToken with the same parameters: the same
		// connection; with others: refused.
		var again icapi.CreateConnectionResponse
		c.must("CreateConnection", req, &again)
		if *again.Connection.Id != id {
			t.Errorf("a retried create made %s, want %s", *again.Connection.Id, id)
		}
		other := req
		other.Bandwidth = smithy.Ptr("2Gbps")
		if e := c.refused("CreateConnection", other, 400, "InterconnectClientException"); e != nil && !strings.Contains(e.Message, "clientToken") {
			t.Errorf("token reuse message: %s", e.Message)
		}

		// Instant: the partner's portal took the key at once.
		got := c.get(id)
		if *got.State != icapi.ConnectionStateAvailable || got.ActivationKey != nil || got.BillingTier == nil || *got.BillingTier != 1 {
			t.Errorf("after the portal: %+v", got)
		}
		// Operators find it by id, as `dxlab wait` does.
		if st := dx.State(id); st != string(icapi.ConnectionStateAvailable) {
			t.Errorf("the operator API sees %s as %q", id, st)
		}

		// A gateway with a connection attached cannot be deleted.
		dxc := dx.DirectConnect(account, "us-east-1")
		_, err := dxc.DeleteDirectConnectGateway(t.Context(), &sdk.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: &dxgw})
		if err == nil || !strings.Contains(err.Error(), "DirectConnectClientException") || !strings.Contains(err.Error(), id) {
			t.Errorf("deleting the gateway in use: %v", err)
		}

		// Lists, with filters and pages.
		second := createReq(dxgw)
		second.EnvironmentId = smithy.Ptr("mce-aws-oci-iad")
		var c2 icapi.CreateConnectionResponse
		c.must("CreateConnection", second, &c2)
		var list icapi.ListConnectionsResponse
		c.must("ListConnections", icapi.ListConnectionsRequest{}, &list)
		if len(list.Connections) != 2 {
			t.Fatalf("list: %+v", list.Connections)
		}
		for _, f := range []icapi.ListConnectionsRequest{
			{EnvironmentId: smithy.Ptr("mce-aws-oci-iad")},
			{Provider: &icapi.Provider{CloudServiceProvider: smithy.Ptr("oci")}},
			{State: smithy.Ptr(icapi.ConnectionStateAvailable), AttachPoint: &icapi.AttachPoint{DirectConnectGateway: &dxgw}, Provider: &icapi.Provider{CloudServiceProvider: smithy.Ptr("oci")}},
		} {
			var l icapi.ListConnectionsResponse
			c.must("ListConnections", f, &l)
			if len(l.Connections) != 1 || *l.Connections[0].Id != *c2.Connection.Id {
				t.Errorf("filter %+v: %+v", f, l.Connections)
			}
		}
		var none icapi.ListConnectionsResponse
		c.must("ListConnections", icapi.ListConnectionsRequest{State: smithy.Ptr(icapi.ConnectionStateDeleted)}, &none)
		if len(none.Connections) != 0 {
			t.Errorf("deleted filter: %+v", none.Connections)
		}
		seen := map[string]bool{}
		var token *string
		for range 3 {
			var p icapi.ListConnectionsResponse
			c.must("ListConnections", icapi.ListConnectionsRequest{MaxResults: smithy.Ptr(int32(1)), NextToken: token}, &p)
			for _, s := range p.Connections {
				seen[*s.Id] = true
			}
			if token = p.NextToken; token == nil {
				break
			}
		}
		if len(seen) != 2 || token != nil {
			t.Errorf("paging saw %v", seen)
		}
		c.refused("ListConnections", icapi.ListConnectionsRequest{NextToken: smithy.Ptr("bm9wZQ")}, 400, "InterconnectValidationException")
		c.refused("ListConnections", icapi.ListConnectionsRequest{MaxResults: smithy.Ptr(int32(0))}, 400, "InterconnectValidationException")

		// Update: description at once, bandwidth through updating.
		var up icapi.UpdateConnectionResponse
		c.must("UpdateConnection", icapi.UpdateConnectionRequest{Identifier: &id, Description: smithy.Ptr("renamed"), Bandwidth: smithy.Ptr("10Gbps")}, &up)
		if *up.Connection.State != icapi.ConnectionStateUpdating || *up.Connection.Description != "renamed" || *up.Connection.Bandwidth != "1Gbps" {
			t.Errorf("update answer: %+v", up.Connection)
		}
		if got := c.get(id); *got.State != icapi.ConnectionStateAvailable || *got.Bandwidth != "10Gbps" || *got.BillingTier != 4 {
			t.Errorf("after the partner acknowledged: %+v", got)
		}
		c.refused("UpdateConnection", icapi.UpdateConnectionRequest{Identifier: &id, Bandwidth: smithy.Ptr("3Gbps")}, 400, "InterconnectValidationException")

		// Tags as a map, by ARN.
		arn := *conn.Arn
		c.must("TagResource", icapi.TagResourceRequest{Arn: &arn, Tags: map[string]string{"env": "prod", "team": "netops"}}, nil)
		c.must("UntagResource", icapi.UntagResourceRequest{Arn: &arn, TagKeys: []string{"env"}}, nil)
		var tags icapi.ListTagsForResourceResponse
		c.must("ListTagsForResource", icapi.ListTagsForResourceRequest{Arn: &arn}, &tags)
		if len(tags.Tags) != 1 || tags.Tags["team"] != "netops" {
			t.Errorf("tags: %v", tags.Tags)
		}
		c.refused("TagResource", icapi.TagResourceRequest{Arn: &arn, Tags: map[string]string{"aws:x": "y"}}, 400, "InterconnectValidationException")
		many := map[string]string{}
		for i := range interconnect.MaxTags + 1 {
			many[fmt.Sprint("k", i)] = "v"
		}
		c.refused("TagResource", icapi.TagResourceRequest{Arn: &arn, Tags: many}, 402, "ServiceQuotaExceededException")

		// Delete: deleting, then deleted for a while, then gone.
		var del icapi.DeleteConnectionResponse
		c.must("DeleteConnection", icapi.DeleteConnectionRequest{Identifier: &id}, &del)
		if *del.Connection.State != icapi.ConnectionStateDeleting {
			t.Errorf("delete answer: %s", *del.Connection.State)
		}
		if got := c.get(id); *got.State != icapi.ConnectionStateDeleted {
			t.Errorf("after delete: %s", *got.State)
		}
		c.must("DeleteConnection", icapi.DeleteConnectionRequest{Identifier: &id}, &del)
		c.must("DeleteConnection", icapi.DeleteConnectionRequest{Identifier: c2.Connection.Id}, nil)
		if _, err := dxc.DeleteDirectConnectGateway(t.Context(), &sdk.DeleteDirectConnectGatewayInput{DirectConnectGatewayId: &dxgw}); err != nil {
			t.Errorf("deleting the gateway once its connections are deleted: %v", err)
		}
		dx.Advance(interconnect.DeletedRetention + time.Second)
		c.refused("GetConnection", icapi.GetConnectionRequest{Identifier: &id}, 404, "ResourceNotFoundException")
		c.refused("DeleteConnection", icapi.DeleteConnectionRequest{Identifier: &id}, 404, "ResourceNotFoundException")
	})
}

func TestInterconnectCreateChecks(t *testing.T) {
	bothProtocols(t, func(t *testing.T, c ic) {
		dxgw := gatewayFor(t, c.dx, account, "gw")
		otherGW := gatewayFor(t, c.dx, "444455556666", "theirs")
		bad := func(mut func(r *icapi.CreateConnectionRequest), status int, code string) {
			t.Helper()
			r := createReq(dxgw)
			mut(&r)
			c.refused("CreateConnection", r, status, code)
		}
		bad(func(r *icapi.CreateConnectionRequest) { r.EnvironmentId = smithy.Ptr("mce-aws-gcp-lhr") }, 404, "ResourceNotFoundException")
		bad(func(r *icapi.CreateConnectionRequest) { r.Bandwidth = smithy.Ptr("400Gbps") }, 400, "InterconnectValidationException")
		bad(func(r *icapi.CreateConnectionRequest) {
			r.AttachPoint = &icapi.AttachPoint{DirectConnectGateway: smithy.Ptr("11111111-2222-4333-8444-555555555555")}
		}, 404, "ResourceNotFoundException")
		bad(func(r *icapi.CreateConnectionRequest) {
			r.AttachPoint = &icapi.AttachPoint{DirectConnectGateway: &otherGW}
		}, 404, "ResourceNotFoundException")
		bad(func(r *icapi.CreateConnectionRequest) {
			r.AttachPoint = &icapi.AttachPoint{Arn: smithy.Ptr("arn:aws:interconnect:us-east-1:" + account + ":connection/mcc-abcdefgh")}
		}, 400, "InterconnectValidationException")
		bad(func(r *icapi.CreateConnectionRequest) {
			r.RemoteAccount = &icapi.RemoteAccountIdentifier{Identifier: smithy.Ptr("me@example.com")}
		}, 400, "InterconnectValidationException")
		bad(func(r *icapi.CreateConnectionRequest) {
			r.EnvironmentId = smithy.Ptr("lmce-aws-lumen-ewr")
			r.RemoteAccount = &icapi.RemoteAccountIdentifier{Identifier: smithy.Ptr("project-1")}
		}, 400, "InterconnectValidationException")
		bad(func(r *icapi.CreateConnectionRequest) { r.Tags = map[string]string{"aws:owner": "x"} }, 400, "InterconnectValidationException")

		// Last mile: an lmcc- id, an email as the remote account.
		lm := createReq(dxgw)
		lm.EnvironmentId = smithy.Ptr("lmce-aws-lumen-ewr")
		lm.RemoteAccount = &icapi.RemoteAccountIdentifier{Identifier: smithy.Ptr("noc@example.com")}
		var out icapi.CreateConnectionResponse
		c.must("CreateConnection", lm, &out)
		if !strings.HasPrefix(*out.Connection.Id, "lmcc-") || *out.Connection.Type != "LastMile" || *out.Connection.Provider.LastMileProvider != "lumen" {
			t.Errorf("last mile: %+v", out.Connection)
		}

		// Another account and another region do not see it.
		id := out.Connection.Id
		c.as("444455556666", "us-east-1").refused("GetConnection", icapi.GetConnectionRequest{Identifier: id}, 404, "ResourceNotFoundException")
		c.as(account, "us-west-2").refused("GetConnection", icapi.GetConnectionRequest{Identifier: id}, 404, "ResourceNotFoundException")
		c.as("444455556666", "us-east-1").refused("DeleteConnection", icapi.DeleteConnectionRequest{Identifier: id}, 404, "ResourceNotFoundException")
		c.as("444455556666", "us-east-1").refused("UpdateConnection", icapi.UpdateConnectionRequest{Identifier: id, Description: smithy.Ptr("x")}, 404, "ResourceNotFoundException")
		c.as("444455556666", "us-east-1").refused("ListTagsForResource", icapi.ListTagsForResourceRequest{Arn: out.Connection.Arn}, 404, "ResourceNotFoundException")
		c.as(account, "us-west-2").refused("TagResource", icapi.TagResourceRequest{Arn: out.Connection.Arn, Tags: map[string]string{"a": "b"}}, 404, "ResourceNotFoundException")
		var l icapi.ListConnectionsResponse
		c.as("444455556666", "us-east-1").must("ListConnections", icapi.ListConnectionsRequest{}, &l)
		if len(l.Connections) != 0 {
			t.Errorf("another account lists %+v", l.Connections)
		}
		c.refused("GetConnection", icapi.GetConnectionRequest{Identifier: smithy.Ptr("mcc-00000000")}, 404, "ResourceNotFoundException")
	})
}

func TestInterconnectQuotas(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := ic{t: t, dx: dx, account: account, region: "us-east-1"}
	dxgw := gatewayFor(t, dx, account, "gw")
	for range 2 {
		c.must("CreateConnection", createReq(dxgw), nil)
	}
	e := c.refused("CreateConnection", createReq(dxgw), 402, "ServiceQuotaExceededException")
	if e != nil && !strings.Contains(e.Message, "interconnect-gcp-connections") {
		t.Errorf("quota message: %s", e.Message)
	}
	// Azure's preview: one per region, 1 Gbps only.
	az := createReq(dxgw)
	az.EnvironmentId = smithy.Ptr("mce-aws-azure-iad-prod")
	az.Bandwidth = smithy.Ptr("2Gbps")
	c.refused("CreateConnection", az, 400, "InterconnectValidationException")
	az.Bandwidth = smithy.Ptr("1Gbps")
	var first icapi.CreateConnectionResponse
	c.must("CreateConnection", az, &first)
	c.refused("CreateConnection", az, 402, "ServiceQuotaExceededException")
	// A deleted connection gives its unit back.
	c.must("DeleteConnection", icapi.DeleteConnectionRequest{Identifier: first.Connection.Id}, nil)
	c.must("CreateConnection", az, nil)

	// The quota flag raises it.
	raised := dxlabtest.New(t, dxlabtest.Options{Quotas: []string{"interconnect-gcp-connections=3", "lags-per-region=20"}})
	r := ic{t: t, dx: raised, account: account, region: "us-east-1"}
	gw := gatewayFor(t, raised, account, "gw")
	for range 3 {
		r.must("CreateConnection", createReq(gw), nil)
	}
	r.refused("CreateConnection", createReq(gw), 402, "ServiceQuotaExceededException")
}

func TestInterconnectProfiles(t *testing.T) {
	t.Run("realistic", func(t *testing.T) {
		dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic})
		c := ic{t: t, dx: dx, account: account, region: "us-east-1", cbor: true}
		dxgw := gatewayFor(t, dx, account, "gw")
		var out icapi.CreateConnectionResponse
		c.must("CreateConnection", createReq(dxgw), &out)
		id := *out.Connection.Id
		dx.Advance(facility.RealisticPartner - time.Second)
		if s := *c.get(id).State; s != icapi.ConnectionStateRequested {
			t.Errorf("before the portal's delay: %s", s)
		}
		dx.Advance(time.Second)
		if s := *c.get(id).State; s != icapi.ConnectionStatePending {
			t.Errorf("after the portal: %s", s)
		}
		dx.Advance(facility.RealisticAutomation)
		if s := *c.get(id).State; s != icapi.ConnectionStateAvailable {
			t.Errorf("after provisioning: %s", s)
		}
	})
	t.Run("manual", func(t *testing.T) {
		dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
		c := ic{t: t, dx: dx, account: account, region: "us-east-1"}
		dxgw := gatewayFor(t, dx, account, "gw")
		// The gateway itself is automation: available after a second.
		var out icapi.CreateConnectionResponse
		c.must("CreateConnection", createReq(dxgw), &out)
		id, key := *out.Connection.Id, *out.Connection.ActivationKey
		dx.Advance(24 * time.Hour)
		if s := *c.get(id).State; s != icapi.ConnectionStateRequested {
			t.Fatalf("manual: the portal took the key by itself: %s", s)
		}
		if got := c.get(id); got.ActivationKey == nil || *got.ActivationKey != key {
			t.Errorf("GetConnection while requested shows the key: %v", got.ActivationKey)
		}
		if st := operator(t, dx, "POST", "/_dxlab/v1/interconnect/portal/activate", map[string]any{"activationKey": "garbage"}, nil); st != 400 {
			t.Errorf("garbage key: %d", st)
		}
		var act struct {
			Connection interconnect.View `json:"connection"`
		}
		if st := operator(t, dx, "POST", "/_dxlab/v1/interconnect/portal/activate", map[string]any{"activationKey": key}, &act); st != 200 || act.Connection.State != "pending" {
			t.Fatalf("activate: %d %+v", st, act)
		}
		if st := operator(t, dx, "POST", "/_dxlab/v1/interconnect/portal/activate", map[string]any{"activationKey": key}, nil); st != 409 {
			t.Errorf("a used key: %d", st)
		}
		dx.Advance(facility.RealisticAutomation)
		if s := *c.get(id).State; s != icapi.ConnectionStateAvailable {
			t.Errorf("after provisioning: %s", s)
		}

		// The operator makes the portal refuse a key: failed.
		var second icapi.CreateConnectionResponse
		c.must("CreateConnection", createReq(dxgw), &second)
		if st := operator(t, dx, "POST", "/_dxlab/v1/interconnect/portal/activate", map[string]any{"activationKey": *second.Connection.ActivationKey, "refuse": true, "reason": "wrong project"}, &act); st != 200 || act.Connection.State != "failed" || act.Connection.FailureReason != "wrong project" {
			t.Errorf("refuse: %d %+v", st, act)
		}
		if s := *c.get(*second.Connection.Id).State; s != icapi.ConnectionStateFailed {
			t.Errorf("refused: %s", s)
		}
		// Its quota unit is back: a third GCP connection fits in 2.
		c.must("CreateConnection", createReq(dxgw), nil)
	})
}

func TestInterconnectRestartBeforeActivation(t *testing.T) {
	dir := t.TempDir()
	clk := dxlabtest.NewClock(dxlabtest.Start)
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual, DataDir: dir, Clock: clk})
	c := ic{t: t, dx: dx, account: account, region: "us-east-1", cbor: true}
	dxgw := gatewayFor(t, dx, account, "gw")
	var out icapi.CreateConnectionResponse
	c.must("CreateConnection", createReq(dxgw), &out)
	dx.Stop()

	dx = dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual, DataDir: dir, Clock: clk})
	c.dx = dx
	if s := *c.get(*out.Connection.Id).State; s != icapi.ConnectionStateRequested {
		t.Fatalf("after restart: %s", s)
	}
	if st := operator(t, dx, "POST", "/_dxlab/v1/interconnect/portal/activate", map[string]any{"activationKey": *out.Connection.ActivationKey}, nil); st != 200 {
		t.Fatalf("activate after restart: %d", st)
	}
	dx.Advance(facility.RealisticAutomation)
	if s := *c.get(*out.Connection.Id).State; s != icapi.ConnectionStateAvailable {
		t.Errorf("after activation: %s", s)
	}
}

func propose(t *testing.T, dx *dxlabtest.Instance, env, bw, acct, region string) string {
	t.Helper()
	var out struct {
		ActivationKey string `json:"activationKey"`
		Error         string `json:"error"`
	}
	if st := operator(t, dx, "POST", "/_dxlab/v1/interconnect/proposals",
		map[string]string{"environmentId": env, "bandwidth": bw, "account": acct, "region": region}, &out); st != 200 {
		t.Fatalf("propose: %d %s", st, out.Error)
	}
	return out.ActivationKey
}

func TestInterconnectProposals(t *testing.T) {
	bothProtocols(t, func(t *testing.T, c ic) {
		dx := c.dx
		dxgw := gatewayFor(t, dx, account, "gw")
		if st := operator(t, dx, "POST", "/_dxlab/v1/interconnect/proposals",
			map[string]string{"environmentId": "mce-aws-gcp-iad", "bandwidth": "3Gbps", "account": account, "region": "us-east-1"}, nil); st != 400 {
			t.Errorf("propose at a bandwidth not offered: %d", st)
		}
		key := propose(t, dx, "mce-aws-gcp-iad", "5Gbps", account, "us-east-1")

		var d icapi.DescribeConnectionProposalResponse
		c.must("DescribeConnectionProposal", icapi.DescribeConnectionProposalRequest{ActivationKey: &key}, &d)
		if *d.Bandwidth != "5Gbps" || *d.EnvironmentId != "mce-aws-gcp-iad" || *d.Location != "us-east4" || *d.Provider.CloudServiceProvider != "gcp" {
			t.Errorf("describe: %+v", d)
		}
		c.as("444455556666", "us-east-1").refused("DescribeConnectionProposal", icapi.DescribeConnectionProposalRequest{ActivationKey: &key}, 404, "ResourceNotFoundException")
		c.as(account, "us-west-2").refused("DescribeConnectionProposal", icapi.DescribeConnectionProposalRequest{ActivationKey: &key}, 404, "ResourceNotFoundException")
		c.refused("DescribeConnectionProposal", icapi.DescribeConnectionProposalRequest{ActivationKey: smithy.Ptr("garbage")}, 400, "InterconnectValidationException")
		c.as("444455556666", "us-east-1").refused("AcceptConnectionProposal", icapi.AcceptConnectionProposalRequest{ActivationKey: &key,
			AttachPoint: &icapi.AttachPoint{DirectConnectGateway: &dxgw}}, 404, "ResourceNotFoundException")

		accept := icapi.AcceptConnectionProposalRequest{ActivationKey: &key, AttachPoint: &icapi.AttachPoint{DirectConnectGateway: &dxgw},
			Description: smithy.Ptr("from GCP"), Tags: map[string]string{"side": "gcp"}, ClientToken: smithy.Ptr("accept-1")}
		var a icapi.AcceptConnectionProposalResponse
		c.must("AcceptConnectionProposal", accept, &a)
		conn := a.Connection
		if *conn.Bandwidth != "5Gbps" || *conn.State != icapi.ConnectionStatePending || conn.Tags["side"] != "gcp" || *conn.Description != "from GCP" || conn.ActivationKey != nil {
			t.Errorf("accepted: %+v", conn)
		}
		if s := *c.get(*conn.Id).State; s != icapi.ConnectionStateAvailable {
			t.Errorf("accepted connection: %s", s)
		}
		// A retry with the same token answers the same connection; any
		// other second accept is refused, as is describing a used key.
		var retry icapi.AcceptConnectionProposalResponse
		c.must("AcceptConnectionProposal", accept, &retry)
		if *retry.Connection.Id != *conn.Id {
			t.Errorf("retried accept: %s", *retry.Connection.Id)
		}
		accept.ClientToken = nil
		c.refused("AcceptConnectionProposal", accept, 400, "InterconnectClientException")
		c.refused("DescribeConnectionProposal", icapi.DescribeConnectionProposalRequest{ActivationKey: &key}, 400, "InterconnectClientException")
		// A connection's own key is no proposal.
		var own icapi.CreateConnectionResponse
		c.must("CreateConnection", icapi.CreateConnectionRequest{EnvironmentId: smithy.Ptr("mce-aws-oci-iad"), Bandwidth: smithy.Ptr("1Gbps"),
			AttachPoint: &icapi.AttachPoint{DirectConnectGateway: &dxgw}}, &own)
		c.refused("DescribeConnectionProposal", icapi.DescribeConnectionProposalRequest{ActivationKey: own.Connection.ActivationKey}, 404, "ResourceNotFoundException")
	})
}

func TestInterconnectConcurrentAcceptsOfOneKey(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Quotas: []string{"interconnect-gcp-connections=1000"}})
	dxgw := gatewayFor(t, dx, account, "gw")
	key := propose(t, dx, "mce-aws-gcp-iad", "1Gbps", account, "us-east-1")
	const n = 100
	var wg sync.WaitGroup
	codes := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ic{t: t, dx: dx, account: account, region: "us-east-1", cbor: i%2 == 0}
			e := c.call("AcceptConnectionProposal", icapi.AcceptConnectionProposalRequest{ActivationKey: &key,
				AttachPoint: &icapi.AttachPoint{DirectConnectGateway: &dxgw}}, nil)
			if e == nil {
				codes[i] = "ok"
			} else {
				codes[i] = e.Code
			}
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	if count["ok"] != 1 || count["InterconnectClientException"] != n-1 {
		t.Errorf("100 accepts of one key: %v", count)
	}
	var l icapi.ListConnectionsResponse
	ic{t: t, dx: dx, account: account, region: "us-east-1"}.must("ListConnections", icapi.ListConnectionsRequest{}, &l)
	if len(l.Connections) != 1 {
		t.Errorf("%d connections", len(l.Connections))
	}
}

func TestInterconnectRoutes(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	c := ic{t: t, dx: dx, account: account, region: "us-east-1"}
	dxgw := gatewayFor(t, dx, account, "gw")
	var out icapi.CreateConnectionResponse
	c.must("CreateConnection", createReq(dxgw), &out)
	id := *out.Connection.Id
	var v struct {
		Connection interconnect.View `json:"connection"`
	}
	if st := operator(t, dx, "PUT", "/_dxlab/v1/interconnect/connections/"+id+"/remote-routes", map[string]any{"routes": []string{"10.128.0.0/20", "10.132.0.0/20"}}, &v); st != 200 ||
		strings.Join(v.Connection.RemoteRoutes, ",") != "10.128.0.0/20,10.132.0.0/20" {
		t.Errorf("set remote routes: %d %+v", st, v)
	}
	if st := operator(t, dx, "PUT", "/_dxlab/v1/interconnect/connections/"+id+"/remote-routes", map[string]any{"routes": []string{"10.1.2.3/8"}}, nil); st != 400 {
		t.Errorf("a host address for a prefix: %d", st)
	}
	if st := operator(t, dx, "GET", "/_dxlab/v1/interconnect/connections/mcc-00000000", nil, nil); st != 404 {
		t.Errorf("unknown connection: %d", st)
	}
	if st := operator(t, dx, "GET", "/_dxlab/v1/interconnect/connections/"+id, nil, &v); st != 200 || v.Connection.State != "available" || len(v.Connection.RemoteRoutes) != 2 || v.Connection.DirectConnectGateway != dxgw {
		t.Errorf("view: %d %+v", st, v)
	}
	// What the customer allows on the gateway is what the other side learns.
	_, err := dx.DirectConnect(account, "us-east-1").CreateDirectConnectGatewayAssociation(t.Context(), &sdk.CreateDirectConnectGatewayAssociationInput{
		DirectConnectGatewayId: &dxgw, GatewayId: smithy.Ptr("vgw-0123456789abcdef0"),
		AddAllowedPrefixesToDirectConnectGateway: []sdktypes.RouteFilterPrefix{{Cidr: smithy.Ptr("10.20.0.0/16")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := operator(t, dx, "GET", "/_dxlab/v1/interconnect/connections/"+id, nil, &v); st != 200 || strings.Join(v.Connection.AdvertisedToRemote, ",") != "10.20.0.0/16" {
		t.Errorf("advertised to the other cloud: %d %+v", st, v)
	}
}
