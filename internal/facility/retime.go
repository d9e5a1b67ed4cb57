package facility

import (
	"context"
	"time"

	"github.com/dxlab/dxlab/internal/store"
)

// Retime gives the steps that wait for an operator the delay the profile in
// force gives them: a step scheduled under manual, and dxlab restarted under
// instant or realistic, is due at once or after its realistic delay, counted
// from now, instead of waiting for an operator who is no longer expected.
// A step that waits because it kept failing (MaxAttempts) keeps waiting. Steps
// already timed keep their time whatever the profile (chosen: a restart
// under manual does not take back a due time). Call it once the services
// have registered their steps; it reports how many it re-timed.
func (f *Facility) Retime(ctx context.Context) (int, error) {
	n := 0
	err := f.store.Update(ctx, func(w store.Writer) error {
		n = 0
		now := f.clock.Now()
		var after *store.TransitionKey
		for {
			page, err := w.Transitions(ctx, store.TransitionQuery{After: after, Limit: takeBatch})
			if err != nil {
				return err
			}
			for _, t := range page {
				if !t.DueAt.IsZero() || t.Attempts >= MaxAttempts || (t.HeldBy != "" && t.HeldUntil.After(now)) {
					continue
				}
				s, known := f.step(t.Step)
				if !known {
					continue
				}
				d, manual := f.Delay(s)
				if manual {
					continue
				}
				t.DueAt = now.Add(d)
				t.HeldBy, t.HeldUntil = "", time.Time{}
				if err := w.Reschedule(ctx, t); err != nil {
					return err
				}
				n++
				f.log.Info("step no longer waits for an operator under this profile", "transition", t.ID, "step", t.Step,
					"resource", t.ResourceID, "profile", f.profile, "due", t.DueAt)
			}
			if len(page) < takeBatch {
				return nil
			}
			last := page[len(page)-1]
			after = &store.TransitionKey{DueAt: last.DueAt, ID: last.ID}
		}
	})
	if n > 0 {
		f.Poke()
	}
	return n, err
}
