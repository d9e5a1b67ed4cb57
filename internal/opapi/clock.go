package opapi

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
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
	by, err := ParseDuration(r.URL.Query().Get("by"))
	if err != nil || by <= 0 {
		return nil, badRequest("give a positive duration to advance by, e.g. ?by=15m, ?by=36h or ?by=2d")
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

// ParseDuration reads a Go duration ("90s", "1h30m") that may start with a
// whole number of days ("1d", "2d12h"). A day is 24 hours of dxlab's clock.
func ParseDuration(s string) (time.Duration, error) {
	days, rest, found := strings.Cut(s, "d")
	if !found {
		return time.ParseDuration(s)
	}
	n, err := strconv.ParseUint(days, 10, 31)
	if err != nil || days == "" || days[0] == '+' {
		return 0, fmt.Errorf("duration %q: the days must be a whole number, as in 2d12h", s)
	}
	const day = 24 * time.Hour
	if n > uint64(math.MaxInt64/day) {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	d := time.Duration(n) * day
	if rest == "" {
		return d, nil
	}
	more, err := time.ParseDuration(rest)
	if err != nil || more < 0 {
		return 0, fmt.Errorf("duration %q: after the days comes a duration such as 12h", s)
	}
	if d > math.MaxInt64-more {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return d + more, nil
}
