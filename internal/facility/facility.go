// Package facility is dxlab's simulated physical world: the Direct Connect
// locations with their devices and ports, the Interconnect partner
// environments, and the people and machines that move resources through
// their states: AWS automation, AWS staff reviewing requests, technicians
// running cross-connects.
//
// The services decide what a step does to a resource; the facility decides
// when it happens. Steps are transitions kept in the store, so they survive
// restarts, and one driver executes them on an injected clock. It is the only
// thing in dxlab that changes a resource without an API call.
package facility

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/dxlab/dxlab/internal/caller"
	"github.com/dxlab/dxlab/internal/clock"
	"github.com/dxlab/dxlab/internal/resource"
	"github.com/dxlab/dxlab/internal/store"
)

// Profile says how long the steps take.
type Profile string

const (
	// Instant: every step, even one that needs a person, completes at once.
	Instant Profile = "instant"
	// Realistic: steps take seconds, like a much sped-up AWS (see Delay).
	Realistic Profile = "realistic"
	// Manual: steps that need a person at AWS or at the colocation facility
	// wait until an operator fires them; automation runs as in Realistic.
	Manual Profile = "manual"
)

// ParseProfile checks a profile name.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(s); p {
	case Instant, Realistic, Manual:
		return p, nil
	}
	return "", fmt.Errorf("provisioning profile %q is not one of instant, realistic, manual", s)
}

// Actor is who carries a step out in the physical world.
type Actor int

const (
	// Automation is AWS's own systems, e.g. finishing a deletion.
	Automation Actor = iota
	// AWSStaff is a person at AWS, e.g. approving a connection request.
	AWSStaff
	// Technician is a person at the colocation facility, e.g. running a
	// cross-connect.
	Technician
	// Housekeeping is bookkeeping on a fixed timer whatever the profile, e.g.
	// forgetting a resource some time after it was deleted.
	Housekeeping
	// Partner is a person or system on the other side of an AWS
	// Interconnect connection: the other cloud's portal taking an
	// activation key, acknowledging a new bandwidth.
	Partner
)

var actorNames = map[Actor]string{Automation: "automation", AWSStaff: "aws-staff", Technician: "technician", Housekeeping: "housekeeping", Partner: "partner"}

func (a Actor) String() string {
	if s, ok := actorNames[a]; ok {
		return s
	}
	return fmt.Sprintf("Actor(%d)", int(a))
}

// Realistic delays, by actor. They are a sped-up AWS: review that takes AWS
// days takes seconds here.
const (
	RealisticAutomation = 1 * time.Second
	RealisticAWSStaff   = 3 * time.Second
	RealisticTechnician = 5 * time.Second
	RealisticPartner    = 10 * time.Second
)

// Step is one kind of transition a service registers.
type Step struct {
	// Name identifies the step, e.g. "connection.approve".
	Name  string
	Actor Actor
	// Delay is the fixed delay of a Housekeeping step.
	Delay time.Duration
	// Note says what the step does, for operators.
	Note string
	// Apply carries the step out inside the transaction that fires it, which
	// also removes the transition. It must tolerate a resource that has
	// since moved on (return nil and do nothing). An error rolls the whole
	// firing back and the step is retried later.
	Apply func(ctx context.Context, tx *resource.Tx, t store.Transition) error
}

// Options configures a Facility. Store is required.
type Options struct {
	Store store.Store
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Profile defaults to Realistic.
	Profile Profile
	// Catalog defaults to the built-in locations.
	Catalog *Catalog
	// Environments defaults to the built-in Interconnect environments.
	Environments []Environment
	// Logger defaults to discarding.
	Logger *slog.Logger
	// EventRetention is how long events are kept, on dxlab's clock, before
	// the driver prunes them; default DefaultEventRetention.
	EventRetention time.Duration
}

// Facility schedules and executes steps, and holds the world's catalog.
type Facility struct {
	store        store.Store
	clock        clock.Clock
	profile      Profile
	catalog      *Catalog
	environments []Environment
	log          *slog.Logger
	retention    time.Duration
	kinds        resource.Registry
	// lastPrune is when the driver last pruned events; only Run touches it.
	lastPrune time.Time

	mu    sync.RWMutex
	steps map[string]Step
	known []string
	// reported remembers transitions of unknown steps already logged.
	reported map[string]bool

	// owner names this process's driver when it holds transitions; settler
	// holds the steps its API requests settle at once. Holds, not a mutex,
	// keep two drivers (or two replicas) from firing the same step.
	owner, settler string

	wake chan struct{}
	// firing serialises FireDue and Advance within the process.
	firing sync.Mutex
}

