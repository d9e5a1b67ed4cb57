package facility

import (
	"context"
	"time"

	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Track registers the kinds of resource a service keeps, so that operators
// can look one up by id and count them by state. Services call it beside
// Register, once per kind.
func (f *Facility) Track(kinds ...resource.Schema) { f.kinds.Register(kinds...) }

// Census counts the resources of every tracked kind by state.
func (f *Facility) Census(ctx context.Context) ([]resource.Count, error) {
	var out []resource.Count
	err := f.store.View(ctx, func(r store.Reader) (err error) {
		out, err = f.kinds.Census(ctx, r)
		return err
	})
	return out, err
}

// StepCount is how many pending transitions of a step there are, and how
// many of them wait for an operator.
type StepCount struct {
	Step             string
	Pending, Waiting int
}

// PendingCounts counts the pending transitions by step, in step order.
func (f *Facility) PendingCounts(ctx context.Context) ([]StepCount, error) {
	var counts []store.StepCount
	err := f.store.View(ctx, func(r store.Reader) (err error) {
		counts, err = r.StepCounts(ctx)
		return err
	})
	out := make([]StepCount, 0, len(counts))
	for _, c := range counts {
		out = append(out, StepCount(c))
	}
	return out, err
}

// Restate gives the resources a store older than its state column holds
// their state, so that the census counts them; it answers how many. The
// server runs it once the services have registered their kinds.
func (f *Facility) Restate(ctx context.Context) (int, error) { return f.kinds.Restate(ctx, f.store) }

// Events reads the event timeline.
func (f *Facility) Events(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	var out []store.Event
	err := f.store.View(ctx, func(r store.Reader) (err error) {
		out, err = r.Events(ctx, q)
		return err
	})
	return out, err
}

// DefaultEventRetention is how long, on dxlab's clock, events are kept
// before the driver prunes them.
const DefaultEventRetention = 7 * 24 * time.Hour

// pruneEvery is how often, on dxlab's clock, the driver prunes events.
const pruneEvery = time.Hour

// EventRetention is how long events are kept.
func (f *Facility) EventRetention() time.Duration { return f.retention }

// PruneEvents drops the events older than the retention, on dxlab's clock,
// and reports how many.
func (f *Facility) PruneEvents(ctx context.Context) (int, error) {
	n := 0
	before := f.clock.Now().Add(-f.retention)
	err := f.store.Update(ctx, func(w store.Writer) (err error) {
		n, err = w.PruneEvents(ctx, before)
		return err
	})
	if err == nil && n > 0 {
		f.log.Info("pruned old events", "events", n, "before", before)
	}
	return n, err
}

// maybePrune prunes events when pruneEvery has passed on dxlab's clock since
// the last time (or this driver has not pruned yet).
func (f *Facility) maybePrune(ctx context.Context) {
	now := f.clock.Now()
	if !f.lastPrune.IsZero() && now.Sub(f.lastPrune) < pruneEvery {
		return
	}
	if _, err := f.PruneEvents(ctx); err != nil {
		if ctx.Err() == nil {
			f.log.Error("pruning events", "err", err)
		}
		return
	}
	f.lastPrune = now
}

// Inspect finds a resource of any tracked kind by id, whoever owns it, with
// what operators see of it, or store.ErrNotFound.
func (f *Facility) Inspect(ctx context.Context, id string) (resource.Inspected, error) {
	var out resource.Inspected
	err := f.store.View(ctx, func(r store.Reader) (err error) {
		out, err = f.kinds.Inspect(ctx, r, id)
		return err
	})
	return out, err
}

// Survey inspects the tracked resources the query selects, and reports
// whether it stopped at the query's limit.
func (f *Facility) Survey(ctx context.Context, q resource.SurveyQuery) (out []resource.Inspected, truncated bool, err error) {
	err = f.store.View(ctx, func(r store.Reader) (err error) {
		out, truncated, err = f.kinds.Survey(ctx, r, q)
		return err
	})
	return out, truncated, err
}

// DeviceStatus is a device of the catalog and whether it is down.
type DeviceStatus struct {
	Location, Region string
	Device
	Down bool
}

// Devices lists the devices of a region's locations (every region's when
// region is empty), in catalog order, with their state.
func (f *Facility) Devices(ctx context.Context, region string) ([]DeviceStatus, error) {
	var out []DeviceStatus
	err := f.store.View(ctx, func(r store.Reader) error {
		// The facility keeps a record only of a device an operator took
		// down (or brought back): one listing, not a read per device.
		touched, err := devices.List(ctx, r, store.ListQuery{})
		if err != nil {
			return err
		}
		down := map[string]bool{}
		for _, o := range touched {
			down[o.ID] = o.Doc.Down
		}
		for _, l := range f.catalog.Locations {
			if region != "" && l.Region != region {
				continue
			}
			for _, d := range l.Devices {
				out = append(out, DeviceStatus{Location: l.Code, Region: l.Region, Device: d, Down: down[d.ID]})
			}
		}
		return nil
	})
	return out, err
}
