package opapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/internal/opapi"
)

// put registers a gateway with a JSON body and answers the status.
func (l *lab) put(path, body string) int {
	l.t.Helper()
	req, err := http.NewRequestWithContext(l.t.Context(), "PUT", l.url+path, strings.NewReader(body))
	if err != nil {
		l.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The operator registers a VGW for an account; that account's
// DescribeVirtualGateways lists it, the listing filters by account and
// region, and removing it is final.
func TestGatewayRegistry(t *testing.T) {
	l := newFakeLab(t)
	l.wantError("PUT", "/_dxlab/v1/gateways/vgw-0123abcd", http.StatusBadRequest) // no body
	if code := l.put("/_dxlab/v1/gateways/vgw-0123abcd", `{"account": "`+account+`", "region": "us-east-1", "asn": 64999, "cidrs": ["10.8.0.0/16"]}`); code != http.StatusOK {
		t.Fatalf("register: %d", code)
	}
	if code := l.put("/_dxlab/v1/gateways/tgw-0123abcd", `{"account": "`+account2+`", "region": "eu-west-1"}`); code != http.StatusOK {
		t.Fatalf("register a TGW: %d", code)
	}
	if code := l.put("/_dxlab/v1/gateways/igw-0123abcd", `{"account": "`+account+`", "region": "us-east-1"}`); code != http.StatusBadRequest {
		t.Errorf("an id that is no VGW or TGW: %d", code)
	}
	var all, mine opapi.GatewayList
	l.call("GET", "/_dxlab/v1/gateways", &all)
	l.call("GET", "/_dxlab/v1/gateways?account="+account+"&region=us-east-1", &mine)
	if len(all.Gateways) != 2 || len(mine.Gateways) != 1 {
		t.Fatalf("all %+v, mine %+v", all.Gateways, mine.Gateways)
	}
	if g := mine.Gateways[0]; g.ID != "vgw-0123abcd" || g.ASN != 64999 || strings.Join(g.CIDRs, ",") != "10.8.0.0/16" || g.Registered.IsZero() {
		t.Errorf("registered: %+v", g)
	}
	out, err := l.dx(account).DescribeVirtualGateways(t.Context(), &directconnect.DescribeVirtualGatewaysInput{})
	if err != nil || len(out.VirtualGateways) != 1 || aws.ToString(out.VirtualGateways[0].VirtualGatewayId) != "vgw-0123abcd" {
		t.Errorf("DescribeVirtualGateways: %+v %v", out, err)
	}
	if code := l.call("DELETE", "/_dxlab/v1/gateways/vgw-0123abcd", nil); code != http.StatusOK {
		t.Errorf("remove: %d", code)
	}
	l.wantError("DELETE", "/_dxlab/v1/gateways/vgw-0123abcd", http.StatusNotFound)
	l.wantError("DELETE", "/_dxlab/v1/gateways/nonsense", http.StatusBadRequest)
	if out, err := l.dx(account).DescribeVirtualGateways(t.Context(), &directconnect.DescribeVirtualGatewaysInput{}); err != nil || len(out.VirtualGateways) != 0 {
		t.Errorf("after removing: %+v %v", out, err)
	}
}