// New returns a Facility for opts.
func New(opts Options) (*Facility, error) {
	f := &Facility{
		store:        opts.Store,
		clock:        opts.Clock,
		profile:      opts.Profile,
		catalog:      opts.Catalog,
		environments: opts.Environments,
		log:          opts.Logger,
		retention:    opts.EventRetention,
		steps:        map[string]Step{},
		reported:     map[string]bool{},
		wake:         make(chan struct{}, 1),
	}
	f.owner = "driver-" + rand.Text()[:12]
	f.settler = f.owner + "/settle"
	if f.clock == nil {
		f.clock = &clock.Shifted{}
	}
	if f.profile == "" {
		f.profile = Realistic
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.retention <= 0 {
		f.retention = DefaultEventRetention
	}
	var err error
	if f.catalog == nil {
		if f.catalog, err = LoadCatalog(""); err != nil {
			return nil, err
		}
	}
	if f.environments == nil {
		if f.environments, err = LoadEnvironments(""); err != nil {
			return nil, err
		}
	}
	if err := f.SyncClock(context.Background()); err != nil {
		return nil, err
	}
	return f, nil
}

// Catalog is the map of locations.
func (f *Facility) Catalog() *Catalog { return f.catalog }

// Environments lists the Interconnect environments.
func (f *Facility) Environments() []Environment { return f.environments }

// Profile is the provisioning profile in force.
func (f *Facility) Profile() Profile { return f.profile }

// Clock is the facility's clock, which the services read too.
func (f *Facility) Clock() clock.Clock { return f.clock }

// Register adds steps. Registering a name twice panics: it is a wiring bug.
func (f *Facility) Register(steps ...Step) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range steps {
		if _, dup := f.steps[s.Name]; dup {
			panic("facility: step registered twice: " + s.Name)
		}
		f.steps[s.Name] = s
		// A new slice each time: stepNames hands the old one out unlocked.
		f.known = append(slices.Clone(f.known), s.Name)
	}
	slices.Sort(f.known)
}

// stepNames are the steps this build can carry out.
func (f *Facility) stepNames() []string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.known
}

func (f *Facility) step(name string) (Step, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, ok := f.steps[name]
	return s, ok
}

// Delay is how long a step takes under the profile; manual reports a step
// that waits for an operator.
func (f *Facility) Delay(s Step) (d time.Duration, manual bool) {
	if s.Actor == Housekeeping {
		return s.Delay, false
	}
	switch f.profile {
	case Instant:
		return 0, false
	case Manual:
		if s.Actor == AWSStaff || s.Actor == Technician || s.Actor == Partner {
			return 0, true
		}
	}
	switch s.Actor {
	case Partner:
		return RealisticPartner, false
	case AWSStaff:
		return RealisticAWSStaff, false
	case Technician:
		return RealisticTechnician, false
	}
	return RealisticAutomation, false
}

// Resource names what a step acts on.
type Resource struct {
	Kind, ID, Account, Region string
}

// Schedule records, inside tx, that step will happen to r, counting its delay
// from tx's time (for a step scheduled by a step, when that one was due, so
// that one jump of the clock carries a resource through every step that
// fits in it). A step due at once is held for this process to settle as
// soon as tx commits; if it dies first, the hold lapses and any driver
// fires it.
func (f *Facility) Schedule(ctx context.Context, tx *resource.Tx, r Resource, stepName string) error {
	s, ok := f.step(stepName)
	if !ok {
		return fmt.Errorf("facility: no step named %q", stepName)
	}
	now := tx.Now()
	t := store.Transition{
		ID:           newTransitionID(),
		Step:         s.Name,
		ResourceKind: r.Kind,
		ResourceID:   r.ID,
		Account:      r.Account,
		Region:       r.Region,
		CreatedAt:    now,
		Note:         s.Note,
	}
	if d, manual := f.Delay(s); !manual {
		t.DueAt = now.Add(d)
		if d == 0 {
			t.HeldBy, t.HeldUntil = f.settler, now.Add(HoldTimeout)
		}
	}
	return tx.Schedule(ctx, t)
}

