package opapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// GET /_dxlab/ lists every endpoint, as JSON or, for a browser, HTML.
func TestIndex(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	idx, err := l.client().Index(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range idx.Endpoints {
		if e.Method == "" || e.Summary == "" {
			t.Errorf("endpoint %+v lacks a method or a summary", e)
		}
		paths = append(paths, e.Method+" "+e.Path)
	}
	for _, want := range []string{"GET /_dxlab/health", "GET /_dxlab/v1/transitions", "POST /_dxlab/v1/transitions/{id}/fire",
		"POST /_dxlab/v1/transitions/fire-due", "GET /_dxlab/v1/clock", "POST /_dxlab/v1/clock/advance",
		"GET /_dxlab/v1/resources/{id}", "GET /_dxlab/v1/events", "GET /metrics"} {
		if !slices.Contains(paths, want) {
			t.Errorf("the index lacks %s: %v", want, paths)
		}
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", l.url+"/_dxlab/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("a browser gets %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	l.wantError("POST", "/_dxlab/", http.StatusNotFound)
}
