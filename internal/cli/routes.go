package cli

import (
	"context"
	"flag"
	"fmt"
)

var routesCommand = command{
	name: "routes",
	args: "<bgp-peer-id> [<cidr>...]",
	summary: `set the routes the customer announces over a BGP session

They replace what it announced before; with no CIDRs it announces none.
ListVirtualInterfaceRoutes shows them as accepted; a session announcing more
than its route limit goes down.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("routes", args, 1, len(args), "a BGP peer id and the CIDRs it announces"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			st, err := c.SetCustomerRoutes(ctx, args[0], args[1:])
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(st)
			}
			fmt.Fprintf(io.out, "%s announces %d routes: BGP status %s\n", st.BgpPeer, st.Routes, st.BgpStatus)
			return nil
		}
	},
}