// ScheduleAfter records, inside tx, that step will happen to r after d on
// dxlab's clock, whatever the profile: a timer the resource itself set (a
// failover test's duration), not anyone's work.
func (f *Facility) ScheduleAfter(ctx context.Context, tx *resource.Tx, r Resource, stepName string, d time.Duration) error {
	s, ok := f.step(stepName)
	if !ok {
		return fmt.Errorf("facility: no step named %q", stepName)
	}
	now := tx.Now()
	return tx.Schedule(ctx, store.Transition{
		ID: newTransitionID(), Step: s.Name, ResourceKind: r.Kind, ResourceID: r.ID, Account: r.Account, Region: r.Region,
		CreatedAt: now, DueAt: now.Add(d), Note: s.Note,
	})
}

func newTransitionID() string {
	return "tr-" + rand.Text()[:16]
}

// Update is the services' write path: fn runs as one store transaction at
// the facility clock's time (resource.Update). The steps it scheduled to
// happen at once (the instant profile) are carried out in the same
// transaction, after fn, each as a part that fails alone, so that a call
// and what it sets off commit together instead of in three transactions; a
// step that fails there is left to be fired on its own after the commit,
// with the driver's retries.
func (f *Facility) Update(ctx context.Context, fn func(tx *resource.Tx) error) error {
	var fired map[string]bool
	tx, err := resource.Update(ctx, f.store, f.clock.Now(), func(tx *resource.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		fired = map[string]bool{} // afresh when a lost race reruns fn
		return f.settleWithin(ctx, tx, fired)
	})
	if err != nil {
		return err
	}
	var rest []store.Transition
	for _, t := range tx.Scheduled() {
		if !fired[t.ID] {
			rest = append(rest, t)
		}
	}
	f.Settle(rest)
	return nil
}

// settleWithin carries out, inside tx, the steps tx scheduled for this
// process's settler, and those they schedule in turn.
func (f *Facility) settleWithin(ctx context.Context, tx *resource.Tx, fired map[string]bool) error {
	for i := 0; i < len(tx.Scheduled()) && len(fired) < maxSettle; i++ {
		t := tx.Scheduled()[i]
		s, known := f.step(t.Step)
		if t.HeldBy != f.settler || !known {
			continue
		}
		cause := s.cause(t, store.CauseStep)
		// A step is no caller's: it runs as the settler after the commit
		// would, without the caller's identity and not cancelled with it.
		stepCtx := resource.WithCause(caller.With(context.WithoutCancel(ctx), caller.Caller{}), cause)
		err := tx.Within(stepCtx, cause, func() error {
			if err := tx.Unschedule(stepCtx, t.ID); err != nil {
				return err
			}
			return s.Apply(stepCtx, tx, t)
		})
		switch {
		case errors.Is(err, resource.ErrUndoFailed):
			return err
		case err != nil:
			f.log.Warn("step failed within the call that scheduled it; it fires on its own after the commit", "transition", t.ID,
				"step", t.Step, "resource", t.ResourceID, "err", err)
			continue
		}
		fired[t.ID] = true
		f.logFired(s, t, store.CauseStep)
	}
	return nil
}

// Settle carries out, right away, the steps a committed transaction
// scheduled to happen at once (the instant profile), and the steps those
// schedule in turn; everything else is left to the driver, which it wakes.
// It runs apart from the request that made the transaction: not as its
// caller, and not cancelled with it.
func (f *Facility) Settle(scheduled []store.Transition) {
	ctx, cancel := context.WithTimeout(context.Background(), settleTimeout)
	defer cancel()
	f.settle(ctx, scheduled)
}

// settleTimeout bounds one Settle; what is left over the driver does.
const settleTimeout = 30 * time.Second

// maxSettle bounds the steps one Settle carries out, against a step that
// keeps scheduling itself.
const maxSettle = 1000

// settle reports how many steps it fired.
func (f *Facility) settle(ctx context.Context, scheduled []store.Transition) int {
	queue := slices.Clone(scheduled)
	fired := 0
	for n := 0; len(queue) > 0; n++ {
		t := queue[0]
		queue = queue[1:]
		if t.HeldBy != f.settler || n >= maxSettle {
			f.Poke()
			continue
		}
		next, ok, err := f.fire(ctx, t, store.CauseStep)
		if err != nil {
			continue // fire logged it and rescheduled it for the driver
		}
		if ok {
			fired++
		}
		queue = append(queue, next...)
	}
	return fired
}

