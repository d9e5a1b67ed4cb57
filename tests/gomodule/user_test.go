// Package dxlabuser is a module outside dxlab's, as a user's would be: it
// proves that the dxlabtest package can be imported and used from another
// module, with nothing but a require (here replaced by the checkout).
package dxlabuser

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

func TestConnectionComesUp(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic})
	client := directconnect.NewFromConfig(dx.AWSConfig("111122223333", "us-east-1"))
	out, err := client.CreateConnection(t.Context(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("from-outside"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.ConnectionState != types.ConnectionStateRequested {
		t.Fatalf("created %s", out.ConnectionState)
	}
	id := aws.ToString(out.ConnectionId)
	dx.Advance(10 * time.Second)
	dx.WaitFor(id, "available")

	var steps []string
	for _, e := range dx.Events(opclient.EventQuery{Resource: id}) {
		steps = append(steps, e.To)
	}
	if len(steps) != 3 || steps[2] != "available" {
		t.Fatalf("timeline %v", steps)
	}
	got, err := client.DescribeConnections(t.Context(), &directconnect.DescribeConnectionsInput{ConnectionId: out.ConnectionId})
	if err != nil || len(got.Connections) != 1 || got.Connections[0].ConnectionState != types.ConnectionStateAvailable {
		t.Fatalf("describe: %+v %v", got, err)
	}
}
