package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// phase is one measured stretch of load: concurrency clients, each calling
// in a loop (the next call when the last is answered), for warmup and then
// for duration, which alone is measured.
type phase struct {
	// name tells the phase in progress lines: "dxlab", "hello-world".
	name        string
	clients     *clients
	ops         []operation
	env         *environment
	concurrency int
	// rate, when positive, paces the clients' calls together (Options.Rate).
	rate     float64
	warmup   time.Duration
	duration time.Duration
	// progress gets a line a second while the phase runs; nil for none.
	progress io.Writer
	// measuring, when set, is called when the measured span starts and
	// returns what to call when it ends (a profile to start and stop).
	measuring func() (end func())
	// grace is how long calls in flight at the end may take to finish
	// before they are cancelled and counted unanswered; default
	// defaultGrace.
	grace time.Duration
}

// defaultGrace is how long the calls in flight at a phase's end may take.
// A call that takes longer is counted unanswered: a server that hangs ends
// the run with the count instead of holding it forever.
const defaultGrace = 10 * time.Second

// phaseResult is what a phase measured.
type phaseResult struct {
	ops     []OpStats
	elapsed time.Duration
	// requests counts the calls answered in the measured span.
	requests int
	// allocs and gcs are the process's heap allocations and garbage
	// collections during the measured span: the clients' and, when dxlab
	// runs in this process, dxlab's.
	allocs uint64
	gcs    uint32
	// unanswered counts the calls still waiting for an answer a grace
	// period after the end, then cancelled.
	unanswered int
}

// allocsPerRequest is the process's allocations per answered call.
func (r phaseResult) allocsPerRequest() float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.allocs) / float64(r.requests)
}

func (p *phase) run(ctx context.Context) phaseResult {
	begin := time.Now()
	measureStart := begin.Add(p.warmup)
	measureEnd := measureStart.Add(p.duration)
	var answered, failed, inFlight, paced atomic.Int64
	recs := make([]*recorder, p.concurrency)
	// Calls run under their own context, cancelled once the grace after
	// the end runs out.
	callCtx, cancelCalls := context.WithCancel(ctx)
	defer cancelCalls()
	var wg sync.WaitGroup
	for i := range p.concurrency {
		account := i % len(p.clients.byAccount)
		w := &worker{n: i, account: account, rng: rand.New(rand.NewPCG(uint64(begin.UnixNano()), uint64(i))),
			c: p.clients.byAccount[account], raw: p.clients.raw, env: p.env}
		rec := newRecorder()
		recs[i] = rec
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(measureEnd) {
				op := choose(p.ops, w.rng)
				start := time.Now()
				if p.rate > 0 {
					// The next call due, from the start at the pace: this
					// client sends it then, or at once when it is late,
					// and the call's time counts from when it was due.
					start = begin.Add(time.Duration(float64(paced.Add(1)-1) * float64(time.Second) / p.rate))
					if start.After(measureEnd) || !sleepUntil(ctx, start) {
						break // due after the end: it would not count
					}
				}
				inFlight.Add(1)
				err := op.call(w, callCtx)
				end := time.Now()
				inFlight.Add(-1)
				w.calls++
				// Only calls made wholly within the measured span count:
				// those of the warm-up, and those the end cut, do not.
				if callCtx.Err() != nil || start.Before(measureStart) || end.After(measureEnd) {
					continue
				}
				rec.record(op.name, end.Sub(start), err)
				answered.Add(1)
				if err != nil {
					failed.Add(1)
				}
			}
		})
	}

	var res phaseResult
	p.say("%s: %d clients, warming up for %s", p.name, p.concurrency, p.warmup)
	if sleepUntil(ctx, measureStart) {
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var endMeasuring func()
		if p.measuring != nil {
			endMeasuring = p.measuring()
		}
		var last int64
		lastAt := time.Now()
		stop := tick(time.Second, func() {
			now, n := time.Now(), answered.Load()
			rate := float64(n-last) / now.Sub(lastAt).Seconds()
			last, lastAt = n, now
			p.say("%s: %4.0fs of %s  %8.0f req/s  %d errors", p.name, now.Sub(measureStart).Seconds(), p.duration, rate, failed.Load())
		})
		sleepUntil(ctx, measureEnd)
		stop()
		if s := time.Since(measureStart).Seconds(); s > 0 {
			p.say("%s: measured %.1fs  %8.0f req/s  %d errors", p.name, s, float64(answered.Load())/s, failed.Load())
		}
		if endMeasuring != nil {
			endMeasuring()
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		res.allocs, res.gcs = after.Mallocs-before.Mallocs, after.NumGC-before.NumGC
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(cmp.Or(p.grace, defaultGrace)):
		res.unanswered = int(inFlight.Load())
		p.say("%s: %d calls still unanswered %s after the end: cancelled", p.name, res.unanswered, cmp.Or(p.grace, defaultGrace))
		cancelCalls()
		<-finished
	}
	// A run cut short measured until it was.
	res.elapsed = max(0, min(time.Since(measureStart), p.duration))
	res.ops = summarize(recs, res.elapsed)
	for _, r := range recs {
		for _, t := range r.ops {
			res.requests += len(t.latencies)
		}
	}
	return res
}

func (p *phase) say(format string, args ...any) {
	if p.progress != nil {
		fmt.Fprintf(p.progress, "bench: "+format+"\n", args...)
	}
}

// sleepUntil waits until t, or until ctx ends (then it reports false).
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
