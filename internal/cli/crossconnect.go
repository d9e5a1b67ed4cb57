package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/dxlab/dxlab/opclient"
)

var crossConnectCommand = command{
	name: "cross-connect",
	args: "<resource-id>",
	summary: `say the cross-connect of a connection, interconnect or LAG member is done

Fires the resource's pending cross-connect step (under the manual profile it
waits for an operator). AWS must have approved the request first: until
then, "dxlab fire --resource <id>" approves it.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("cross-connect", args, 1, 1, "one resource id"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			t, err := c.CrossConnect(ctx, args[0])
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(opclient.Fired{Fired: t})
			}
			fmt.Fprintf(io.out, "fired %s %s on %s: %s\n", t.ID, t.Step, t.ResourceID, t.Note)
			return nil
		}
	},
}
