package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	sdk "github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/fxamacker/cbor/v2"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/server"
	"github.com/dxlab/dxlab/internal/smithy"
)

const account = "111122223333"

// cborCall sends an rpcv2Cbor request to Interconnect, built from the
// generated input type, and decodes the answer into out (or the error body).
func cborCall(t *testing.T, dx *dxlabtest.Instance, op string, in any, out any) (int, map[string]any) {
	t.Helper()
	body, err := cbor.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	resp, data := dx.Raw("POST", "/service/Interconnect/operation/"+op, map[string]string{
		"Content-Type":    "application/cbor",
		"Accept":          "application/cbor",
		"Smithy-Protocol": "rpc-v2-cbor",
		"Authorization":   dxlabtest.SigV4(account, "us-east-1", "interconnect"),
	}, body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/cbor" {
		t.Errorf("%s answered Content-Type %q", op, ct)
	}
	if p := resp.Header.Get("Smithy-Protocol"); p != "rpc-v2-cbor" {
		t.Errorf("%s answered smithy-protocol %q", op, p)
	}
	if resp.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("%s answered without x-amzn-RequestId", op)
	}
	if resp.StatusCode != http.StatusOK {
		var e map[string]any
		if err := cbor.Unmarshal(data, &e); err != nil {
			t.Fatalf("%s error body is not CBOR: %v", op, err)
		}
		checkNotInternal(t, op, resp, e)
		return resp.StatusCode, e
	}
	if err := cbor.Unmarshal(data, out); err != nil {
		t.Fatalf("%s answer is not CBOR of the output shape: %v", op, err)
	}
	return resp.StatusCode, nil
}

// jsonCall sends an awsJson request.
func jsonCall(t *testing.T, dx *dxlabtest.Instance, target, version string, body string) (*http.Response, map[string]any) {
	t.Helper()
	resp, data := dx.Raw("POST", "/", map[string]string{
		"Content-Type":  "application/x-amz-json-" + version,
		"X-Amz-Target":  target,
		"Authorization": dxlabtest.SigV4(account, "us-east-1", "interconnect"),
	}, []byte(body))
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: answer is not JSON: %q", target, data)
	}
	checkNotInternal(t, target, resp, m)
	return resp, m
}

// checkNotInternal fails the test when an answer is an internal error: a
// 5xx, or the service's server exception (a 400 for Direct Connect), or
// InternalFailure. No request of these tests should reach one.
func checkNotInternal(t *testing.T, what string, resp *http.Response, body map[string]any) {
	t.Helper()
	typ, _ := body["__type"].(string)
	if server.IsInternalAnswer(resp.StatusCode, typ) || server.IsInternalAnswer(resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType")) {
		t.Errorf("%s: internal error: %d %v", what, resp.StatusCode, body)
	}
}

