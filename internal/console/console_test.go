package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

// The console is found from the operator index, and served from the binary
// with a policy that keeps it to its own origin.
func TestConsoleServed(t *testing.T) {
	t.Parallel()
	dx := dxlabtest.New(t, dxlabtest.Options{})
	idx, err := dx.OperatorClient().Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if idx.Console != "/_dxlab/console/" {
		t.Errorf("the index names the console %q", idx.Console)
	}
	found := false
	for _, e := range idx.Endpoints {
		found = found || e == opclient.Endpoint{Method: "GET", Path: "/_dxlab/console/", Summary: e.Summary}
	}
	if !found {
		t.Error("the index does not list the console")
	}
	_, html := dx.Raw("GET", "/_dxlab/", map[string]string{"Accept": "text/html"}, nil)
	if !strings.Contains(string(html), `<a href="/_dxlab/console/">Open the web console</a>`) {
		t.Errorf("the index page does not link to the console:\n%s", html)
	}

	for _, c := range []struct{ path, typ, has string }{
		{"/_dxlab/console/", "text/html", `<svg id="topology"`},
		{"/_dxlab/console/console.js", "text/javascript", `const API = "/_dxlab/v1";`},
		{"/_dxlab/console/console.css", "text/css", `.node rect`},
	} {
		resp, body := dx.Raw("GET", c.path, nil, nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.typ) || !strings.Contains(string(body), c.has) {
			t.Errorf("GET %s: %d %s, %d bytes", c.path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: policy %q", c.path, csp)
		}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(dx.URL + "/_dxlab/console")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/_dxlab/console/" {
		t.Errorf("GET /_dxlab/console: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := dx.Raw("POST", "/_dxlab/console/", nil, nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /_dxlab/console/: %d", resp.StatusCode)
	}
	if resp, _ := dx.Raw("GET", "/_dxlab/console/nothing.js", nil, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET a file the console lacks: %d", resp.StatusCode)
	}
}
