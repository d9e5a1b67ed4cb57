// Command dxlab serves AWS Direct Connect and AWS Interconnect on one port,
// for the AWS CLI, the SDKs and Terraform to use unchanged. All it does is
// hand its arguments to the cli package.
package main

import (
	"os"

	"github.com/dxlab/dxlab/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
