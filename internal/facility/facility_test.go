package facility_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/internal/store/sqlite"
)

var start = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const (
	account = "111122223333"
	region  = "us-east-1"
)

// thing is the test resource the test steps move from state to state.
type thing struct {
	State string `json:"state"`
}

var things = &resource.Kind[thing]{Name: "test.thing", Noun: "thing", State: func(d *thing) string { return d.State }}

// stepDef is a test step: it moves a thing from one state to another and
// schedules next, as the services' steps do.
type stepDef struct {
	name     string
	actor    facility.Actor
	delay    time.Duration
	from, to string
	next     string
}

// The steps of a thing's life: requested -> pending -> available -> retired.
var (
	approve   = stepDef{name: "thing.approve", actor: facility.AWSStaff, from: "requested", to: "pending", next: "thing.cross-connect"}
	cross     = stepDef{name: "thing.cross-connect", actor: facility.Technician, from: "pending", to: "available", next: "thing.retire"}
	retire    = stepDef{name: "thing.retire", actor: facility.Housekeeping, delay: 2 * time.Hour, from: "available", to: "retired"}
	auto      = stepDef{name: "thing.auto", actor: facility.Automation, from: "requested", to: "done"}
	lifecycle = []stepDef{approve, cross, retire}
)

// call is one Apply as the step saw it.
type call struct {
	step       string
	transition store.Transition
	account    string // the API caller the step's context carries
	cause      store.Cause
	ctxErr     error
	at         time.Time // the transaction's time
}

// world is a store, a fake clock and a log of what the steps did.
type world struct {
	t     *testing.T
	dir   string
	st    store.Store
	clock *clock.Fake

	mu       sync.Mutex
	calls    []call
	failures map[string]int // step -> failures left; negative: always
	applied  chan string    // resource ids, as steps apply, if not nil
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, dir: t.TempDir(), clock: clock.NewFake(start), failures: map[string]int{}}
	w.open()
	return w
}

// open opens the store in the world's directory (again, after reopen).
func (w *world) open() {
	st, err := sqlite.Open(w.dir)
	if err != nil {
		w.t.Fatal(err)
	}
	w.st = st
	w.t.Cleanup(func() { st.Close() })
}

// reopen closes the store and opens it again: a restart.
func (w *world) reopen() {
	if err := w.st.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.open()
}

func (w *world) setFailures(step string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.failures[step] = n
}

// failing reports whether the step fails this time, and counts it.
func (w *world) failing(step string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.failures[step]
	if n > 0 {
		w.failures[step] = n - 1
	}
	return n != 0
}

func (w *world) record(ctx context.Context, s stepDef, tx *resource.Tx, t store.Transition) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, call{step: s.name, transition: t, account: caller.From(ctx).Account,
		cause: resource.CauseOf(ctx), ctxErr: ctx.Err(), at: tx.Now()})
	if w.applied != nil {
		w.applied <- t.ResourceID
	}
}

func (w *world) callLog() []call {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.calls)
}

// steps turns defs into facility steps on f.
func (w *world) steps(f *facility.Facility, defs []stepDef) []facility.Step {
	var out []facility.Step
	for _, s := range defs {
		out = append(out, facility.Step{Name: s.name, Actor: s.actor, Delay: s.delay, Note: "test step " + s.name,
			Apply: func(ctx context.Context, tx *resource.Tx, t store.Transition) error {
				w.record(ctx, s, tx, t)
				o, err := things.Get(ctx, tx.Reader(), t.ResourceID)
				if err != nil {
					return err
				}
				if o.Doc.State != s.from {
					return nil
				}
				o.Doc.State = s.to
				if err := things.Save(ctx, tx, o); err != nil {
					return err
				}
				if s.next != "" {
					if err := f.Schedule(ctx, tx, thingRef(o.ID), s.next); err != nil {
						return err
					}
				}
				// Fail only after writing, to show the writes roll back.
				if w.failing(s.name) {
					return fmt.Errorf("%s fails on purpose", s.name)
				}
				return nil
			}})
	}
	return out
}

// facility returns a facility on the world's store and clock knowing defs.
func (w *world) facility(profile facility.Profile, defs ...stepDef) *facility.Facility {
	return w.facilityOn(w.clock, profile, defs...)
}

func (w *world) facilityOn(c clock.Clock, profile facility.Profile, defs ...stepDef) *facility.Facility {
	w.t.Helper()
	f, err := facility.New(facility.Options{Store: w.st, Clock: c, Profile: profile})
	if err != nil {
		w.t.Fatal(err)
	}
	f.Register(w.steps(f, defs)...)
	return f
}

func thingRef(id string) facility.Resource {
	return facility.Resource{Kind: things.Name, ID: id, Account: account, Region: region}
}

// apiCtx is a context as an API request's, with a caller.
func apiCtx(t *testing.T) context.Context {
	return caller.With(t.Context(), caller.Caller{Account: account, Region: region, RequestID: "req-1", Operation: "CreateThing"})
}

