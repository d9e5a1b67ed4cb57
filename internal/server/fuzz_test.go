package server

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/dxlab/dxlab/internal/api/dxapi"
	"github.com/dxlab/dxlab/internal/api/icapi"
	"github.com/dxlab/dxlab/internal/facility"
)

func fuzzServer(f *testing.F) http.Handler {
	s, err := New(Options{DataDir: f.TempDir(), Profile: facility.Instant})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	return s.Handler()
}

// checkAnswer holds every answer to the rules: no internal error (a 5xx, or
// a service's server exception, which for Direct Connect is a 400), and an
// error body of the protocol's shape.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, decode func([]byte, any) error) {
	if IsInternalAnswer(rec.Code, rec.Header().Get("X-Amzn-ErrorType")) {
		t.Fatalf("internal error: status %d: %q", rec.Code, rec.Body.Bytes())
	}
	var body map[string]any
	if err := decode(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("status %d with an undecodable body %q: %v", rec.Code, rec.Body.Bytes(), err)
	}
	if rec.Code >= 400 {
		typ, _ := body["__type"].(string)
		if typ == "" {
			t.Fatalf("error without __type: %q", rec.Body.Bytes())
		}
		if IsInternalAnswer(rec.Code, typ) {
			t.Fatalf("internal error: status %d: %q", rec.Code, rec.Body.Bytes())
		}
	}
}

// FuzzAWSJSON sends arbitrary JSON bodies to every operation of both
// services.
func FuzzAWSJSON(f *testing.F) {
	h := fuzzServer(f)
	targets := []string{}
	for _, op := range dxapi.OperationNames {
		targets = append(targets, "OvertureService."+op)
	}
	for _, op := range icapi.OperationNames {
		targets = append(targets, "Interconnect."+op)
	}
	index := func(target string) uint8 {
		for i, tg := range targets {
			if tg == target {
				return uint8(i)
			}
		}
		f.Fatalf("no target %s", target)
		return 0
	}
	// One connection exists, in the default account and region of unsigned
	// requests, so that seeds reach the paths of a resource that is there.
	existing := createdConnection(f, h)
	arn := "arn:aws:directconnect:us-east-1:123456789012:dxcon/" + existing
	f.Add(uint8(0), []byte(`{}`))
	// Every implemented operation, with a request that reaches its rules.
	for target, body := range map[string]string{
		"OvertureService.DescribeLocations":   `{}`,
		"OvertureService.CreateConnection":    `{"location":"EqDC2","bandwidth":"1Gbps","connectionName":"x","tags":[{"key":"a"}],"requestMACSec":true,"providerName":"p"}`,
		"OvertureService.DescribeConnections": `{"connectionId":"` + existing + `","maxResults":0,"nextToken":"ZHhsYWIxOg"}`,
		"OvertureService.UpdateConnection":    `{"connectionId":"` + existing + `","connectionName":"renamed","encryptionMode":"must_encrypt"}`,
		"OvertureService.DeleteConnection":    `{"connectionId":"` + existing + `"}`,
		"OvertureService.TagResource":         `{"resourceArn":"` + arn + `","tags":[{"key":"k","value":null},{"key":"k2","value":"v"}]}`,
		"OvertureService.UntagResource":       `{"resourceArn":"` + arn + `","tagKeys":["k","aws:x"]}`,
		"OvertureService.DescribeTags":        `{"resourceArns":["` + arn + `","` + arn + `"]}`,
		"Interconnect.ListEnvironments":       `{"maxResults":1e99,"provider":{"cloudServiceProvider":"gcp","lastMileProvider":"x"}}`,
		"Interconnect.GetEnvironment":         `{"id":"mce-aws-gcp-iad"}`,
	} {
		f.Add(index(target), []byte(body))
	}
	f.Add(index("OvertureService.DescribeConnections"), []byte(`{"maxResults":2}`))
	f.Add(index("OvertureService.CreateConnection"), []byte("{\"location\":\"EqDC2\",\"bandwidth\":\"1Gbps\",\"connectionName\":\"a\\u0000b\"}"))
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		req := httptest.NewRequest("POST", "http://127.0.0.1:4580/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", targets[int(which)%len(targets)])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec, json.Unmarshal)
	})
}

