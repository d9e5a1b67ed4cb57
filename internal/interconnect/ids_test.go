package interconnect

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/dxlab/dxlab/internal/facility"
)

func TestActivationKeys(t *testing.T) {
	env := facility.Environment{Region: "eu-central-1", EnvironmentID: "mce-aws-azure-fra-prod", Type: "Multicloud",
		Provider: map[string]string{"cloudServiceProvider": "azure"}}
	key := newActivationKey(env, "0b0e4c1e-0000-4000-8000-000000000000", "1Gbps", keyForConnection+"mcc-abcdefgh")
	if len(key) > 2048 {
		t.Errorf("a key of %d characters is over the model's 2048", len(key))
	}
	k, err := parseActivationKey(key)
	if err != nil || k.Ref != "connection/mcc-abcdefgh" || k.ConnectionSizeMbps != 1000 || k.Region != "eu-central-1" ||
		k.DestinationEnvironmentURI != "https://partner-interconnect.eu-central-1.api.aws/providers/azure/environments/mce-aws-azure-fra-prod" {
		t.Errorf("parsed %+v, %v", k, err)
	}
	// It reads as real keys do: base64 of JSON starting with version.
	raw, _ := base64.StdEncoding.DecodeString(key)
	if !strings.HasPrefix(string(raw), `{"version":1,"destinationEnvironmentUri":`) || !json.Valid(raw) {
		t.Errorf("decoded key: %s", raw)
	}
	if newActivationKey(env, "x", "1Gbps", "proposal/p") == newActivationKey(env, "x", "1Gbps", "proposal/p") {
		t.Error("two keys for the same thing are equal: no nonce")
	}
	for _, bad := range []string{"", "garbage", base64.StdEncoding.EncodeToString([]byte(`{"version":2,"ref":"x"}`)),
		base64.StdEncoding.EncodeToString([]byte(`{"version":1}`))} {
		if _, err := parseActivationKey(bad); err == nil {
			t.Errorf("%q parsed as a key", bad)
		}
	}
}

func TestIDsAndBandwidths(t *testing.T) {
	for _, c := range []struct{ typ, prefix string }{{"Multicloud", "mcc-"}, {"LastMile", "lmcc-"}} {
		id := newConnectionID(facility.Environment{Type: c.typ})()
		if !strings.HasPrefix(id, c.prefix) || !connectionIDPattern.MatchString(id) {
			t.Errorf("%s id %q", c.typ, id)
		}
	}
	for bw, want := range map[string]int{"500Mbps": 500, "1Gbps": 1000, "100Gbps": 100000} {
		if got := mbps(bw); got != want {
			t.Errorf("mbps(%s) = %d", bw, got)
		}
	}
	if arn := ARN("us-east-1", "111122223333", "mcc-abcdefgh"); !arnPattern.MatchString(arn) {
		t.Errorf("ARN %s does not match its own pattern", arn)
	}
}

func TestQuotaTable(t *testing.T) {
	names := QuotaNames()
	for _, want := range []string{"interconnect-gcp-connections", "interconnect-azure-connections", otherQuota} {
		if !slices.Contains(names, want) {
			t.Errorf("QuotaNames() lacks %s: %v", want, names)
		}
	}
	if quotaFor("azure").Default != 1 || !quotaFor("azure").PerRegion || quotaFor("gcp").Default != 2 || quotaFor("who").Name != otherQuota {
		t.Error("the quota table is not what the docs say")
	}
}
