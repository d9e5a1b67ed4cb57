package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/dxlab/dxlab/opclient"
)

var gatewaysCommand = command{
	name: "gateways",
	summary: `list the registered VGWs and TGWs: the EC2 side Direct Connect reaches

With --gateways strict, dxlab accepts only these in virtual interfaces and
gateway associations; "dxlab gateway" registers and removes them.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		account := fs.String("account", "", "only this account's")
		region := fs.String("region", "", "only this region's")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("gateways", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			gws, err := c.Gateways(ctx, *account, *region)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(opclient.GatewayList{Gateways: nonNil(gws)})
			}
			if len(gws) == 0 {
				fmt.Fprintln(io.out, "no gateways")
				return nil
			}
			var rows [][]any
			for _, g := range gws {
				rows = append(rows, gatewayRow(g))
			}
			return table(io.out, gatewayHeader, rows)
		}
	},
}

const gatewayHeader = "ID\tACCOUNT\tREGION\tASN\tCIDRS"

func gatewayRow(g opclient.Gateway) []any {
	return []any{g.ID, g.Account, g.Region, g.ASN, list(g.CIDRs)}
}