// createdConnection creates a connection through h and returns its id.
func createdConnection(f *testing.F, h http.Handler) string {
	req := httptest.NewRequest("POST", "http://127.0.0.1:4580/", strings.NewReader(`{"location":"EqDC2","bandwidth":"10Gbps","connectionName":"seed"}`))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "OvertureService.CreateConnection")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out struct {
		ConnectionID string `json:"connectionId"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out.ConnectionID == "" {
		f.Fatalf("creating the seed connection: %d %s", rec.Code, rec.Body.Bytes())
	}
	return out.ConnectionID
}

// FuzzRPCv2CBOR sends arbitrary CBOR bodies to every Interconnect operation.
func FuzzRPCv2CBOR(f *testing.F) {
	h := fuzzServer(f)
	seed := func(v any) []byte {
		b, err := cbor.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(uint8(0), []byte{0xa0})
	f.Add(uint8(8), seed(map[string]any{"maxResults": 1, "provider": map[string]any{"cloudServiceProvider": "gcp"}}))
	f.Add(uint8(5), seed(map[string]any{"id": "mce-aws-gcp-iad"}))
	f.Add(uint8(1), seed(map[string]any{"bandwidth": "1Gbps", "attachPoint": map[string]any{"directConnectGateway": "x"}, "tags": map[string]any{"k": "v"}}))
	f.Add(uint8(2), []byte{0xbf, 0x61, 0x61, 0xc1, 0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		op := icapi.OperationNames[int(which)%len(icapi.OperationNames)]
		req := httptest.NewRequest("POST", "http://127.0.0.1:4580/service/Interconnect/operation/"+op, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/cbor")
		req.Header.Set("Smithy-Protocol", "rpc-v2-cbor")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkAnswer(t, rec, cbor.Unmarshal)
	})
}

// FuzzQuery sends arbitrary form bodies, unsigned, to the EC2 and STS
// slices: every answer is XML, and none is an internal error.
func FuzzQuery(f *testing.F) {
	h := fuzzServer(f)
	for _, seed := range []string{
		"Action=CreateVpnGateway&Version=2016-11-15&Type=ipsec.1&AmazonSideAsn=65000&TagSpecification.1.ResourceType=vpn-gateway&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v",
		"Action=DescribeVpnGateways&Version=2016-11-15&VpnGatewayId.1=vgw-0123456789abcdef0&Filter.1.Name=state&Filter.1.Value.1=av*",
		"Action=AttachVpnGateway&Version=2016-11-15&VpcId=vpc-01234567&VpnGatewayId=vgw-01234567",
		"Action=CreateTransitGateway&Version=2016-11-15&Options.AmazonSideAsn=4200000000&Options.TransitGatewayCidrBlocks.1=10.0.0.0/24&Options.DnsSupport=enable",
		"Action=ModifyTransitGateway&Version=2016-11-15&TransitGatewayId=tgw-01234567&Options.AddTransitGatewayCidrBlocks.1=10.1.0.0/24",
		"Action=DescribeTransitGatewayAttachments&Version=2016-11-15&Filter.1.Name=resource-type&Filter.1.Value.1=direct-connect-gateway&MaxResults=5",
		"Action=CreateTags&Version=2016-11-15&ResourceId.1=vgw-01234567&Tag.1.Key=a&Tag.1.Value=b",
		"Action=DeleteTags&Version=2016-11-15&ResourceId.1=tgw-01234567&Tag.1.Key=a",
		"Action=DescribeTags&Version=2016-11-15&Filter.1.Name=key&Filter.1.Value.1=*",
		"Action=GetCallerIdentity&Version=2011-06-15",
		"Action=DescribeVpnGateways&Version=2016-11-15&VpnGatewayId.99999999999999999999=x",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "http://127.0.0.1:4580/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= http.StatusInternalServerError {
			t.Fatalf("internal error: status %d: %q", rec.Code, rec.Body.Bytes())
		}
		var any struct {
			XMLName xml.Name
			Code    string `xml:"Errors>Error>Code"`
			Code2   string `xml:"Error>Code"`
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), &any); err != nil {
			t.Fatalf("status %d with a body that is not XML %q: %v", rec.Code, rec.Body.Bytes(), err)
		}
		if rec.Code >= 400 && any.Code == "" && any.Code2 == "" {
			t.Fatalf("error without a code: %q", rec.Body.Bytes())
		}
		if IsInternalAnswer(rec.Code, any.Code+any.Code2) {
			t.Fatalf("internal error: %q", rec.Body.Bytes())
		}
	})
}
