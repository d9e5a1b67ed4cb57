package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/dxlab/dxlab/opclient"
)

var fireDueCommand = command{
	name:    "fire-due",
	summary: "carry out every step that is due now (the driver does this on its own within seconds)",
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("fire-due", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			n, err := c.FireDue(ctx)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(opclient.FiredCount{Fired: n})
			}
			fmt.Fprintf(io.out, "fired %d steps\n", n)
			return nil
		}
	},
}
