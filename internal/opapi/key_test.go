package opapi

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// Page keys sort as the list does, for any due time: before 1970, across
// the 2001 change from 18 to 19 digits, and up to the clock's bound.
func TestTransitionKeysSortAsTheList(t *testing.T) {
	var list []store.Transition
	for _, at := range []time.Time{
		time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
		time.Unix(999999999, 0),
		time.Unix(1000000001, 0),
		time.Date(2199, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		list = append(list, store.Transition{ID: "tr-b", DueAt: at.UTC()}, store.Transition{ID: "tr-a", DueAt: at.UTC().Add(time.Nanosecond)})
	}
	list = append(list, store.Transition{ID: "tr-m"}, store.Transition{ID: "tr-n"})
	keys := make([]string, len(list))
	for i, tr := range list {
		keys[i] = transitionKey(tr)
		back, err := parseTransitionKey(keys[i])
		if err != nil || back.ID != tr.ID || !back.DueAt.Equal(tr.DueAt) {
			t.Errorf("key %q reads back as %+v, %v; want %+v", keys[i], back, err, tr)
		}
	}
	if !slices.IsSortedFunc(keys, strings.Compare) {
		t.Errorf("keys do not sort as the list: %q", keys)
	}
}
