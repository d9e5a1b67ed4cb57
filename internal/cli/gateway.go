package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/dxlab/dxlab/opclient"
)

var gatewayCommand = command{
	name: "gateway",
	args: "register|remove <vgw-or-tgw-id>",
	summary: `register a VGW or TGW (or change its ASN and CIDRs), or remove one

    dxlab gateway register vgw-0123abcd --account 111122223333 --region us-east-1 --cidr 10.0.0.0/16
    dxlab gateway remove vgw-0123abcd

The CIDRs are the VPCs' that AWS advertises over virtual interfaces to it.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		var g opclient.Gateway
		fs.StringVar(&g.Account, "account", "", "register: the owner's account (required)")
		fs.StringVar(&g.Region, "region", "", "register: its region, e.g. us-east-1 (required)")
		fs.Int64Var(&g.ASN, "asn", 0, "register: the Amazon side's ASN (default dxlab's)")
		fs.Func("cidr", "register: a VPC CIDR behind it (repeat for more)", func(v string) error {
			g.CIDRs = append(g.CIDRs, v)
			return nil
		})
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("gateway", args, 2, 2, "register or remove and a VGW or TGW id"); err != nil {
				return err
			}
			action, id := args[0], args[1]
			switch action {
			case "register":
				if g.Account == "" || g.Region == "" {
					return usagef("gateway register needs --account and --region")
				}
			case "remove":
				if g.Account != "" || g.Region != "" || g.ASN != 0 || g.CIDRs != nil {
					return usagef("gateway remove takes only the id")
				}
			default:
				return usagef("gateway: %q is neither register nor remove", action)
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			if action == "remove" {
				if err := c.RemoveGateway(ctx, id); err != nil {
					return err
				}
				if r.json() {
					return r.printJSON(map[string]string{"removed": id})
				}
				fmt.Fprintf(io.out, "removed %s\n", id)
				return nil
			}
			g.ID = id
			out, err := c.RegisterGateway(ctx, g)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(out)
			}
			verb := "changed"
			if out.Created {
				verb = "registered"
			}
			fmt.Fprintf(io.out, "%s %s\n", verb, out.Gateway.ID)
			return table(io.out, gatewayHeader, [][]any{gatewayRow(out.Gateway)})
		}
	},
}

// list writes strings for people: comma-separated, or "-".
func list(s []string) string { return dash(strings.Join(s, ", ")) }
