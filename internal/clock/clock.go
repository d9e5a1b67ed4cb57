// Package clock is the time source of everything in dxlab that reads the
// time. Nothing else calls time.Now, so that tests, and operators, can move
// time forward by hand.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time. Implementations are safe for concurrent use.
type Clock interface {
	Now() time.Time
}

// Shifted is the system clock plus an offset that only grows: an operator
// who fast-forwards dxlab by ten minutes sees every scheduled transition of
// those ten minutes fire, and time keeps running from there.
type Shifted struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the system time plus the offset, in UTC.
func (c *Shifted) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

// Advance moves the clock forward by d (never back).
func (c *Shifted) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// SetOffset restores an offset kept from an earlier run; it never moves the
// clock back.
func (c *Shifted) SetOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = max(c.offset, d)
}

// Offset is how far the clock has been moved ahead of the system's.
func (c *Shifted) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// System is the system clock, unshifted: for what must follow real time
// whatever an operator does to dxlab's (checking a signature's age).
type System struct{}

// Now returns the system time in UTC.
func (System) Now() time.Time { return time.Now().UTC() }

// Fake is a clock that moves only when told to, for tests.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

// NewFake returns a Fake reading start.
func NewFake(start time.Time) *Fake {
	return &Fake{now: start.UTC()}
}

func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (never back).
func (c *Fake) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Advancer is a clock that can be moved forward.
type Advancer interface {
	Clock
	Advance(d time.Duration)
}

var (
	_ Advancer = (*Shifted)(nil)
	_ Advancer = (*Fake)(nil)
)
