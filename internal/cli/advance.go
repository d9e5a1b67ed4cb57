package cli

import (
	"context"
	"flag"
	"fmt"
	"time"
)

var advanceCommand = command{
	name: "advance",
	args: "<duration>",
	summary: `move dxlab's clock forward (e.g. 15m, 2h) and carry out every step that came due

The clock never runs back; how far it was moved is kept across restarts.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("advance", args, 1, 1, "one duration, e.g. 15m"); err != nil {
				return err
			}
			by, err := time.ParseDuration(args[0])
			if err != nil || by <= 0 {
				return usagef("advance: %q is not a positive duration, e.g. 90s, 15m, 2h", args[0])
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			clk, err := c.Advance(ctx, by)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(clk)
			}
			fired := 0
			if clk.Fired != nil {
				fired = *clk.Fired
			}
			fmt.Fprintf(io.out, "clock now %s; fired %d steps\n", clockLine(clk.Now, clk.OffsetSeconds), fired)
			return nil
		}
	},
}
