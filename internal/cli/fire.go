package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/dxlab/dxlab/opclient"
)

var fireCommand = command{
	name: "fire",
	args: "[<step-id>...]",
	summary: `carry out pending steps now, due or not ("the cross-connect is done")

Name the steps by id (from "dxlab steps"), or give --resource to fire that
resource's next pending step (with --step, its next step of that name):

    dxlab fire --resource dxcon-fgq1x2ab     # approve the request
    dxlab fire --resource dxcon-fgq1x2ab     # the cross-connect is done`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		resource := fs.String("resource", "", "fire this resource's next pending step")
		step := fs.String("step", "", "with --resource: its next pending step of this name, e.g. connection.cross-connect")
		return func(ctx context.Context, args []string) error {
			if (*resource == "") == (len(args) == 0) {
				return usagef("fire takes step ids or --resource, one or the other; run \"dxlab fire --help\"")
			}
			if *step != "" && *resource == "" {
				return usagef("--step goes with --resource")
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			ids := args
			if *resource != "" {
				pending, err := c.AllTransitions(ctx, opclient.TransitionQuery{Resource: *resource})
				if err != nil {
					return err
				}
				for _, t := range pending {
					if *step == "" || t.Step == *step {
						ids = []string{t.ID}
						break
					}
				}
				if len(ids) == 0 {
					if *step != "" {
						return fmt.Errorf("%s has no pending %s step", *resource, *step)
					}
					return fmt.Errorf("%s has no pending step", *resource)
				}
			}
			var fired []opclient.Transition
			for _, id := range ids {
				t, err := c.Fire(ctx, id)
				if err != nil {
					return err
				}
				fired = append(fired, t)
				if !r.json() {
					fmt.Fprintf(io.out, "fired %s %s on %s: %s\n", t.ID, t.Step, t.ResourceID, t.Note)
				}
			}
			if r.json() {
				return r.printJSON(opclient.TransitionList{Transitions: fired})
			}
			return nil
		}
	},
}
