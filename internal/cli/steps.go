package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/dxlab/dxlab/opclient"
)

var stepsCommand = command{
	name: "steps",
	summary: `list the pending steps of the simulated facility, due ones first

A step is something that happens to a resource without an API call: AWS
approving a request, a technician completing a cross-connect. Under the
manual profile the people's steps wait for an operator: "dxlab fire" them.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		resource := fs.String("resource", "", "only this resource's steps")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("steps", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			steps, err := c.AllTransitions(ctx, opclient.TransitionQuery{Resource: *resource})
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(opclient.TransitionList{Transitions: nonNil(steps)})
			}
			if len(steps) == 0 {
				fmt.Fprintln(io.out, "no pending steps")
				return nil
			}
			return table(io.out, "ID\tSTEP\tRESOURCE\tDUE\tNOTE", stepRows(steps))
		}
	},
}

func stepRows(steps []opclient.Transition) [][]any {
	var rows [][]any
	for _, t := range steps {
		note := t.Note
		if t.Attempts > 0 {
			note += fmt.Sprintf(" [failed %d times: %s]", t.Attempts, t.LastError)
		}
		rows = append(rows, []any{t.ID, t.Step, t.ResourceID, due(t), note})
	}
	return rows
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
