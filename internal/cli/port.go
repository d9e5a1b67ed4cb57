package cli

import (
	"context"
	"flag"
	"fmt"
)

var portCommand = command{
	name: "port",
	args: "<connection-or-interconnect-id> down|up",
	summary: `take the port of a connection or interconnect down, or bring it back up

The resource goes down (and its virtual interfaces and BGP sessions with
it), then back to available.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			id, down, err := downUpArgs("port", args, "a connection or interconnect id")
			if err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			st, err := c.SetPortDown(ctx, id, down)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(st)
			}
			fmt.Fprintf(io.out, "port of %s %s: %s is %s\n", id, downOrUp(down), st.Resource, st.State)
			return nil
		}
	},
}
