package cli

import (
	"context"
	"flag"
	"fmt"
)

var deviceCommand = command{
	name: "device",
	args: "<device-id> down|up",
	summary: `take a whole AWS device down (maintenance), or bring it back up

Every connection, interconnect and LAG on the device goes down with it. The
device id is a resource's awsDeviceV2, e.g. EqDC2-123h49s71dabc.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			id, down, err := downUpArgs("device", args, "a device id")
			if err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			st, err := c.SetDeviceDown(ctx, id, down)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(st)
			}
			fmt.Fprintf(io.out, "device %s %s: %d resources changed state\n", st.Device, downOrUp(down), st.Changed)
			return nil
		}
	},
}
