package dxlabtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/opclient"
)

// A connection under the manual profile waits for AWS to approve it and for
// the cross-connect to be done: the test fires each step. In a test, use
// dxlabtest.New(t, ...), which stops the instance when the test ends.
func Example() {
	dx, err := dxlabtest.Launch(dxlabtest.Options{Profile: dxlabtest.Manual})
	if err != nil {
		panic(err)
	}
	defer dx.Close()
	client := directconnect.NewFromConfig(dx.AWSConfig("111122223333", "us-east-1"))

	out, err := client.CreateConnection(context.Background(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), ConnectionName: aws.String("primary"),
	})
	if err != nil {
		panic(err)
	}
	id := aws.ToString(out.ConnectionId)
	fmt.Println(out.ConnectionState)
	fmt.Println(dx.Fire(id).Step, "->", dx.State(id))
	fmt.Println(dx.Fire(id).Step, "->", dx.WaitFor(id, "available").State)
	// Output:
	// requested
	// connection.approve -> pending
	// connection.cross-connect -> available
}

// Under the realistic profile steps take seconds of the instance's clock,
// which moves only when the test advances it.
func ExampleInstance_Advance() {
	dx, err := dxlabtest.Launch(dxlabtest.Options{Profile: dxlabtest.Realistic})
	if err != nil {
		panic(err)
	}
	defer dx.Close()
	client := directconnect.NewFromConfig(dx.AWSConfig("111122223333", "eu-west-1"))
	out, err := client.CreateConnection(context.Background(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqLD5"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("slow"),
	})
	if err != nil {
		panic(err)
	}
	id := aws.ToString(out.ConnectionId)
	for range 3 {
		dx.Advance(3 * time.Second)
		fmt.Println(dx.Clock.Now().Sub(dxlabtest.Start), dx.State(id))
	}
	// Output:
	// 3s pending
	// 6s pending
	// 9s available
}

// Every change of every resource is on the event timeline, with its cause.
func ExampleInstance_Events() {
	dx, err := dxlabtest.Launch(dxlabtest.Options{})
	if err != nil {
		panic(err)
	}
	defer dx.Close()
	client := directconnect.NewFromConfig(dx.AWSConfig("111122223333", "us-east-1"))
	out, err := client.CreateConnection(context.Background(), &directconnect.CreateConnectionInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("quick"),
	})
	if err != nil {
		panic(err)
	}
	for _, e := range dx.Events(opclient.EventQuery{Resource: aws.ToString(out.ConnectionId)}) {
		fmt.Printf("%s %q -> %q by %s %s%s\n", e.Action, e.From, e.To, e.Cause.Type, e.Cause.Operation, e.Cause.Step)
	}
	// Output:
	// create "" -> "requested" by api CreateConnection
	// update "requested" -> "pending" by step connection.approve
	// update "pending" -> "available" by step connection.cross-connect
}
