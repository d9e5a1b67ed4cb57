package opapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
)

// clock/advance moves the clock and fires what came due; a bad duration is a
// 400 that moves nothing.
func TestClockAdvance(t *testing.T) {
	t.Parallel()
	l := newFakeLab(t)
	c := l.dx(account)
	id := l.create(c, "short-lived")
	l.delete(c, id)

	if got := l.now(); !got.Now.Equal(dxlabtest.Start) || got.Fired != nil {
		t.Fatalf("clock: %+v", got)
	}
	steps := []struct {
		by    string
		fired int
		now   time.Time
	}{
		{"10m", 0, dxlabtest.Start.Add(10 * time.Minute)},
		{"5m", 1, dxlabtest.Start.Add(15 * time.Minute)},
	}
	for _, s := range steps {
		got := l.advance(s.by)
		if got.Fired == nil || *got.Fired != s.fired || !got.Now.Equal(s.now) {
			t.Fatalf("advance by %s: %+v, want %d fired, now %v", s.by, got, s.fired, s.now)
		}
	}
	for _, by := range []string{"", "abc", "0s", "-5m", "10", "9999999999999h"} {
		l.wantError("POST", "/_dxlab/v1/clock/advance?by="+url.QueryEscape(by), http.StatusBadRequest)
	}
	if got := l.now().Now; !got.Equal(steps[len(steps)-1].now) {
		t.Fatalf("bad advances moved the clock to %v", got)
	}
}

// On dxlab's own clock the operator sees the offset, and cannot run it past
// facility.MaxClockOffset.
func TestClockAdvanceIsBounded(t *testing.T) {
	t.Parallel()
	l := newLab(t, &clock.Shifted{})
	ahead := func(want time.Duration) {
		t.Helper()
		before := time.Now()
		got := l.now()
		after := time.Now()
		if got.OffsetSeconds != want.Seconds() || got.Now.Sub(before) < want || got.Now.Sub(after) > want {
			t.Fatalf("clock %+v read between %v and %v; want %v ahead", got, before, after, want)
		}
	}
	ahead(0)
	if got := l.advance("1h"); got.OffsetSeconds != 3600 || got.Fired == nil {
		t.Fatalf("advance by 1h: %+v", got)
	}
	ahead(time.Hour)
	for _, by := range []time.Duration{facility.MaxClockOffset, facility.MaxClockOffset - time.Hour + time.Second} {
		var e struct{ Error string }
		code := l.call("POST", "/_dxlab/v1/clock/advance?by="+by.String(), &e)
		if code != http.StatusBadRequest || !strings.Contains(e.Error, "ahead") {
			t.Errorf("advance by %v: %d %q, want 400 for running past the bound", by, code, e.Error)
		}
		ahead(time.Hour)
	}
}
