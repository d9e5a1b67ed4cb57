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
	"sync"
	"time"

	"github.com/dxlab/dxlab/internal/clock"
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
)

// Realistic delays, by actor. They are a sped-up AWS: review that takes AWS
// days takes seconds here.
const (
	RealisticAutomation = 1 * time.Second
	RealisticAWSStaff   = 3 * time.Second
	RealisticTechnician = 5 * time.Second
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
	// Apply carries the step out inside the transaction that fires it. It
	// must tolerate a resource that has since moved on (return nil and do
	// nothing).
	Apply func(ctx context.Context, w store.Writer, t store.Transition) error
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
}

// Facility schedules and executes steps, and holds the world's catalog.
type Facility struct {
	store        store.Store
	clock        clock.Clock
	profile      Profile
	catalog      *Catalog
	environments []Environment
	log          *slog.Logger

	mu    sync.RWMutex
	steps map[string]Step

	wake chan struct{}
	// firing serialises rounds of firing within this process, so that
	// Settle called by an API request and the driver loop do not race each
	// other for the same transitions.
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
		steps:        map[string]Step{},
		wake:         make(chan struct{}, 1),
	}
	if f.clock == nil {
		f.clock = &clock.Shifted{}
	}
	if f.profile == "" {
		f.profile = Realistic
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
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
	}
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
		if s.Actor == AWSStaff || s.Actor == Technician {
			return 0, true
		}
	}
	switch s.Actor {
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

// Schedule records, inside w's transaction, that step will happen to r.
func (f *Facility) Schedule(ctx context.Context, w store.Writer, r Resource, stepName string) error {
	s, ok := f.step(stepName)
	if !ok {
		return fmt.Errorf("facility: no step named %q", stepName)
	}
	now := f.clock.Now()
	if at, ok := ctx.Value(firedAtKey{}).(time.Time); ok && at.Before(now) {
		// A step scheduled by a step that fired late (the clock jumped
		// ahead) starts from when its predecessor was due, so one jump
		// carries a resource through every step that fits in it.
		now = at
	}
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
	}
	return w.Schedule(ctx, t)
}

func newTransitionID() string {
	return "tr-" + rand.Text()[:16]
}

// Settle fires every transition that is due now, then returns. Services call
// it after a write, so that under the instant profile a resource has reached
// its next state before the client's next request.
func (f *Facility) Settle(ctx context.Context) {
	if _, err := f.FireDue(ctx); err != nil {
		f.log.Error("firing due transitions", "err", err)
	}
}

// Poke tells the driver that something was scheduled, so it recomputes when
// to wake. Under the instant profile it settles at once instead.
func (f *Facility) Poke(ctx context.Context) {
	if f.profile == Instant {
		f.Settle(ctx)
		return
	}
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// FireDue fires every automatic transition due by now, including those its
// own firing makes due, and reports how many fired.
func (f *Facility) FireDue(ctx context.Context) (int, error) {
	f.firing.Lock()
	defer f.firing.Unlock()
	fired := 0
	for {
		var due []store.Transition
		err := f.store.View(ctx, func(r store.Reader) error {
			var err error
			due, err = r.Transitions(ctx, store.TransitionQuery{DueBy: f.clock.Now(), Limit: 100})
			return err
		})
		if err != nil {
			return fired, err
		}
		if len(due) == 0 {
			return fired, nil
		}
		for _, t := range due {
			ok, err := f.fire(ctx, t.ID)
			if err != nil {
				return fired, err
			}
			if ok {
				fired++
			}
		}
	}
}

// ErrNoTransition means the transition to fire is not pending.
var ErrNoTransition = errors.New("facility: no such pending transition")

// Fire fires one pending transition now, due or not: the operator's
// "the cross-connect is done". What the step schedules next follows as usual.
func (f *Facility) Fire(ctx context.Context, id string) (store.Transition, error) {
	t, err := f.fireNow(ctx, id)
	if err != nil {
		return store.Transition{}, err
	}
	f.Poke(ctx)
	return t, nil
}

func (f *Facility) fireNow(ctx context.Context, id string) (store.Transition, error) {
	f.firing.Lock()
	defer f.firing.Unlock()
	var t store.Transition
	err := f.store.View(ctx, func(r store.Reader) error {
		var err error
		t, err = r.Transition(ctx, id)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Transition{}, ErrNoTransition
	}
	if err != nil {
		return store.Transition{}, err
	}
	ok, err := f.fire(ctx, id)
	if err != nil {
		return store.Transition{}, err
	}
	if !ok {
		return store.Transition{}, ErrNoTransition
	}
	return t, nil
}

// fire applies one transition and removes it, in one transaction. A
// transition another process fired first is skipped. A step that fails is
// dropped after logging, so one bad transition cannot wedge the driver.
func (f *Facility) fire(ctx context.Context, id string) (bool, error) {
	var applyErr error
	err := f.store.Update(ctx, func(w store.Writer) error {
		t, err := w.Transition(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return errSkip
		}
		if err != nil {
			return err
		}
		if err := w.Unschedule(ctx, id); err != nil {
			return err
		}
		s, ok := f.step(t.Step)
		if !ok {
			f.log.Error("dropping transition of an unknown step", "transition", t.ID, "step", t.Step)
			return nil
		}
		applyCtx := ctx
		if !t.DueAt.IsZero() {
			applyCtx = context.WithValue(ctx, firedAtKey{}, t.DueAt)
		}
		if err := s.Apply(applyCtx, w, t); err != nil {
			applyErr = err
			return err
		}
		return nil
	})
	switch {
	case errors.Is(err, errSkip):
		return false, nil
	case applyErr != nil:
		f.log.Error("transition failed; dropping it", "transition", id, "err", applyErr)
		dropErr := f.store.Update(ctx, func(w store.Writer) error {
			if err := w.Unschedule(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return nil
		})
		return false, dropErr
	case err != nil:
		return false, err
	}
	return true, nil
}

var errSkip = errors.New("skip")

// firedAtKey carries the due time of the transition being applied.
type firedAtKey struct{}

// Pending lists every pending transition, the due ones first.
func (f *Facility) Pending(ctx context.Context) ([]store.Transition, error) {
	var out []store.Transition
	err := f.store.View(ctx, func(r store.Reader) error {
		var err error
		out, err = r.Transitions(ctx, store.TransitionQuery{})
		return err
	})
	return out, err
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
		if _, err := f.FireDue(ctx); err != nil && ctx.Err() == nil {
			f.log.Error("firing due transitions", "err", err)
		}
		sleep := maxSleep
		var next time.Time
		err := f.store.View(ctx, func(r store.Reader) error {
			var err error
			next, err = r.NextDue(ctx)
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