// create stores a requested thing and schedules first (if any) in one
// transaction, as an API call does, and returns what it scheduled.
func (w *world) create(ctx context.Context, f *facility.Facility, id, first string) []store.Transition {
	w.t.Helper()
	tx, err := resource.Update(ctx, w.st, f.Clock().Now(), func(tx *resource.Tx) error {
		if _, err := things.Create(ctx, tx, resource.Meta{ID: id, Account: account, Region: region}, &thing{State: "requested"}, nil); err != nil {
			return err
		}
		if first == "" {
			return nil
		}
		return f.Schedule(ctx, tx, thingRef(id), first)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return tx.Scheduled()
}

func (w *world) thing(id string) *resource.Object[thing] {
	w.t.Helper()
	var o *resource.Object[thing]
	err := w.st.View(w.t.Context(), func(r store.Reader) (err error) {
		o, err = things.Get(w.t.Context(), r, id)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *world) wantState(id, want string) {
	w.t.Helper()
	if got := w.thing(id).Doc.State; got != want {
		w.t.Fatalf("%s is %q, want %q", id, got, want)
	}
}

func (w *world) events(id string) []store.Event {
	w.t.Helper()
	var out []store.Event
	err := w.st.View(w.t.Context(), func(r store.Reader) (err error) {
		out, err = r.Events(w.t.Context(), store.EventQuery{ResourceID: id})
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// transition reads one transition from the store; ok is false if it is gone.
func (w *world) transition(id string) (t store.Transition, ok bool) {
	w.t.Helper()
	err := w.st.View(w.t.Context(), func(r store.Reader) (err error) {
		t, err = r.Transition(w.t.Context(), id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return t, false
	}
	if err != nil {
		w.t.Fatal(err)
	}
	return t, true
}

// schedule writes a transition straight into the store.
func (w *world) schedule(t store.Transition) {
	w.t.Helper()
	err := w.st.Update(w.t.Context(), func(wr store.Writer) error { return wr.Schedule(w.t.Context(), t) })
	if err != nil {
		w.t.Fatal(err)
	}
}

func pending(t *testing.T, f *facility.Facility, q facility.PendingQuery) []store.Transition {
	t.Helper()
	out, err := f.Pending(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// only is the one pending transition.
func only(t *testing.T, f *facility.Facility) store.Transition {
	t.Helper()
	p := pending(t, f, facility.PendingQuery{})
	if len(p) != 1 {
		t.Fatalf("want one pending transition, got %d: %+v", len(p), p)
	}
	return p[0]
}

// fireDue calls FireDue and checks how many it fired.
func fireDue(t *testing.T, f *facility.Facility, want int) {
	t.Helper()
	n, err := f.FireDue(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("FireDue fired %d, want %d", n, want)
	}
}

// firesAfter checks that the one step due d from now on id does not fire a
// nanosecond before d, leaving id in state before, and fires at d, moving it
// to after.
func (w *world) firesAfter(f *facility.Facility, d time.Duration, id, before, after string) {
	w.t.Helper()
	w.clock.Advance(d - time.Nanosecond)
	fireDue(w.t, f, 0)
	w.wantState(id, before)
	w.clock.Advance(time.Nanosecond)
	fireDue(w.t, f, 1)
	w.wantState(id, after)
}

// A step fires when its delay under the profile has passed, and not a
// nanosecond before.
func TestRealisticStepsFireExactlyWhenDue(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		actor facility.Actor
		delay time.Duration
	}{
		{facility.Automation, facility.RealisticAutomation},
		{facility.AWSStaff, facility.RealisticAWSStaff},
		{facility.Technician, facility.RealisticTechnician},
	} {
		t.Run(tc.actor.String(), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			step := stepDef{name: "thing.step", actor: tc.actor, from: "requested", to: "done"}
			f := w.facility(facility.Realistic, step)
			w.create(t.Context(), f, "thing-1", step.name)
			tr := only(t, f)
			if !tr.DueAt.Equal(start.Add(tc.delay)) || !tr.CreatedAt.Equal(start) || tr.HeldBy != "" {
				t.Fatalf("scheduled %+v, want created at %v, due %v later, not held", tr, start, tc.delay)
			}
			w.firesAfter(f, tc.delay, "thing-1", "requested", "done")
			if p := pending(t, f, facility.PendingQuery{}); len(p) != 0 {
				t.Fatalf("still pending after firing: %+v", p)
			}
		})
	}
}

// Under the manual profile, people wait for an operator however long the
// clock runs; automation does not.
func TestManualStepsWaitForTheOperator(t *testing.T) {
	t.Parallel()
	for _, actor := range []facility.Actor{facility.AWSStaff, facility.Technician} {
		t.Run(actor.String(), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			step := stepDef{name: "thing.step", actor: actor, from: "requested", to: "done"}
			f := w.facility(facility.Manual, step)
			w.create(t.Context(), f, "thing-1", step.name)
			tr := only(t, f)
			if !tr.DueAt.IsZero() {
				t.Fatalf("a manual step is due at %v; it should wait for an operator", tr.DueAt)
			}
			w.clock.Advance(1000 * time.Hour)
			fireDue(t, f, 0)
			w.wantState("thing-1", "requested")

			fired, err := f.Fire(t.Context(), tr.ID)
			if err != nil || fired.ID != tr.ID {
				t.Fatalf("Fire = %+v, %v", fired, err)
			}
			w.wantState("thing-1", "done")
			ev := w.events("thing-1")
			last := ev[len(ev)-1].Cause
			if last.Type != store.CauseOperator || last.Step != step.name || last.Actor != actor.String() || last.Transition != tr.ID {
				t.Fatalf("cause of the operator's firing: %+v", last)
			}
			if _, err := f.Fire(t.Context(), tr.ID); !errors.Is(err, facility.ErrNoTransition) {
				t.Fatalf("firing it again: %v, want ErrNoTransition", err)
			}
		})
	}
	t.Run("automation", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		f := w.facility(facility.Manual, auto)
		w.create(t.Context(), f, "thing-1", auto.name)
		if due := only(t, f).DueAt; !due.Equal(start.Add(facility.RealisticAutomation)) {
			t.Fatalf("automation under manual is due at %v, want as realistic", due)
		}
		w.clock.Advance(facility.RealisticAutomation)
		fireDue(t, f, 1)
		w.wantState("thing-1", "done")
	})
}

// Housekeeping keeps its own timer whatever the profile, even instant.
func TestHousekeepingUsesItsDelayInEveryProfile(t *testing.T) {
	t.Parallel()
	step := stepDef{name: "thing.forget", actor: facility.Housekeeping, delay: 15 * time.Minute, from: "requested", to: "forgotten"}
	for _, p := range []facility.Profile{facility.Instant, facility.Realistic, facility.Manual} {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			f := w.facility(p, step)
			if d, manual := f.Delay(facility.Step{Actor: facility.Housekeeping, Delay: step.delay}); d != step.delay || manual {
				t.Fatalf("Delay = %v, %v", d, manual)
			}
			scheduled := w.create(t.Context(), f, "thing-1", step.name)
			f.Settle(scheduled)
			w.wantState("thing-1", "requested")
			tr := only(t, f)
			if !tr.DueAt.Equal(start.Add(step.delay)) || tr.HeldBy != "" {
				t.Fatalf("housekeeping scheduled as %+v", tr)
			}
			w.firesAfter(f, step.delay, "thing-1", "requested", "forgotten")
		})
	}
}

// One jump of the clock carries a resource through every step that fits in
// it, each happening when it was due, and the timeline says so.
func TestOneClockJumpRunsTheWholeChain(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Realistic, lifecycle...)
	w.create(apiCtx(t), f, "thing-1", approve.name)
	w.clock.Advance(time.Hour)
	fireDue(t, f, 2) // approve, cross-connect; retire is 2h after that
	w.wantState("thing-1", "available")

	approvedAt := start.Add(facility.RealisticAWSStaff)
	connectedAt := approvedAt.Add(facility.RealisticTechnician)
	calls := w.callLog()
	if len(calls) != 2 {
		t.Fatalf("calls: %+v", calls)
	}
	if c := calls[1].transition; c.Step != cross.name || !c.CreatedAt.Equal(approvedAt) || !c.DueAt.Equal(connectedAt) {
		t.Fatalf("the cross-connect was scheduled as %+v; want created when approval was due (%v), due %v", c, approvedAt, connectedAt)
	}
	r := only(t, f)
	if r.Step != retire.name || !r.CreatedAt.Equal(connectedAt) || !r.DueAt.Equal(connectedAt.Add(retire.delay)) {
		t.Fatalf("next step %+v; want created %v and due %v, counting from the cross-connect, not from now", r, connectedAt, connectedAt.Add(retire.delay))
	}

	ev := w.events("thing-1")
	want := []struct {
		at       time.Time
		from, to string
		cause    store.Cause
	}{
		{start, "", "requested", store.Cause{Type: store.CauseAPI, RequestID: "req-1", Account: account, Operation: "CreateThing"}},
		{approvedAt, "requested", "pending", store.Cause{Type: store.CauseStep, Step: approve.name, Actor: "aws-staff", Transition: calls[0].transition.ID}},
		{connectedAt, "pending", "available", store.Cause{Type: store.CauseStep, Step: cross.name, Actor: "technician", Transition: calls[1].transition.ID}},
	}
	if len(ev) != len(want) {
		t.Fatalf("events: %+v", ev)
	}
	for i, e := range ev {
		if !e.At.Equal(want[i].at) || e.From != want[i].from || e.To != want[i].to || e.Cause != want[i].cause {
			t.Errorf("event %d: at %v %q -> %q by %+v; want at %v %q -> %q by %+v", i, e.At, e.From, e.To, e.Cause,
				want[i].at, want[i].from, want[i].to, want[i].cause)
		}
	}

	w.clock.Advance(2 * time.Hour)
	fireDue(t, f, 1)
	w.wantState("thing-1", "retired")
}

// Under the instant profile an API call's steps happen before it answers,
// apart from the request: not as its caller, not cancelled with it.
func TestSettleRunsInstantStepsApartFromTheRequest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Instant, lifecycle...)
	ctx, cancel := context.WithCancel(apiCtx(t))
	scheduled := w.create(ctx, f, "thing-1", approve.name)
	cancel()

	if len(scheduled) != 1 || scheduled[0].HeldBy == "" || !scheduled[0].HeldUntil.Equal(start.Add(facility.HoldTimeout)) {
		t.Fatalf("a step due at once should be held for the settler: %+v", scheduled)
	}
	fireDue(t, f, 0) // the driver leaves it to Settle
	other := w.facility(facility.Instant, lifecycle...)
	other.Settle(scheduled) // another process's settler does not fire it
	w.wantState("thing-1", "requested")

	f.Settle(scheduled)
	w.wantState("thing-1", "available")
	calls := w.callLog()
	if len(calls) != 2 {
		t.Fatalf("calls: %+v", calls)
	}
	for _, c := range calls {
		if c.account != "" || c.ctxErr != nil || c.cause.Type != store.CauseStep || !c.at.Equal(start) {
			t.Errorf("%s ran as %q, ctx err %v, cause %+v, at %v; want no caller, live, a step, at once", c.step, c.account, c.ctxErr, c.cause, c.at)
		}
	}
	r := only(t, f)
	if r.Step != retire.name || !r.DueAt.Equal(start.Add(retire.delay)) || r.HeldBy != "" {
		t.Fatalf("housekeeping after the chain: %+v", r)
	}
}

// A failing step stays pending and is retried with a doubling backoff; what
// its failed firings wrote is rolled back.
func TestFailingStepIsRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	flaky := stepDef{name: "thing.flaky", actor: facility.Automation, from: "requested", to: "done", next: retire.name}
	f := w.facility(facility.Realistic, flaky, retire)
	const failures = 3
	w.setFailures(flaky.name, failures)
	w.create(t.Context(), f, "thing-1", flaky.name)
	w.clock.Advance(facility.RealisticAutomation)

	for i := 1; i <= failures; i++ {
		fireDue(t, f, 0)
		tr := only(t, f)
		backoff := facility.RetryBase << (i - 1)
		if tr.Step != flaky.name || tr.Attempts != i || !strings.Contains(tr.LastError, "fails on purpose") ||
			!tr.DueAt.Equal(w.clock.Now().Add(backoff)) || tr.HeldBy != "" {
			t.Fatalf("after failure %d: %+v; want attempts %d, due in %v, not held", i, tr, i, backoff)
		}
		// The failed firing's writes rolled back: no save, no event, no
		// next step.
		if o := w.thing("thing-1"); o.Doc.State != "requested" || o.Version != 1 {
			t.Fatalf("after failure %d the thing is %q at version %d", i, o.Doc.State, o.Version)
		}
		if ev := w.events("thing-1"); len(ev) != 1 {
			t.Fatalf("events after failure %d: %+v", i, ev)
		}
		w.clock.Advance(backoff - time.Nanosecond)
		fireDue(t, f, 0)
		if n := len(w.callLog()); n != i {
			t.Fatalf("retried before its backoff: %d calls after %d failures", n, i)
		}
		w.clock.Advance(time.Nanosecond)
	}
	fireDue(t, f, 1)
	w.wantState("thing-1", "done")
	if r := only(t, f); r.Step != retire.name {
		t.Fatalf("after success, pending %+v", r)
	}
	if n := len(w.callLog()); n != failures+1 {
		t.Fatalf("%d calls, want %d", n, failures+1)
	}
}

// After MaxAttempts failures a step waits for an operator, still pending.
func TestStepThatKeepsFailingWaitsForTheOperator(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Realistic, auto)
	w.setFailures(auto.name, -1)
	w.create(t.Context(), f, "thing-1", auto.name)
	w.clock.Advance(facility.RealisticAutomation)
	for i := 1; i <= facility.MaxAttempts; i++ {
		fireDue(t, f, 0)
		tr := only(t, f)
		if tr.Attempts != i {
			t.Fatalf("attempts %d, want %d", tr.Attempts, i)
		}
		if i == facility.MaxAttempts {
			if !tr.DueAt.IsZero() {
				t.Fatalf("after %d failures still due at %v", i, tr.DueAt)
			}
			break
		}
		backoff := tr.DueAt.Sub(w.clock.Now())
		if want := min(facility.RetryMax, facility.RetryBase<<(i-1)); backoff != want {
			t.Fatalf("backoff after failure %d: %v, want %v", i, backoff, want)
		}
		w.clock.Advance(backoff)
	}
	w.clock.Advance(1000 * time.Hour)
	fireDue(t, f, 0)
	if n := len(w.callLog()); n != facility.MaxAttempts {
		t.Fatalf("%d calls after giving up, want %d", n, facility.MaxAttempts)
	}

	id := only(t, f).ID
	if _, err := f.Fire(t.Context(), id); err == nil || !strings.Contains(err.Error(), "fails on purpose") {
		t.Fatalf("firing a step that still fails: %v", err)
	}
	if tr := only(t, f); tr.ID != id || !tr.DueAt.IsZero() || tr.Attempts != facility.MaxAttempts+1 {
		t.Fatalf("after a failed operator firing: %+v", tr)
	}
	w.setFailures(auto.name, 0)
	if _, err := f.Fire(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	w.wantState("thing-1", "done")
}

// A step of another build is left alone by this one, and done by a build
// that knows it.
func TestUnknownStepsAreLeftForAFacilityThatKnowsThem(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Realistic, auto)
	w.create(t.Context(), f, "thing-1", "")
	newer := stepDef{name: "thing.newer", actor: facility.Automation, from: "requested", to: "newer"}
	unknown := store.Transition{ID: "tr-unknown", Step: newer.name, ResourceKind: things.Name, ResourceID: "thing-1",
		Account: account, Region: region, DueAt: start, CreatedAt: start, Note: "from a newer dxlab"}
	w.schedule(unknown)
	check := func(when string) {
		t.Helper()
		got, ok := w.transition(unknown.ID)
		if !ok || got != unknown {
			t.Fatalf("%s: the unknown transition is %+v (present %v), want it untouched", when, got, ok)
		}
		w.wantState("thing-1", "requested")
	}

	w.clock.Advance(time.Hour)
	fireDue(t, f, 0)
	check("after FireDue")

	// Run: a known step, due after the unknown one, shows that it has
	// passed the unknown one by.
	w.applied = make(chan string, 1)
	w.create(t.Context(), f, "thing-2", auto.name)
	w.clock.Advance(facility.RealisticAutomation)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	select {
	case id := <-w.applied:
		if id != "thing-2" {
			t.Fatalf("Run applied a step to %s", id)
		}
	case err := <-done:
		t.Fatalf("Run returned %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	w.applied = nil
	check("after Run")

	if _, err := f.Fire(t.Context(), unknown.ID); err == nil || errors.Is(err, facility.ErrNoTransition) || !strings.Contains(err.Error(), newer.name) {
		t.Fatalf("firing an unknown step: %v", err)
	}
	check("after Fire")

	knows := w.facility(facility.Realistic, newer)
	fireDue(t, knows, 1)
	w.wantState("thing-1", "newer")
	if _, ok := w.transition(unknown.ID); ok {
		t.Fatal("the transition is still pending after the facility that knows it fired it")
	}
}

// Two drivers on one store never fire the same transition twice.
func TestConcurrentDriversFireEachTransitionOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f1 := w.facility(facility.Realistic, auto)
	f2 := w.facility(facility.Realistic, auto)
	const n = 50
	for i := range n {
		w.create(t.Context(), f1, fmt.Sprintf("thing-%02d", i), auto.name)
	}
	w.clock.Advance(facility.RealisticAutomation)

	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i, f := range []*facility.Facility{f1, f2} {
		wg.Go(func() {
			var err error
			counts[i], err = f.FireDue(t.Context())
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if counts[0]+counts[1] != n {
		t.Fatalf("fired %v, want %d in all", counts, n)
	}
	applied := map[string]int{}
	for _, c := range w.callLog() {
		applied[c.transition.ResourceID]++
	}
	for i := range n {
		id := fmt.Sprintf("thing-%02d", i)
		if applied[id] != 1 {
			t.Errorf("%s applied %d times", id, applied[id])
		}
		w.wantState(id, "done")
	}
	if p := pending(t, f1, facility.PendingQuery{}); len(p) != 0 {
		t.Fatalf("still pending: %d", len(p))
	}
}

// A transition a dead driver held waits for its hold to lapse on dxlab's
// clock, then fires.
func TestHoldOfADeadDriverLapses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Realistic, auto)
	w.create(t.Context(), f, "thing-1", "")
	w.schedule(store.Transition{ID: "tr-held", Step: auto.name, ResourceKind: things.Name, ResourceID: "thing-1",
		Account: account, Region: region, DueAt: start, CreatedAt: start,
		HeldBy: "driver-dead", HeldUntil: start.Add(facility.HoldTimeout)})

	fireDue(t, f, 0)
	if _, err := f.Fire(t.Context(), "tr-held"); !errors.Is(err, facility.ErrHeld) {
		t.Fatalf("firing a held transition: %v, want ErrHeld", err)
	}
	w.firesAfter(f, facility.HoldTimeout, "thing-1", "requested", "done")
}

// A settler whose hold lapsed does not fire a step another driver has
// taken since.
func TestSettleLeavesAStepAnotherDriverTookOver(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Instant, auto)
	scheduled := w.create(t.Context(), f, "thing-1", auto.name)
	w.clock.Advance(facility.HoldTimeout)
	taken := scheduled[0]
	taken.HeldBy, taken.HeldUntil = "driver-other", w.clock.Now().Add(facility.HoldTimeout)
	err := w.st.Update(t.Context(), func(wr store.Writer) error { return wr.Reschedule(t.Context(), taken) })
	if err != nil {
		t.Fatal(err)
	}
	f.Settle(scheduled)
	w.wantState("thing-1", "requested")
	if got, ok := w.transition(taken.ID); !ok || got.HeldBy != "driver-other" {
		t.Fatalf("the other driver's transition is now %+v (present %v)", got, ok)
	}
}

// Transitions live in the store: a restarted dxlab fires them, including
// one its previous run meant to settle at once but died before it could.
func TestTransitionsSurviveARestart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Realistic, lifecycle...)
	w.create(t.Context(), f, "slow", approve.name)
	instant := w.facility(facility.Instant, lifecycle...)
	w.create(t.Context(), instant, "settled-never", approve.name) // no Settle: the process died

	w.reopen()
	f = w.facility(facility.Realistic, lifecycle...)
	if p := pending(t, f, facility.PendingQuery{}); len(p) != 2 {
		t.Fatalf("pending after restart: %+v", p)
	}
	w.clock.Advance(facility.RealisticAWSStaff)
	fireDue(t, f, 1)
	w.wantState("slow", "pending")
	w.wantState("settled-never", "requested") // still held by the dead settler
	w.clock.Advance(facility.HoldTimeout - facility.RealisticAWSStaff)
	// Its hold lapsed: it fires, as of when it was due, and so does its
	// cross-connect; slow's cross-connect came due meanwhile.
	fireDue(t, f, 3)
	w.wantState("settled-never", "available")
	w.wantState("slow", "available")
}

