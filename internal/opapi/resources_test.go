package opapi_test

import (
	"testing"

	"github.com/dxlab/dxlab/opclient"
)

// A resource is found by id alone, whoever owns it.
func TestResourceByID(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	id := l.create(l.dx(account2), "theirs")
	got, err := l.client().Resource(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := opclient.Resource{Kind: "dx.connection", ID: id, Account: account2, Region: region, State: "requested", Version: 1}
	if got != want {
		t.Errorf("resource %+v, want %+v", got, want)
	}
	if _, err := l.client().Resource(t.Context(), "dxcon-nothere"); !opclient.IsNotFound(err) {
		t.Errorf("an unknown id: %v, want a 404", err)
	}
}