// Poke tells the driver that something was scheduled, so it recomputes when
// to wake.
func (f *Facility) Poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// takeBatch is how many due transitions the driver takes at once.
const takeBatch = 100

// FireDue fires every automatic transition due by now, including those its
// own firing makes due, and reports how many fired. Transitions another
// driver holds are its business. Within a process, one FireDue (or Advance)
// runs at a time, so that when one returns, whatever was due when it
// started has been fired, by it or by the driver's round it waited for.
func (f *Facility) FireDue(ctx context.Context) (int, error) {
	f.firing.Lock()
	defer f.firing.Unlock()
	return f.fireDue(ctx)
}

func (f *Facility) fireDue(ctx context.Context) (int, error) {
	fired := 0
	for {
		var taken []store.Transition
		err := f.store.Update(ctx, func(w store.Writer) error {
			now := f.clock.Now()
			var err error
			taken, err = w.TakeDue(ctx, store.TakeQuery{
				Owner: f.owner, Until: now.Add(HoldTimeout), Now: now, Steps: f.stepNames(), Limit: takeBatch,
			})
			return err
		})
		if err != nil {
			return fired, err
		}
		if len(taken) == 0 {
			return fired, nil
		}
		for _, t := range taken {
			next, ok, err := f.fire(ctx, t, store.CauseStep)
			if err != nil && ctx.Err() != nil {
				return fired, ctx.Err()
			}
			if ok {
				fired++
				fired += f.settle(ctx, next)
			}
		}
	}
}

// ErrNoTransition means the transition to fire is not pending.
var ErrNoTransition = errors.New("facility: no such pending transition")

// ErrHeld means another driver is firing the transition right now.
var ErrHeld = errors.New("facility: the transition is being fired by another driver")