func TestInterconnectSpeaksCBOR(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	var out icapi.ListEnvironmentsResponse
	if code, e := cborCall(t, dx, "ListEnvironments", icapi.ListEnvironmentsRequest{}, &out); code != 200 {
		t.Fatalf("ListEnvironments: %d %v", code, e)
	}
	if len(out.Environments) < 2 {
		t.Fatalf("us-east-1 has %d environments", len(out.Environments))
	}
	ids := map[string]bool{}
	for _, e := range out.Environments {
		ids[*e.EnvironmentId] = true
		if e.State == nil || e.Provider == nil || e.Bandwidths == nil || e.Type == nil {
			t.Errorf("environment %s lacks required members", *e.EnvironmentId)
		}
	}
	if !ids["mce-aws-gcp-iad"] {
		t.Errorf("environments: %v", ids)
	}

	var page icapi.ListEnvironmentsResponse
	cborCall(t, dx, "ListEnvironments", icapi.ListEnvironmentsRequest{MaxResults: smithy.Ptr(int32(1))}, &page)
	if len(page.Environments) != 1 || page.NextToken == nil {
		t.Fatalf("first page of 1: %d environments, token %v", len(page.Environments), page.NextToken)
	}
	var gcp icapi.ListEnvironmentsResponse
	cborCall(t, dx, "ListEnvironments", icapi.ListEnvironmentsRequest{Provider: &icapi.Provider{CloudServiceProvider: smithy.Ptr("gcp")}}, &gcp)
	if len(gcp.Environments) != 1 || *gcp.Environments[0].EnvironmentId != "mce-aws-gcp-iad" {
		t.Errorf("gcp filter: %+v", gcp.Environments)
	}

	var got icapi.GetEnvironmentResponse
	cborCall(t, dx, "GetEnvironment", icapi.GetEnvironmentRequest{Id: smithy.Ptr("mce-aws-gcp-iad")}, &got)
	if got.Environment == nil || *got.Environment.Location != "us-east4" {
		t.Errorf("GetEnvironment: %+v", got.Environment)
	}

	code, e := cborCall(t, dx, "GetEnvironment", icapi.GetEnvironmentRequest{Id: smithy.Ptr("mce-nope")}, nil)
	if code != 404 || e["__type"] != "com.amazonaws.interconnect#ResourceNotFoundException" || !strings.Contains(e["message"].(string), "mce-nope") {
		t.Errorf("unknown environment: %d %v", code, e)
	}
	code, e = cborCall(t, dx, "GetConnection", icapi.GetConnectionRequest{Identifier: smithy.Ptr("bad")}, nil)
	if code != 400 || e["__type"] != "com.amazonaws.interconnect#InterconnectValidationException" ||
		!strings.Contains(e["message"].(string), "'identifier'") {
		t.Errorf("malformed identifier: %d %v", code, e)
	}
	code, e = cborCall(t, dx, "ListEnvironments", icapi.ListEnvironmentsRequest{MaxResults: smithy.Ptr(int32(101))}, nil)
	if code != 400 || !strings.Contains(e["message"].(string), "Member must have value less than or equal to 100") {
		t.Errorf("maxResults 101: %d %v", code, e)
	}
}

