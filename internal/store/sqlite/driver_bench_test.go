package sqlite_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
)

// The scheduled-steps driver's cost must not grow with the steps pending
// (issue 12: flat with 100,000). Each benchmark runs at 1,000 and 100,000
// pending transitions, spread over the next 30 days as a fleet's are, with
// one in a hundred waiting for an operator; compare the two sizes' ns/op:
//
//	go test ./internal/store/sqlite -run XXX -bench Driver

var driverSteps = []string{"connection.approve", "connection.cross-connect", "vif.up", "vif.down", "lag.settle"}

var driverNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// pendingStore opens a store holding n pending transitions, none due.
func pendingStore(b *testing.B, n int) store.Store {
	s, err := sqlite.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	ctx := context.Background()
	for done := 0; done < n; {
		batch := min(10000, n-done)
		err := s.Update(ctx, func(w store.Writer) error {
			for i := done; i < done+batch; i++ {
				t := store.Transition{ID: fmt.Sprintf("tr-%010d", i), Step: driverSteps[i%len(driverSteps)], ResourceKind: "connection",
					ResourceID: fmt.Sprintf("dxcon-%08d", i), Account: "111122223333", Region: "us-east-1", CreatedAt: driverNow}
				if i%100 != 0 {
					// Due in the next 30 days, in an order unlike the ids'.
					t.DueAt = driverNow.Add(time.Minute + time.Duration((i*7919)%(30*24*60))*time.Minute)
				}
				if err := w.Schedule(ctx, t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += batch
	}
	return s
}

var pendingSizes = []int{1000, 100000}

// BenchmarkDriverRound is what the driver does every time it wakes and
// nothing is due: take what is due (nothing), look for due steps of unknown
// kinds to report, and ask when the next one is due.
func BenchmarkDriverRound(b *testing.B) {
	ctx := context.Background()
	for _, n := range pendingSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			s := pendingStore(b, n)
			for b.Loop() {
				err := s.Update(ctx, func(w store.Writer) error {
					taken, err := w.TakeDue(ctx, store.TakeQuery{Owner: "driver", Until: driverNow.Add(30 * time.Second), Now: driverNow, Steps: driverSteps, Limit: 100})
					if err == nil && len(taken) > 0 {
						err = fmt.Errorf("took %d, none is due", len(taken))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
				err = s.View(ctx, func(r store.Reader) error {
					if _, err := r.Transitions(ctx, store.TransitionQuery{DueBy: driverNow, Limit: 100}); err != nil {
						return err
					}
					next, err := r.NextDue(ctx, driverSteps)
					if err == nil && !next.After(driverNow) {
						err = fmt.Errorf("next due %v", next)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDriverFire is the store's part of firing one step among the
// pending: it is scheduled due, taken, and removed as it fires.
func BenchmarkDriverFire(b *testing.B) {
	ctx := context.Background()
	for _, n := range pendingSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			s := pendingStore(b, n)
			i := 0
			for b.Loop() {
				i++
				id := fmt.Sprintf("tr-due-%d", i)
				err := s.Update(ctx, func(w store.Writer) error {
					return w.Schedule(ctx, store.Transition{ID: id, Step: driverSteps[0], ResourceKind: "connection", ResourceID: "dxcon-due",
						Account: "111122223333", Region: "us-east-1", CreatedAt: driverNow, DueAt: driverNow})
				})
				if err != nil {
					b.Fatal(err)
				}
				err = s.Update(ctx, func(w store.Writer) error {
					taken, err := w.TakeDue(ctx, store.TakeQuery{Owner: "driver", Until: driverNow.Add(30 * time.Second), Now: driverNow, Steps: driverSteps, Limit: 100})
					if err != nil {
						return err
					}
					if len(taken) != 1 || taken[0].ID != id {
						return fmt.Errorf("took %v, want %s", taken, id)
					}
					return w.Unschedule(ctx, id)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPendingPage reads a page of 100 pending transitions half way
// through the listing (what an operator's listing and the health's count
// of pending steps read, a page at a time).
func BenchmarkPendingPage(b *testing.B) {
	ctx := context.Background()
	for _, n := range pendingSizes {
		b.Run(fmt.Sprintf("pending=%d", n), func(b *testing.B) {
			s := pendingStore(b, n)
			var after *store.TransitionKey
			err := s.View(ctx, func(r store.Reader) error {
				// The key half way, reached a page at a time as a client would.
				var k *store.TransitionKey
				for seen := 0; seen < n/2; seen += n / 10 {
					page, err := r.Transitions(ctx, store.TransitionQuery{After: k, Limit: n / 10})
					if err != nil {
						return err
					}
					last := page[len(page)-1]
					k = &store.TransitionKey{DueAt: last.DueAt, ID: last.ID}
				}
				after = k
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				err := s.View(ctx, func(r store.Reader) error {
					page, err := r.Transitions(ctx, store.TransitionQuery{After: after, Limit: 100})
					if err == nil && len(page) != 100 {
						err = fmt.Errorf("page of %d", len(page))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