// Pending lists automatic transitions by due time, then those waiting for
// an operator, and pages through them without repeating or skipping any.
func TestPendingPagesInDueOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	forget := stepDef{name: "thing.forget", actor: facility.Housekeeping, delay: 10 * time.Minute}
	f := w.facility(facility.Manual, approve, auto, forget)
	for i, step := range []string{approve.name, forget.name, auto.name, approve.name, auto.name, auto.name, approve.name, forget.name} {
		w.create(t.Context(), f, fmt.Sprint("thing-", i), step)
		if i%3 == 0 {
			w.clock.Advance(time.Second) // some due together, some apart
		}
	}
	all := pending(t, f, facility.PendingQuery{})
	if len(all) != 8 {
		t.Fatalf("pending: %+v", all)
	}
	want := slices.Clone(all)
	slices.SortFunc(want, func(a, b store.Transition) int {
		if a.DueAt.IsZero() != b.DueAt.IsZero() {
			if a.DueAt.IsZero() {
				return 1
			}
			return -1
		}
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if !slices.Equal(ids(all), ids(want)) {
		t.Fatalf("order %v, want %v", ids(all), ids(want))
	}
	if manual := all[5:]; !manual[0].DueAt.IsZero() || !all[4].DueAt.After(all[0].DueAt) {
		t.Fatalf("manual transitions should come last, after due times: %+v", all)
	}

	var paged []store.Transition
	q := facility.PendingQuery{Limit: 3}
	for pages := 1; ; pages++ {
		p := pending(t, f, q)
		paged = append(paged, p...)
		if len(p) < q.Limit {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		last := p[len(p)-1]
		q.After = &store.TransitionKey{DueAt: last.DueAt, ID: last.ID}
	}
	if !slices.Equal(ids(paged), ids(all)) {
		t.Fatalf("pages %v, want %v", ids(paged), ids(all))
	}

	if p := pending(t, f, facility.PendingQuery{ResourceID: "thing-3"}); len(p) != 1 || p[0].ResourceID != "thing-3" {
		t.Fatalf("pending of thing-3: %+v", p)
	}
}

func ids(ts []store.Transition) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// Advance moves dxlab's clock, keeps the offset so that a restart does not
// take time back, and refuses to run past MaxClockOffset.
func TestAdvancePersistsTheOffset(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	forget := stepDef{name: "thing.forget", actor: facility.Housekeeping, delay: 30 * time.Minute, from: "requested", to: "forgotten"}
	c := &clock.Shifted{}
	f := w.facilityOn(c, facility.Realistic, forget)
	w.create(t.Context(), f, "thing-1", forget.name)

	n, err := f.Advance(t.Context(), time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("Advance(1h) = %d, %v; want the 30-minute step fired", n, err)
	}
	w.wantState("thing-1", "forgotten")
	offset := func(c *clock.Shifted, want time.Duration) {
		t.Helper()
		if c.Offset() != want {
			t.Fatalf("offset %v, want %v", c.Offset(), want)
		}
		before := time.Now()
		now := c.Now()
		after := time.Now()
		if now.Sub(before) < want || now.Sub(after) > want {
			t.Fatalf("the clock reads %v between %v and %v: not %v ahead", now, before, after, want)
		}
	}
	setting := func(want string) {
		t.Helper()
		var v string
		err := w.st.View(t.Context(), func(r store.Reader) (err error) {
			v, err = r.Setting(t.Context(), "clock.offset")
			return err
		})
		if err != nil || v != want {
			t.Fatalf("stored offset %q, %v; want %q", v, err, want)
		}
	}
	offset(c, time.Hour)
	setting("1h0m0s")

	for _, d := range []time.Duration{facility.MaxClockOffset, facility.MaxClockOffset + 1, 1<<63 - 1} {
		if _, err := f.Advance(t.Context(), d); !errors.Is(err, facility.ErrClockBound) {
			t.Fatalf("Advance(%v): %v, want ErrClockBound", d, err)
		}
		offset(c, time.Hour)
		setting("1h0m0s")
	}
	for _, d := range []time.Duration{0, -time.Hour} {
		if _, err := f.Advance(t.Context(), d); err == nil {
			t.Fatalf("Advance(%v) succeeded", d)
		}
	}

	w.reopen()
	fresh := &clock.Shifted{}
	w.facilityOn(fresh, facility.Realistic)
	offset(fresh, time.Hour)
	ahead := &clock.Shifted{}
	ahead.Advance(2 * time.Hour)
	w.facilityOn(ahead, facility.Realistic)
	offset(ahead, 2*time.Hour) // a stored offset never takes a clock back

	f = w.facilityOn(fresh, facility.Realistic)
	if _, err := f.Advance(t.Context(), facility.MaxClockOffset-time.Hour); err != nil {
		t.Fatalf("advancing right up to the bound: %v", err)
	}
	offset(fresh, facility.MaxClockOffset)
	if _, err := f.Advance(t.Context(), time.Nanosecond); !errors.Is(err, facility.ErrClockBound) {
		t.Fatalf("past the bound: %v", err)
	}
}

// With a fake clock, Advance fires what comes due, to the nanosecond.
func TestAdvanceFiresWhatCameDue(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Realistic, lifecycle...)
	w.create(t.Context(), f, "thing-1", approve.name)
	for _, s := range []struct {
		by    time.Duration
		fired int
		state string
	}{
		{facility.RealisticAWSStaff - time.Nanosecond, 0, "requested"},
		{time.Nanosecond, 1, "pending"},
		{time.Hour, 1, "available"},
	} {
		n, err := f.Advance(t.Context(), s.by)
		if err != nil || n != s.fired {
			t.Fatalf("Advance(%v) = %d, %v; want %d fired", s.by, n, err, s.fired)
		}
		w.wantState("thing-1", s.state)
	}
	if !w.clock.Now().Equal(start.Add(facility.RealisticAWSStaff + time.Hour)) {
		t.Fatalf("clock at %v", w.clock.Now())
	}
}

// A step an operator fired that failed waits for the operator again: it
// does not become one the driver fires on its own.
func TestFailedOperatorFiringWaitsForTheOperator(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	step := stepDef{name: "thing.step", actor: facility.Technician, from: "requested", to: "done"}
	f := w.facility(facility.Manual, step)
	w.create(t.Context(), f, "thing-1", step.name)
	w.setFailures(step.name, 1)
	id := only(t, f).ID
	if _, err := f.Fire(t.Context(), id); err == nil {
		t.Fatal("firing a failing step answered no error")
	}
	if tr := only(t, f); !tr.DueAt.IsZero() || tr.Attempts != 1 || tr.LastError == "" {
		t.Fatalf("after a failed operator firing: %+v", tr)
	}
	w.clock.Advance(time.Hour)
	fireDue(t, f, 0)
	w.wantState("thing-1", "requested")
	if _, err := f.Fire(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	w.wantState("thing-1", "done")
}

// FireDue and Advance count the steps they fired, the instant ones a fired
// step schedules included.
func TestFireDueCountsSettledSteps(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	wake := stepDef{name: "thing.wake", actor: facility.Housekeeping, delay: time.Hour, from: "requested", to: "pending", next: auto2.name}
	f := w.facility(facility.Instant, wake, auto2)
	w.create(t.Context(), f, "thing-1", wake.name)
	if n, err := f.Advance(t.Context(), time.Hour); err != nil || n != 2 {
		t.Fatalf("Advance = %d, %v; want 2 fired", n, err)
	}
	w.wantState("thing-1", "done")
}

var auto2 = stepDef{name: "thing.auto2", actor: facility.Automation, from: "pending", to: "done"}

// A clock that cannot keep an offset (a test's Fake) is bounded too.
func TestAdvanceOfAFakeClockIsBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Realistic, lifecycle...)
	for _, d := range []time.Duration{2100000 * time.Hour, facility.MaxTime.Sub(start) + time.Nanosecond} {
		if _, err := f.Advance(t.Context(), d); !errors.Is(err, facility.ErrClockBound) {
			t.Errorf("Advance(%v) = %v, want ErrClockBound", d, err)
		}
	}
	if !w.clock.Now().Equal(start) {
		t.Fatalf("clock moved to %v", w.clock.Now())
	}
	if _, err := f.Advance(t.Context(), facility.MaxClockOffset); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Advance(t.Context(), facility.MaxTime.Sub(w.clock.Now())+time.Nanosecond); !errors.Is(err, facility.ErrClockBound) {
		t.Errorf("advancing past %v: %v, want ErrClockBound", facility.MaxTime, err)
	}
}

