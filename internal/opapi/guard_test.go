package opapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/opapi"
	"github.com/dxlab/dxlab/internal/server"
)

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"1d": 24 * time.Hour, "2d12h": 60 * time.Hour, "0d30m": 30 * time.Minute, "90s": 90 * time.Second, "1h30m": 90 * time.Minute,
		"36500d": 36500 * 24 * time.Hour,
	} {
		if got, err := opapi.ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "1.5d", "-1d", "+1d", "1d-1h", "1dd", "d1h", "1x", "999999999999d", "106751d24h"} {
		if got, err := opapi.ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, got)
		}
	}
}

func TestClockAdvanceByDays(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	if got := l.advance("1d"); !got.Now.Equal(dxlabtest.Start.Add(24 * time.Hour)) {
		t.Fatalf("advance by 1d: %+v", got)
	}
	if got := l.advance("2d12h"); !got.Now.Equal(dxlabtest.Start.Add(84 * time.Hour)) {
		t.Fatalf("advance by 2d12h: %+v", got)
	}
	// The overflow a probe found: far past the clock's bound, refused.
	for _, by := range []string{"2100000h", "100000d", "1.5d"} {
		l.wantError("POST", "/_dxlab/v1/clock/advance?by="+by, http.StatusBadRequest)
	}
}

// guardedLab serves dxlab with an operator token.
func guardedLab(t *testing.T, token string) string {
	srv, err := server.New(server.Options{DataDir: t.TempDir(), Profile: facility.Manual, Clock: clock.NewFake(dxlabtest.Start),
		OperatorToken: token})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return ts.URL
}

func send(t *testing.T, method, url string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestOperatorToken(t *testing.T) {
	t.Parallel()
	const token = "s3cret-token"
	url := guardedLab(t, token)
	bearer := map[string]string{"Authorization": "Bearer " + token}
	for _, c := range []struct {
		method, path string
		headers      map[string]string
		status       int
	}{
		{"POST", "/_dxlab/v1/clock/advance?by=1m", nil, 401},
		{"POST", "/_dxlab/v1/clock/advance?by=1m", map[string]string{"Authorization": "Bearer wrong"}, 401},
		{"POST", "/_dxlab/v1/clock/advance?by=1m", map[string]string{"Authorization": token}, 401},
		{"POST", "/_dxlab/v1/transitions/fire-due", nil, 401},
		{"POST", "/_dxlab/v1/transitions/tr-x/fire", nil, 401},
		{"POST", "/_dxlab/v1/clock/advance?by=1m", bearer, 200},
		{"POST", "/_dxlab/v1/transitions/fire-due", bearer, 200},
		// Reading from loopback needs no token; the health report never.
		{"GET", "/_dxlab/v1/transitions", nil, 200},
		{"GET", "/_dxlab/v1/clock", nil, 200},
		{"GET", "/_dxlab/health", nil, 200},
	} {
		if got, body := send(t, c.method, url+c.path, c.headers); got != c.status {
			t.Errorf("%s %s with %v: %d %s, want %d", c.method, c.path, c.headers, got, body, c.status)
		}
	}
}

// A web page cannot change dxlab: not from another site, nor by rebinding
// its own name to dxlab's address.
func TestOperatorAPIRefusesBrowsers(t *testing.T) {
	t.Parallel()
	const token = "tok"
	url := guardedLab(t, token)
	host := strings.TrimPrefix(url, "http://")
	for _, c := range []struct {
		headers map[string]string
		status  int
	}{
		{map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{map[string]string{"Origin": "http://evil.example"}, 403},
		{map[string]string{"Host": "evil.example:4580"}, 403},
		{map[string]string{"Host": "rebind.evil.example"}, 403},
		{map[string]string{"Sec-Fetch-Site": "same-origin"}, 200},
		{map[string]string{"Origin": "http://" + host}, 200},
		{map[string]string{"Host": "localhost:4580"}, 200},
		{map[string]string{"Host": "dxlab.localhost"}, 200},
		{map[string]string{"Host": "[::1]:4580"}, 200},
	} {
		c.headers["Authorization"] = "Bearer " + token
		if got, body := send(t, "POST", url+"/_dxlab/v1/transitions/fire-due", c.headers); got != c.status {
			t.Errorf("%v: %d %s, want %d", c.headers, got, body, c.status)
		}
	}
	// The host guard covers the AWS APIs too.
	got, body := send(t, "POST", url+"/", map[string]string{"Host": "evil.example", "X-Amz-Target": "OvertureService.DescribeLocations",
		"Content-Type": "application/x-amz-json-1.1"})
	if got != 403 || !strings.Contains(body, "DNS rebinding") {
		t.Errorf("AWS API with a foreign Host: %d %s", got, body)
	}
}
