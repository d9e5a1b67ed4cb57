package cli

import (
	"context"
	"flag"
)

var resourceCommand = command{
	name:    "resource",
	args:    "<resource-id>",
	summary: "show one resource by id, whoever owns it: kind, owner, region, state",
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("resource", args, 1, 1, "one resource id"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			res, err := c.Resource(ctx, args[0])
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(res)
			}
			return table(io.out, "ID\tKIND\tACCOUNT\tREGION\tSTATE", [][]any{{res.ID, res.Kind, res.Account, res.Region, res.State}})
		}
	},
}
