package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/clock"
)

// aheadBy checks that c runs d ahead of the system clock, in UTC. It
// brackets the reading with system readings, so it holds however fast the
// test runs.
func aheadBy(t *testing.T, c *clock.Shifted, d time.Duration) {
	t.Helper()
	if got := c.Offset(); got != d {
		t.Fatalf("Offset() = %v, want %v", got, d)
	}
	before := time.Now()
	now := c.Now()
	after := time.Now()
	if now.Sub(before) < d || now.Sub(after) > d {
		t.Fatalf("Now() = %v, taken between %v and %v: not %v ahead", now, before, after, d)
	}
	if now.Location() != time.UTC {
		t.Fatalf("Now() is in %v, want UTC", now.Location())
	}
}

func TestShiftedAdvancesOnlyForward(t *testing.T) {
	var c clock.Shifted
	aheadBy(t, &c, 0)
	c.Advance(time.Hour)
	aheadBy(t, &c, time.Hour)
	c.Advance(0)
	c.Advance(-30 * time.Minute)
	aheadBy(t, &c, time.Hour)
	c.Advance(90 * time.Second)
	aheadBy(t, &c, time.Hour+90*time.Second)
}

func TestShiftedSetOffsetNeverMovesBack(t *testing.T) {
	var c clock.Shifted
	c.SetOffset(2 * time.Hour)
	aheadBy(t, &c, 2*time.Hour)
	c.SetOffset(time.Hour)
	aheadBy(t, &c, 2*time.Hour)
	c.SetOffset(-time.Hour)
	aheadBy(t, &c, 2*time.Hour)
	c.SetOffset(3 * time.Hour)
	aheadBy(t, &c, 3*time.Hour)
}

func TestFakeMovesOnlyWhenTold(t *testing.T) {
	start := time.Date(2026, 11, 2, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	c := clock.NewFake(start)
	for range 2 {
		if got := c.Now(); !got.Equal(start) || got.Location() != time.UTC {
			t.Fatalf("Now() = %v, want %v in UTC", got, start)
		}
	}
	c.Advance(time.Minute)
	c.Advance(0)
	c.Advance(-time.Hour)
	if got := c.Now(); !got.Equal(start.Add(time.Minute)) {
		t.Fatalf("after +1m, 0 and -1h: %v, want %v", got, start.Add(time.Minute))
	}
}

// Both clocks are safe for concurrent use: no advance is lost.
func TestClocksAdvanceConcurrently(t *testing.T) {
	shifted := &clock.Shifted{}
	fake := clock.NewFake(time.Unix(0, 0))
	var wg sync.WaitGroup
	for range 50 {
		for _, c := range []clock.Advancer{shifted, fake} {
			wg.Go(func() {
				c.Advance(time.Second)
				_ = c.Now()
			})
		}
		wg.Go(func() {
			shifted.SetOffset(0) // below any offset: changes nothing
			_ = shifted.Offset()
		})
	}
	wg.Wait()
	aheadBy(t, shifted, 50*time.Second)
	if got := fake.Now(); !got.Equal(time.Unix(50, 0)) {
		t.Fatalf("fake after 50 concurrent seconds: %v", got)
	}
}