// A step scheduled under manual, after a restart under instant or
// realistic, no longer waits for an operator: it is due after its delay
// under the new profile, counted from the restart. One that kept failing
// still waits.
func TestRestartUnderAnotherProfileRetimesOperatorSteps(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		profile facility.Profile
		delay   time.Duration
	}{
		{facility.Instant, 0},
		{facility.Realistic, facility.RealisticAWSStaff},
	} {
		t.Run(string(tc.profile), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			f := w.facility(facility.Manual, lifecycle...)
			w.create(t.Context(), f, "waiting", approve.name)
			w.create(t.Context(), f, "failing", approve.name)
			var failing store.Transition
			for _, tr := range pending(t, f, facility.PendingQuery{ResourceID: "failing"}) {
				failing = tr
			}
			failing.Attempts, failing.LastError = facility.MaxAttempts, "kept failing"
			if err := w.st.Update(t.Context(), func(wr store.Writer) error { return wr.Reschedule(t.Context(), failing) }); err != nil {
				t.Fatal(err)
			}

			w.reopen()
			w.clock.Advance(time.Hour)
			g := w.facility(tc.profile, lifecycle...)
			n, err := g.Retime(t.Context())
			if err != nil || n != 1 {
				t.Fatalf("Retime = %d, %v; want 1", n, err)
			}
			tr := pending(t, g, facility.PendingQuery{ResourceID: "waiting"})
			if len(tr) != 1 || !tr[0].DueAt.Equal(start.Add(time.Hour+tc.delay)) {
				t.Fatalf("after Retime: %+v, want due %v after the restart", tr, tc.delay)
			}
			if tr := pending(t, g, facility.PendingQuery{ResourceID: "failing"}); len(tr) != 1 || !tr[0].DueAt.IsZero() {
				t.Fatalf("the failing step: %+v, want it still waiting", tr)
			}
			w.clock.Advance(tc.delay)
			// The approval and, under instant, the cross-connect it schedules.
			want, state := 1, "pending"
			if tc.profile == facility.Instant {
				want, state = 2, "available"
			}
			fireDue(t, g, want)
			w.wantState("waiting", state)
			if n, err := g.Retime(t.Context()); err != nil || n != 0 {
				t.Fatalf("second Retime = %d, %v; want nothing left to re-time", n, err)
			}
		})
	}
	t.Run("manual keeps them waiting", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		f := w.facility(facility.Manual, lifecycle...)
		w.create(t.Context(), f, "waiting", approve.name)
		if n, err := f.Retime(t.Context()); err != nil || n != 0 {
			t.Fatalf("Retime under manual = %d, %v", n, err)
		}
		if tr := only(t, f); !tr.DueAt.IsZero() {
			t.Fatalf("under manual: %+v", tr)
		}
	})
}

