package cli

import (
	"context"
	"flag"
)

var remoteRoutesCommand = command{
	name: "remote-routes",
	args: "<interconnect-connection-id> [<cidr>...]",
	summary: `set the routes the other cloud announces over an Interconnect connection

They replace what it announced before; with no CIDRs it announces none.
Prints the connection with the routes each side learns.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("remote-routes", args, 1, len(args), "an Interconnect connection id and the CIDRs the other cloud announces"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			conn, err := c.SetRemoteRoutes(ctx, args[0], args[1:])
			if err != nil {
				return err
			}
			return r.printInterconnect(conn)
		}
	},
}
