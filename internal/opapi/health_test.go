package opapi_test

import (
	"slices"
	"testing"

	"github.com/dxlab/dxlab/opclient"
)

// Health counts resources by kind and state, and the pending steps.
func TestHealthCounts(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	c := l.dx(account)
	l.create(c, "one")
	gone := l.create(c, "two")
	l.delete(c, gone)
	h, err := l.client().Health(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []opclient.ResourceCount{{Kind: "dx.connection", State: "deleted", Count: 1}, {Kind: "dx.connection", State: "requested", Count: 1}}
	if h.Status != "ok" || h.Store != "sqlite" || h.Provisioning != "manual" || h.Auth != "accept-any" || h.DataDir == "" ||
		!slices.Equal(h.Resources, want) || h.PendingSteps != 2 || h.WaitingSteps != 1 || h.EventRetentionSeconds <= 0 {
		t.Errorf("health %+v; want resources %v, 2 pending steps of which 1 waits", h, want)
	}
}
