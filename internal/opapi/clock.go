package opapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/opclient"
)

func (a *api) now() opclient.Clock {
	c := opclient.Clock{Now: a.opts.Clock.Now()}
	if s, ok := a.opts.Clock.(*clock.Shifted); ok {
		c.OffsetSeconds = s.Offset().Seconds()
	}
	return c
}

func (a *api) clock(*http.Request) (any, error) { return a.now(), nil }

// advance moves the clock forward by ?by=<duration> (e.g. 90s, 15m) and
// fires what came due.
func (a *api) advance(r *http.Request) (any, error) {
	by, err := time.ParseDuration(r.URL.Query().Get("by"))
	if err != nil || by <= 0 {
		return nil, badRequest("give a positive duration to advance by, e.g. ?by=15m")
	}
	n, err := a.opts.Facility.Advance(r.Context(), by)
	if errors.Is(err, facility.ErrClockBound) {
		return nil, badRequest("%s", err.Error())
	}
	if err != nil {
		return nil, err
	}
	report := a.now()
	report.Fired = &n
	a.log.Info("operator advanced the clock", "by", by, "now", report.Now, "fired", n)
	return report, nil
}
