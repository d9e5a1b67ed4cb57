package directconnect_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
)

// benchQuotas lift the quota of 10 connections per location, as a fleet's
// Service Quotas increase would.
var benchQuotas = []string{"connections-per-location=1000000"}

// BenchmarkCreateConnection measures a full CreateConnection through the
// SDK, HTTP, validation, the store and the instant profile's provisioning.
func BenchmarkCreateConnection(b *testing.B) {
	dx := dxlabtest.New(b, dxlabtest.Options{Quotas: benchQuotas})
	c := dx.DirectConnect(account, region)
	in := &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("bench")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CreateConnection(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribeConnection measures reading one connection by id among
// a thousand.
func BenchmarkDescribeConnection(b *testing.B) {
	dx := dxlabtest.New(b, dxlabtest.Options{Quotas: benchQuotas})
	c := dx.DirectConnect(account, region)
	in := &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("bench")}
	var id *string
	for range 1000 {
		out, err := c.CreateConnection(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		id = out.ConnectionId
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: id}); err != nil {
			b.Fatal(err)
		}
	}
}