// Fire fires one pending transition now, due or not: the operator's
// "the cross-connect is done". What the step schedules next follows as usual.
func (f *Facility) Fire(ctx context.Context, id string) (store.Transition, error) {
	var held store.Transition
	err := f.store.Update(ctx, func(w store.Writer) error {
		now := f.clock.Now()
		var err error
		held, err = w.Take(ctx, id, f.owner, now, now.Add(HoldTimeout))
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Transition{}, ErrNoTransition
	case errors.Is(err, store.ErrConflict):
		return store.Transition{}, ErrHeld
	case err != nil:
		return store.Transition{}, err
	}
	if _, known := f.step(held.Step); !known {
		f.release(ctx, held)
		return store.Transition{}, fmt.Errorf("facility: this dxlab does not know step %q", held.Step)
	}
	next, ok, err := f.fire(ctx, held, store.CauseOperator)
	if err != nil {
		return store.Transition{}, err
	}
	if !ok {
		return store.Transition{}, ErrNoTransition
	}
	f.settle(ctx, next)
	f.Poke()
	return held, nil
}

// fire applies one held transition and removes it, in one transaction, and
// returns what the step scheduled. A transition that is gone, or that
// another driver took after this one's hold lapsed, is not fired. A step
// that fails is retried later (see retry): never dropped.
func (f *Facility) fire(ctx context.Context, held store.Transition, causeType string) ([]store.Transition, bool, error) {
	s, ok := f.step(held.Step)
	if !ok {
		f.release(ctx, held)
		return nil, false, nil
	}
	// A step that fires late (the clock jumped ahead) happens when it was
	// due, so that the steps it schedules count from then.
	at := f.clock.Now()
	if !held.DueAt.IsZero() && held.DueAt.Before(at) {
		at = held.DueAt
	}
	stepCtx := resource.WithCause(ctx, s.cause(held, causeType))
	tx, err := resource.Update(stepCtx, f.store, at, func(tx *resource.Tx) error {
		cur, err := tx.Reader().Transition(ctx, held.ID)
		if errors.Is(err, store.ErrNotFound) {
			return errGone
		}
		if err != nil {
			return err
		}
		if cur.HeldBy != held.HeldBy {
			return errGone
		}
		if err := tx.Unschedule(ctx, held.ID); err != nil {
			return err
		}
		return s.Apply(stepCtx, tx, cur)
	})
	if errors.Is(err, errGone) {
		return nil, false, nil
	}
	if err != nil {
		f.retry(ctx, held, err)
		return nil, false, err
	}
	f.logFired(s, held, causeType)
	return tx.Scheduled(), true, nil
}

// cause is what the timeline says made a step's changes.
func (s Step) cause(t store.Transition, causeType string) store.Cause {
	return store.Cause{Type: causeType, Step: s.Name, Actor: s.Actor.String(), Transition: t.ID}
}

func (f *Facility) logFired(s Step, t store.Transition, causeType string) {
	f.log.Info("step fired", "transition", t.ID, "step", t.Step, "actor", s.Actor.String(), "resource", t.ResourceID,
		"account", t.Account, "region", t.Region, "cause", causeType)
}

var errGone = errors.New("facility: transition gone")

// Retries of a step that failed: after RetryBase, doubling up to RetryMax;
// after MaxAttempts failures the step waits for an operator to fire it, with
// its last error shown beside it. Either way it stays pending.
const (
	RetryBase   = time.Second
	RetryMax    = time.Minute
	MaxAttempts = 10
	// HoldTimeout is how long a driver holds a transition it took: if its
	// process dies, another takes the transition after that, on dxlab's
	// clock.
	HoldTimeout = 30 * time.Second
)

// retry records a failed firing and puts the transition back, due after a
// backoff, for any driver to take.
func (f *Facility) retry(ctx context.Context, held store.Transition, cause error) {
	if ctx.Err() != nil {
		// Shutting down: the hold lapses and the step fires after restart.
		return
	}
	err := f.store.Update(ctx, func(w store.Writer) error {
		cur, err := w.Transition(ctx, held.ID)
		if err != nil || cur.HeldBy != held.HeldBy {
			return err // gone, or someone else's now
		}
		cur.Attempts++
		cur.LastError = cause.Error()
		cur.HeldBy, cur.HeldUntil = "", time.Time{}
		switch {
		case cur.DueAt.IsZero():
			// It waited for an operator, who fired it: it waits again.
			f.log.Error("step fired by an operator failed; it waits for the operator again", "transition", cur.ID,
				"step", cur.Step, "resource", cur.ResourceID, "attempts", cur.Attempts, "err", cause)
		case cur.Attempts >= MaxAttempts:
			cur.DueAt = time.Time{}
			f.log.Error("step keeps failing; it now waits for an operator", "transition", cur.ID, "step", cur.Step,
				"resource", cur.ResourceID, "attempts", cur.Attempts, "err", cause)
		default:
			backoff := min(RetryMax, RetryBase<<(cur.Attempts-1))
			cur.DueAt = f.clock.Now().Add(backoff)
			f.log.Warn("step failed; retrying", "transition", cur.ID, "step", cur.Step, "resource", cur.ResourceID,
				"attempt", cur.Attempts, "retry_in", backoff, "err", cause)
		}
		return w.Reschedule(ctx, cur)
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		f.log.Error("recording a failed step; it is retried when its hold lapses", "transition", held.ID, "err", err)
	}
}

// release gives back a transition this build cannot carry out, for a
// replica that can.
func (f *Facility) release(ctx context.Context, held store.Transition) {
	err := f.store.Update(ctx, func(w store.Writer) error {
		cur, err := w.Transition(ctx, held.ID)
		if err != nil || cur.HeldBy != held.HeldBy {
			return err
		}
		cur.HeldBy, cur.HeldUntil = "", time.Time{}
		return w.Reschedule(ctx, cur)
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		f.log.Error("releasing a transition", "transition", held.ID, "err", err)
	}
}

// reportUnknown logs, once each, due transitions whose step this build does
// not know: left alone, for a newer replica sharing the store.
func (f *Facility) reportUnknown(ctx context.Context) {
	var due []store.Transition
	err := f.store.View(ctx, func(r store.Reader) error {
		var err error
		due, err = r.Transitions(ctx, store.TransitionQuery{DueBy: f.clock.Now(), Limit: takeBatch})
		return err
	})
	if err != nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range due {
		if _, known := f.steps[t.Step]; known || f.reported[t.ID] {
			continue
		}
		f.reported[t.ID] = true
		f.log.Warn("leaving alone a transition of a step this dxlab does not know", "transition", t.ID, "step", t.Step, "resource", t.ResourceID)
	}
}

// PendingQuery selects pending transitions for operators.
type PendingQuery struct {
	ResourceID string
	After      *store.TransitionKey
	Limit      int
}

// Pending lists pending transitions, the due ones first, a page at a time.
func (f *Facility) Pending(ctx context.Context, q PendingQuery) ([]store.Transition, error) {
	var out []store.Transition
	err := f.store.View(ctx, func(r store.Reader) error {
		var err error
		out, err = r.Transitions(ctx, store.TransitionQuery{ResourceID: q.ResourceID, After: q.After, Limit: q.Limit})
		return err
	})
	return out, err
}

// settingClockOffset keeps how far an operator moved the clock, so that
// time never runs backwards across a restart.
const settingClockOffset = "clock.offset"

// MaxClockOffset bounds how far the clock may be moved ahead, and MaxTime
// what it may read, far inside what dxlab's timestamps (nanoseconds since
// 1970 in 64 bits, good until 2262) can hold.
const MaxClockOffset = 100 * 365 * 24 * time.Hour

var MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)

// ErrClockBound means an advance would move the clock past MaxClockOffset
// or MaxTime.
var ErrClockBound = fmt.Errorf("facility: the clock cannot run more than %v ahead, nor past %d", MaxClockOffset, MaxTime.Year())

// offsetClock is a clock whose lead over the system clock can be restored.
type offsetClock interface {
	clock.Advancer
	Offset() time.Duration
	SetOffset(time.Duration)
}

// SyncClock moves the clock up to the offset kept in the store, where
// another replica sharing it may have advanced it; it never moves it back.
// New calls it, the driver calls it every time it wakes, and a server on a
// shared store before every request.
func (f *Facility) SyncClock(ctx context.Context) error {
	c, ok := f.clock.(offsetClock)
	if !ok {
		return nil
	}
	var v string
	err := f.store.View(ctx, func(r store.Reader) error {
		var err error
		v, err = r.Setting(ctx, settingClockOffset)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("facility: stored clock offset %q: %w", v, err)
	}
	if d > c.Offset() {
		c.SetOffset(d)
	}
	return nil
}

// Advance moves the clock forward by d, keeping the new offset in the store,
// and fires every step that came due meanwhile.
func (f *Facility) Advance(ctx context.Context, d time.Duration) (int, error) {
	// The clock moves and what came due fires with no driver's round in
	// between, so that the count is exactly what the move brought due.
	f.firing.Lock()
	defer f.firing.Unlock()
	a, ok := f.clock.(clock.Advancer)
	if !ok || d <= 0 {
		return 0, fmt.Errorf("facility: the clock cannot be advanced by %v", d)
	}
	if d > MaxClockOffset || f.clock.Now().Add(d).After(MaxTime) {
		return 0, ErrClockBound
	}
	if c, ok := f.clock.(offsetClock); ok {
		// The stored offset is read and written in one transaction, so that
		// two advances at once both count.
		var next time.Duration
		err := f.store.Update(ctx, func(w store.Writer) error {
			stored, err := w.Setting(ctx, settingClockOffset)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			from, _ := time.ParseDuration(stored)
			next = max(from, c.Offset()) + d
			if next > MaxClockOffset {
				return ErrClockBound
			}
			return w.Set(ctx, settingClockOffset, next.String())
		})
		if err != nil {
			return 0, err
		}
		c.SetOffset(next)
	} else {
		a.Advance(d)
	}
	return f.fireDue(ctx)
}

// maxSleep bounds how long the driver sleeps, so that it notices transitions
// another process scheduled and clock jumps it was not told of.
const maxSleep = 2 * time.Second

// Run drives the facility until ctx is done: it fires transitions as they
// come due.
func (f *Facility) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-f.wake:
		}
		if err := f.SyncClock(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("reading the clock offset kept in the store", "err", err)
		}
		if _, err := f.FireDue(ctx); err != nil && ctx.Err() == nil {
			f.log.Error("firing due transitions", "err", err)
		}
		f.reportUnknown(ctx)
		f.maybePrune(ctx)
		sleep := maxSleep
		var next time.Time
		err := f.store.View(ctx, func(r store.Reader) error {
			var err error
			next, err = r.NextDue(ctx, f.stepNames())
			return err
		})
		if err == nil && !next.IsZero() {
			sleep = min(maxSleep, max(0, next.Sub(f.clock.Now())))
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(sleep)
	}
}
