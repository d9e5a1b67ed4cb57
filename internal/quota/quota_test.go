package quota

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	known := []string{"lags-per-region", "interconnect-gcp-connections"}
	got, err := Parse([]string{"lags-per-region=20", " interconnect-gcp-connections = 0 "}, known)
	if err != nil || got.Or("lags-per-region", 10) != 20 || got.Or("interconnect-gcp-connections", 2) != 0 || got.Or("other", 7) != 7 {
		t.Fatalf("Parse = %v, %v", got, err)
	}
	for _, bad := range []struct{ pair, says string }{
		{"lags-per-region", "want name=number"},
		{"lags-per-region=-1", "want name=number"},
		{"lags-per-region=many", "want name=number"},
		{"lags-per-region=1.5", "want name=number"},
		{"nope=3", "no quota named nope (known: interconnect-gcp-connections, lags-per-region)"},
	} {
		if _, err := Parse([]string{bad.pair}, known); err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", bad.pair, err, bad.says)
		}
	}
}
