package cli

import (
	"context"
	"flag"

	"github.com/dxlab/dxlab/opclient"
)

var portalCommand = command{
	name: "portal",
	args: "<activation-key>",
	summary: `be the Interconnect partner's portal given an activation key

The portal takes the key and the connection goes on to provisioning; with
--refuse it refuses it and the connection fails (with --reason as its
failure reason). Under the instant and realistic profiles the portal takes
keys by itself.`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		var a opclient.PortalActivation
		fs.BoolVar(&a.Refuse, "refuse", false, "refuse the key: the connection fails")
		fs.StringVar(&a.Reason, "reason", "", "with --refuse, the failure reason")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("portal", args, 1, 1, "one activation key"); err != nil {
				return err
			}
			if a.Reason != "" && !a.Refuse {
				return usagef("--reason goes with --refuse")
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			a.ActivationKey = args[0]
			conn, err := c.ActivatePortal(ctx, a)
			if err != nil {
				return err
			}
			return r.printInterconnect(conn)
		}
	},
}

// printInterconnect shows an Interconnect connection as the other side sees
// it.
func (r *remote) printInterconnect(conn opclient.InterconnectConnection) error {
	if r.json() {
		return r.printJSON(opclient.InterconnectAnswer{Connection: conn})
	}
	rows := [][]any{
		{"id", conn.ID},
		{"state", conn.State},
		{"account", conn.Account},
		{"region", conn.Region},
		{"gateway", conn.DirectConnectGateway},
		{"bandwidth", conn.Bandwidth},
		{"remote routes", list(conn.RemoteRoutes)},
		{"advertised to remote", list(conn.AdvertisedToRemote)},
	}
	if conn.FailureReason != "" {
		rows = append(rows, []any{"failure reason", conn.FailureReason})
	}
	return table(r.io.out, "", rows)
}