// Events older than the retention, on dxlab's clock, are pruned; younger
// ones stay. The driver prunes as it runs.
func TestOldEventsArePruned(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f, err := facility.New(facility.Options{Store: w.st, Clock: w.clock, Profile: facility.Manual, EventRetention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	f.Register(w.steps(f, lifecycle)...)
	w.create(apiCtx(t), f, "old", "")
	w.clock.Advance(12 * time.Hour)
	w.create(apiCtx(t), f, "young", "")
	w.clock.Advance(12 * time.Hour)
	if n, err := f.PruneEvents(t.Context()); err != nil || n != 0 {
		t.Fatalf("at exactly the retention: pruned %d, %v; want none", n, err)
	}
	w.clock.Advance(time.Nanosecond)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- f.Run(ctx) }()
	defer func() { cancel(); <-done }()
	// The driver prunes on its first round; poll the store, bounded by the
	// test's deadline, not by sleeping.
	for len(w.events("old")) != 0 {
		select {
		case <-t.Context().Done():
			t.Fatal("the driver did not prune")
		case <-time.After(time.Millisecond):
		}
	}
	if got := len(w.events("young")); got != 1 {
		t.Fatalf("young events: %d, want 1", got)
	}
	if f.EventRetention() != 24*time.Hour {
		t.Fatalf("retention %v", f.EventRetention())
	}
}

// Under instant, the steps a call schedules are carried out inside the
// call's own transaction, as steps (not as the caller); one that fails
// there is undone alone and fired on its own after the commit.
func TestInstantStepsSettleWithinTheCall(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	f := w.facility(facility.Instant, lifecycle...)
	w.setFailures(cross.name, 1)
	err := f.Update(apiCtx(t), func(tx *resource.Tx) error {
		if _, err := things.Create(apiCtx(t), tx, resource.Meta{ID: "thing-1", Account: account, Region: region}, &thing{State: "requested"}, nil); err != nil {
			return err
		}
		return f.Schedule(apiCtx(t), tx, thingRef("thing-1"), approve.name)
	})
	if err != nil {
		t.Fatal(err)
	}
	w.wantState("thing-1", "available")
	calls := w.callLog()
	if len(calls) != 3 || calls[0].step != approve.name || calls[1].step != cross.name || calls[2].step != cross.name {
		t.Fatalf("calls: %+v; want approve, the failing cross-connect, the cross-connect again", calls)
	}
	for _, c := range calls {
		if c.account != "" || c.ctxErr != nil || c.cause.Type != store.CauseStep || !c.at.Equal(start) {
			t.Errorf("%s ran as %q, ctx err %v, cause %+v, at %v; want no caller, live, a step, at once", c.step, c.account, c.ctxErr, c.cause, c.at)
		}
	}
	// The timeline: the creation (the caller's), approve (in the call's
	// transaction, as a step), the cross-connect (after it). The failed
	// attempt left nothing.
	ev := w.events("thing-1")
	if len(ev) != 3 || ev[0].Cause.Type != store.CauseAPI || ev[1].Cause.Step != approve.name || ev[2].Cause.Step != cross.name || ev[2].To != "available" {
		t.Fatalf("events: %+v", ev)
	}
	if r := only(t, f); r.Step != retire.name || r.Attempts != 0 {
		t.Fatalf("pending after the chain: %+v", r)
	}
}