func TestInterconnectSpeaksJSON10(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	resp, body := jsonCall(t, dx, "Interconnect.ListEnvironments", "1.0", `{"location":"us-east4"}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Fatalf("ListEnvironments: %d %s %v", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	envs := body["environments"].([]any)
	if len(envs) != 1 || envs[0].(map[string]any)["environmentId"] != "mce-aws-gcp-iad" {
		t.Errorf("environments in us-east4: %v", envs)
	}
	resp, body = jsonCall(t, dx, "Interconnect.GetEnvironment", "1.0", `{"id":"mce-nope"}`)
	if resp.StatusCode != 404 || body["__type"] != "ResourceNotFoundException" {
		t.Errorf("unknown environment: %d %v", resp.StatusCode, body)
	}
	// Member names match exactly, in nested structures too.
	resp, body = jsonCall(t, dx, "Interconnect.GetEnvironment", "1.0", `{"Id":"mce-aws-gcp-iad"}`)
	if resp.StatusCode != 400 || body["__type"] != "InterconnectValidationException" ||
		!strings.Contains(body["message"].(string), "Value null at 'id' failed to satisfy constraint: Member must not be null") {
		t.Errorf("Id for id: %d %v", resp.StatusCode, body)
	}
	resp, body = jsonCall(t, dx, "Interconnect.ListEnvironments", "1.0", `{"provider":{"CloudServiceProvider":"gcp"}}`)
	if resp.StatusCode != 400 || body["__type"] != "InterconnectValidationException" ||
		!strings.Contains(body["message"].(string), "Value at 'provider' failed to satisfy constraint: Member must have exactly one member set, but 0 are set") {
		t.Errorf("provider union with only a wrong-case member: %d %v", resp.StatusCode, body)
	}
	_, body = jsonCall(t, dx, "Interconnect.ListEnvironments", "1.0", `{"provider":{"cloudServiceProvider":"gcp"}}`)
	if envs := body["environments"].([]any); len(envs) != 1 {
		t.Errorf("the gcp filter found %v", envs)
	}
}

// rpcv2Cbor matches member names exactly as well.
func TestCBORMemberNamesMatchExactly(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	status, body := cborCall(t, dx, "GetEnvironment", map[string]any{"Id": "mce-aws-gcp-iad"}, nil)
	if status != 400 || !strings.Contains(fmt.Sprint(body["message"]), "Value null at 'id'") {
		t.Errorf("Id for id over CBOR: %d %v", status, body)
	}
	var out icapi.GetEnvironmentResponse
	if status, body = cborCall(t, dx, "GetEnvironment", map[string]any{"id": "mce-aws-gcp-iad"}, &out); status != 200 || out.Environment == nil {
		t.Errorf("id over CBOR: %d %v", status, body)
	}
}

func TestDirectConnectJSON11Details(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	resp, body := jsonCall(t, dx, "OvertureService.DescribeLocations", "1.1", `{}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Fatalf("DescribeLocations: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var locs dxapi.Locations
	raw, _ := json.Marshal(body)
	if err := json.Unmarshal(raw, &locs); err != nil || len(locs.Locations) < 2 {
		t.Fatalf("locations: %v %v", err, body)
	}
	for _, l := range locs.Locations {
		if *l.Region != "us-east-1" {
			t.Errorf("location %s of %s listed in us-east-1", *l.LocationCode, *l.Region)
		}
		for _, s := range l.AvailablePortSpeeds {
			if !strings.HasSuffix(s, "G") || strings.HasSuffix(s, "Gbps") {
				t.Errorf("port speed %q is not written as AWS writes it", s)
			}
		}
	}
	// A number where the model wants a string is a serialization error,
	// and changes nothing.
	resp, body = jsonCall(t, dx, "OvertureService.CreateConnection", "1.1", `{"location":"EqDC2","bandwidth":1,"connectionName":"x"}`)
	if resp.StatusCode != 400 || body["__type"] != "SerializationException" || !strings.Contains(body["message"].(string), "bandwidth") {
		t.Errorf("number for bandwidth: %d %v", resp.StatusCode, body)
	}
	resp, body = jsonCall(t, dx, "OvertureService.CreateConnection", "1.1", `{"bandwidth":"1Gbps"}`)
	if resp.StatusCode != 400 || body["__type"] != "DirectConnectClientException" ||
		!strings.Contains(body["message"].(string), "Value null at 'connectionName' failed to satisfy constraint: Member must not be null") {
		t.Errorf("missing required members: %d %v", resp.StatusCode, body)
	}
	// Member names match exactly: a wrong-case name is an unknown member,
	// ignored, so the required member is missing.
	resp, body = jsonCall(t, dx, "OvertureService.CreateConnection", "1.1", `{"location":"EqDC2","bandwidth":"1Gbps","ConnectionName":"x"}`)
	if resp.StatusCode != 400 || body["__type"] != "DirectConnectClientException" ||
		body["message"] != "1 validation error detected: Value null at 'connectionName' failed to satisfy constraint: Member must not be null" {
		t.Errorf("ConnectionName for connectionName: %d %v", resp.StatusCode, body)
	}
	// Exact names still work, and a wrong-case member beside them is not
	// read, whatever its type.
	resp, body = jsonCall(t, dx, "OvertureService.CreateConnection", "1.1", `{"location":"EqDC2","bandwidth":"1Gbps","connectionName":"x","Bandwidth":1,"ConnectionName":"y","Tags":"none"}`)
	if resp.StatusCode != 200 || body["connectionName"] != "x" || body["bandwidth"] != "1Gbps" {
		t.Errorf("exact names beside wrong-case ones: %d %v", resp.StatusCode, body)
	}
	_, body = jsonCall(t, dx, "OvertureService.DescribeConnections", "1.1", `{}`)
	if conns := body["connections"].([]any); len(conns) != 1 {
		t.Errorf("want only the one valid create to have left a connection: %v", conns)
	}
	// In a structure in a list too: a tag's wrong-case key is unknown, and
	// the tag lacks its required key.
	resp, body = jsonCall(t, dx, "OvertureService.CreateConnection", "1.1", `{"location":"EqDC2","bandwidth":"1Gbps","connectionName":"y","tags":[{"Key":"a","value":"b"}]}`)
	if resp.StatusCode != 400 || body["__type"] != "DirectConnectClientException" ||
		!strings.Contains(body["message"].(string), "Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null") {
		t.Errorf("tag with Key for key: %d %v", resp.StatusCode, body)
	}
}

func TestBadRequestsGetCleanErrors(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	auth := dxlabtest.SigV4(account, "us-east-1", "directconnect")
	cases := []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		body    string
		status  int
		code    string
	}{
		{"unknown operation", "POST", "/", map[string]string{"X-Amz-Target": "OvertureService.LaunchRockets", "Content-Type": "application/x-amz-json-1.1"}, "{}", 400, "UnknownOperationException"},
		{"unknown service", "POST", "/", map[string]string{"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}, "{}", 400, "UnknownOperationException"},
		{"no target", "POST", "/", map[string]string{"Content-Type": "application/x-amz-json-1.1"}, "{}", 400, "UnknownOperationException"},
		{"GET", "GET", "/", nil, "", 405, "MethodNotAllowedException"},
		{"wrong content type", "POST", "/", map[string]string{"X-Amz-Target": "OvertureService.DescribeLocations", "Content-Type": "text/plain"}, "{}", 415, "UnsupportedMediaTypeException"},
		{"not JSON", "POST", "/", map[string]string{"X-Amz-Target": "OvertureService.DescribeLocations", "Content-Type": "application/x-amz-json-1.1"}, "{nope", 400, "SerializationException"},
		{"JSON array", "POST", "/", map[string]string{"X-Amz-Target": "OvertureService.DescribeLocations", "Content-Type": "application/x-amz-json-1.1"}, "[]", 400, "SerializationException"},
		{"trailing data", "POST", "/", map[string]string{"X-Amz-Target": "OvertureService.DescribeLocations", "Content-Type": "application/x-amz-json-1.1"}, "{} {}", 400, "SerializationException"},
		{"oversized", "POST", "/", map[string]string{"X-Amz-Target": "OvertureService.DescribeLocations", "Content-Type": "application/x-amz-json-1.1"}, `{"x":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "RequestEntityTooLargeException"},
		{"malformed signature", "POST", "/", map[string]string{"X-Amz-Target": "OvertureService.DescribeLocations", "Content-Type": "application/x-amz-json-1.1", "Authorization": "AWS4-HMAC-SHA256 Credential=short"}, "{}", 400, "IncompleteSignatureException"},
		{"CBOR without protocol header", "POST", "/service/Interconnect/operation/ListEnvironments", map[string]string{"Content-Type": "application/cbor"}, "\xa0", 400, "com.amazonaws.interconnect#SerializationException"},
		{"CBOR wrong content type", "POST", "/service/Interconnect/operation/ListEnvironments", map[string]string{"Content-Type": "application/json", "Smithy-Protocol": "rpc-v2-cbor"}, "{}", 415, "com.amazonaws.interconnect#UnsupportedMediaTypeException"},
		{"CBOR not a map", "POST", "/service/Interconnect/operation/ListEnvironments", map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}, "\x80", 400, "com.amazonaws.interconnect#SerializationException"},
		{"CBOR truncated", "POST", "/service/Interconnect/operation/ListEnvironments", map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}, "\xa1\x6alocation", 400, "com.amazonaws.interconnect#SerializationException"},
		{"CBOR unknown operation", "POST", "/service/Interconnect/operation/Nope", map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}, "\xa0", 400, "com.amazonaws.interconnect#UnknownOperationException"},
		{"CBOR unknown service", "POST", "/service/OvertureService/operation/DescribeLocations", map[string]string{"Content-Type": "application/cbor", "Smithy-Protocol": "rpc-v2-cbor"}, "\xa0", 400, "UnknownOperationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Authorization": auth}
			for k, v := range tc.headers {
				h[k] = v
			}
			resp, data := dx.Raw(tc.method, tc.path, h, []byte(tc.body))
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d (%q)", resp.StatusCode, tc.status, data)
			}
			var e map[string]any
			if strings.HasPrefix(tc.path, "/service/") {
				if err := cbor.Unmarshal(data, &e); err != nil {
					t.Fatalf("error body is not CBOR: %q", data)
				}
			} else if err := json.Unmarshal(data, &e); err != nil {
				t.Fatalf("error body is not JSON: %q", data)
			}
			checkNotInternal(t, tc.name, resp, e)
			if e["__type"] != tc.code || e["message"] == "" {
				t.Errorf("error %v, want __type %s and a message", e, tc.code)
			}
			if tc.status == 415 && !strings.HasPrefix(tc.path, "/service/") {
				if msg, _ := e["message"].(string); !strings.Contains(msg, "application/x-amz-json-1.0") || !strings.Contains(msg, "application/x-amz-json-1.1") {
					t.Errorf("the 415 message %q does not name both JSON content types", msg)
				}
			}
			if resp.Header.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
}

func TestEveryOperationIsRouted(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	for _, op := range dxapi.OperationNames {
		resp, body := jsonCall(t, dx, "OvertureService."+op, "1.1", "{}")
		if body["__type"] == "UnknownOperationException" || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %v", op, resp.StatusCode, body)
		}
	}
	for _, op := range icapi.OperationNames {
		resp, body := jsonCall(t, dx, "Interconnect."+op, "1.0", "{}")
		if body["__type"] == "UnknownOperationException" || resp.StatusCode >= 500 {
			t.Errorf("%s: %d %v", op, resp.StatusCode, body)
		}
		if code, e := cborCall(t, dx, op, struct{}{}, &map[string]any{}); code >= 500 || (e != nil && strings.HasSuffix(e["__type"].(string), "#UnknownOperationException")) {
			t.Errorf("%s over CBOR: %d %v", op, code, e)
		}
	}
	if n := len(dxapi.OperationNames) + len(icapi.OperationNames); n != 77 {
		t.Errorf("%d operations in the models, want 64 + 13", n)
	}
}

func TestUnsignedRequestsAreTheDefaultAccountInUSEast1(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	resp, data := dx.Raw("POST", "/", map[string]string{
		"Content-Type": "application/x-amz-json-1.1",
		"X-Amz-Target": "OvertureService.CreateConnection",
	}, []byte(`{"location":"CSVA1","bandwidth":"1Gbps","connectionName":"anonymous"}`))
	var conn dxapi.Connection
	if err := json.Unmarshal(data, &conn); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, data)
	}
	checkNotInternal(t, "unsigned CreateConnection", resp, nil)
	if *conn.OwnerAccount != "123456789012" || *conn.Region != "us-east-1" {
		t.Errorf("unsigned request served as %s in %s", *conn.OwnerAccount, *conn.Region)
	}
}

func TestAccountsFileMapsKeys(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Accounts: "[partner]\naws_access_key_id = AKIAPARTNER000000001\naws_secret_access_key = s\naws_account_id = 210987654321\n"})
	out, err := dx.DirectConnect("AKIAPARTNER000000001", "eu-west-1").CreateConnection(t.Context(), &sdk.CreateConnectionInput{
		Location: smithy.Ptr("EqLD5"), Bandwidth: smithy.Ptr("1Gbps"), ConnectionName: smithy.Ptr("partner"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.OwnerAccount != "210987654321" || *out.Region != "eu-west-1" {
		t.Errorf("owner %s region %s", *out.OwnerAccount, *out.Region)
	}
	if _, err := dx.DirectConnect("210987654321", "eu-west-1").DescribeConnections(t.Context(), &sdk.DescribeConnectionsInput{ConnectionId: out.ConnectionId}); err != nil {
		t.Errorf("the same account by its 12-digit key cannot see it: %v", err)
	}
}
