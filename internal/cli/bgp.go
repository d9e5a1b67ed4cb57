package cli

import (
	"context"
	"flag"
	"fmt"
)

var bgpCommand = command{
	name: "bgp",
	args: "<bgp-peer-id> down|up",
	summary: `take the customer's side of a BGP session down, or bring it back up

The peer id is a virtual interface's bgpPeerId, e.g. dxpeer-fgq1x2ab.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			id, down, err := downUpArgs("bgp", args, "a BGP peer id")
			if err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			st, err := c.SetBgpDown(ctx, id, down)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(st)
			}
			fmt.Fprintf(io.out, "customer side of %s %s: BGP status %s\n", st.BgpPeer, downOrUp(down), st.BgpStatus)
			return nil
		}
	},
}
