package cli

import (
	"context"
	"flag"
	"fmt"
)

var clockCommand = command{
	name:    "clock",
	summary: "show dxlab's clock and how far it runs ahead of the system clock",
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("clock", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			clk, err := c.Clock(ctx)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(clk)
			}
			fmt.Fprintln(io.out, clockLine(clk.Now, clk.OffsetSeconds))
			return nil
		}
	},
}
