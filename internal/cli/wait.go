package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/dxlab/dxlab/opclient"
)

// lastLookTimeout bounds the look a timed-out wait takes to report the
// resource's state.
const lastLookTimeout = 5 * time.Second

// errWaitTimeout is the error of a wait that timed out: exit code 1, with
// the last state.
var errWaitTimeout = errors.New("timed out")

var waitCommand = command{
	name: "wait",
	args: "<resource-id> <state>",
	summary: `wait until a resource is in a state, e.g. between two "terraform apply" steps

Prints a line each time the resource's state or next step changes. It fires
nothing itself: dxlab's driver, or an operator ("dxlab fire"), moves the
resource. Exits 0 once the resource is in the state, 1 with its last state
when --timeout passes first.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait")
		interval := fs.Duration("interval", 500*time.Millisecond, "how often to look")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("wait", args, 2, 2, "a resource id and a state"); err != nil {
				return err
			}
			if *timeout <= 0 || *interval <= 0 {
				return usagef("--timeout and --interval must be positive")
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			id, state := args[0], args[1]
			parent := ctx
			ctx, cancel := context.WithTimeout(ctx, *timeout)
			defer cancel()
			last := ""
			p, err := c.Wait(ctx, id, state, *interval, func(p opclient.WaitProgress) {
				line := progressLine(id, p)
				if line != last && !r.json() {
					fmt.Fprintln(io.err, line)
				}
				last = line
			})
			if r.json() {
				out := map[string]any{"resourceId": id, "want": state, "found": p.Found, "reached": err == nil}
				if p.Found {
					out["resource"] = p.Resource
					out["pending"] = nonNil(p.Pending)
				}
				if jerr := r.printJSON(out); jerr != nil {
					return jerr
				}
			}
			if errors.Is(err, opclient.ErrWaitTimeout) && parent.Err() == nil {
				// Report where the resource is now, even if the time ran
				// out before a first look finished.
				lookCtx, cancel := context.WithTimeout(parent, lastLookTimeout)
				if now, lerr := c.Look(lookCtx, id); lerr == nil {
					p = now
				}
				cancel()
			}
			if errors.Is(err, opclient.ErrWaitTimeout) && parent.Err() != nil {
				return fmt.Errorf("interrupted waiting for %s to be %s: %s", id, state, progressLine(id, p))
			}
			if errors.Is(err, opclient.ErrWaitTimeout) {
				return fmt.Errorf("%w after %v waiting for %s to be %s: %s", errWaitTimeout, *timeout, id, state, progressLine(id, p))
			}
			if err != nil {
				return err
			}
			if !r.json() {
				fmt.Fprintf(io.out, "%s is %s\n", id, state)
			}
			return nil
		}
	},
}

// progressLine says where a resource is and what happens to it next.
func progressLine(id string, p opclient.WaitProgress) string {
	if !p.Found {
		return id + ": not found (yet)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", id, p.Resource.State)
	if len(p.Pending) == 0 {
		b.WriteString("; no pending step")
		return b.String()
	}
	t := p.Pending[0]
	fmt.Fprintf(&b, "; next step %s (%s)", t.Step, t.Note)
	if t.DueAt == nil {
		fmt.Fprintf(&b, ", waits for an operator: dxlab fire %s", t.ID)
	} else {
		fmt.Fprintf(&b, ", due %s", when(*t.DueAt))
	}
	return b.String()
}
