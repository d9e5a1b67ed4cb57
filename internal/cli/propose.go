package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/dxlab/dxlab/opclient"
)

var proposeCommand = command{
	name: "propose",
	summary: `be an Interconnect partner starting a connection for an account; prints the activation key

The account sees the proposal with DescribeConnectionProposal and accepts it
with AcceptConnectionProposal and the key:

    key=$(dxlab propose --environment mce-aws-gcp-iad --bandwidth 1Gbps --account 111122223333 --region us-east-1)`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		var p opclient.InterconnectProposal
		fs.StringVar(&p.EnvironmentID, "environment", "", "the Interconnect environment, e.g. mce-aws-gcp-iad (required)")
		fs.StringVar(&p.Bandwidth, "bandwidth", "", "the bandwidth, e.g. 1Gbps (required)")
		fs.StringVar(&p.Account, "account", "", "the AWS account it is for (required)")
		fs.StringVar(&p.Region, "region", "", "the account's region, e.g. us-east-1 (required)")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("propose", args, 0, 0, "no arguments, only flags"); err != nil {
				return err
			}
			if p.EnvironmentID == "" || p.Bandwidth == "" || p.Account == "" || p.Region == "" {
				return usagef("propose needs --environment, --bandwidth, --account and --region")
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			key, err := c.Propose(ctx, p)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(opclient.ActivationKey{ActivationKey: key})
			}
			fmt.Fprintln(io.out, key)
			return nil
		}
	},
}
