package metrics_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/metrics"
)

// scrape reads /metrics into a map from a series (name{labels}) to its value.
func scrape(t *testing.T, dx *dxlabtest.Instance) map[string]float64 {
	t.Helper()
	resp, body := dx.Raw("GET", "/metrics", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	series := map[string]float64{}
	line := regexp.MustCompile(`^([a-z_]+(?:\{[^}]*\})?) (\S+)$`)
	for _, l := range strings.Split(string(body), "\n") {
		if m := line.FindStringSubmatch(l); m != nil {
			v, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				t.Fatalf("line %q: %v", l, err)
			}
			series[m[1]] = v
		}
	}
	return series
}

func TestMetrics(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	c := dx.DirectConnect("111122223333", "us-east-1")
	var ids []string
	for range 2 {
		out, err := c.CreateConnection(t.Context(), &directconnect.CreateConnectionInput{
			Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("m"),
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.ConnectionId))
	}
	if _, err := c.DescribeConnections(t.Context(), &directconnect.DescribeConnectionsInput{ConnectionId: aws.String("dxcon-nothere")}); err == nil {
		t.Fatal("describing nothing succeeded")
	}
	dx.Fire(ids[0])

	m := scrape(t, dx)
	for series, want := range map[string]float64{
		metrics.RequestsTotal + `{code="2xx",operation="CreateConnection",service="DirectConnect"}`:    2,
		metrics.RequestsTotal + `{code="4xx",operation="DescribeConnections",service="DirectConnect"}`: 1,
		metrics.RequestDuration + `_count{operation="CreateConnection",service="DirectConnect"}`:       2,
		metrics.Resources + `{kind="dx.connection",state="requested"}`:                                 1,
		metrics.Resources + `{kind="dx.connection",state="pending"}`:                                   1,
		metrics.PendingSteps + `{step="connection.approve",waits_for_operator="true"}`:                 1,
		metrics.PendingSteps + `{step="connection.cross-connect",waits_for_operator="true"}`:           1,
		metrics.ScrapeError: 0,
	} {
		if got, ok := m[series]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
		}
	}
	for _, mode := range []string{"view", "update"} {
		if m[metrics.StoreTxDuration+`_count{mode="`+mode+`",outcome="ok"}`] == 0 {
			t.Errorf("no %s transactions timed", mode)
		}
	}
	if _, ok := m["go_goroutines"]; !ok {
		t.Error("no Go runtime metrics")
	}
}
