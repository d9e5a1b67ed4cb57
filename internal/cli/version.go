package cli

import (
	"context"
	"flag"
	"fmt"
)

var versionCommand = command{
	name:    "version",
	summary: "print dxlab's version (also dxlab --version)",
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		return func(_ context.Context, args []string) error {
			if err := wantArgs("version", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			fmt.Fprintln(io.out, "dxlab", version())
			return nil
		}
	},
}
