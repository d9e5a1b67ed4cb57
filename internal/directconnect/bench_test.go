package directconnect_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/store/postgres/pgtest"
)

// benchQuotas lift the quota of 10 connections per location, as a fleet's
// Service Quotas increase would.
var benchQuotas = []string{"connections-per-location=1000000"}

// BenchmarkCreateConnection measures a full CreateConnection through the
// SDK, HTTP, validation, the store and the instant profile's provisioning.
func BenchmarkCreateConnection(b *testing.B) {
	stores(b, func(b *testing.B, opts dxlabtest.Options) {
		dx := dxlabtest.New(b, opts)
		c := dx.DirectConnect(account, region)
		in := &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("bench")}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CreateConnection(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// stores runs a benchmark on each store: the embedded SQLite one, and
// PostgreSQL when DXLAB_TEST_POSTGRES names one.
func stores(b *testing.B, bench func(b *testing.B, opts dxlabtest.Options)) {
	b.Run("sqlite", func(b *testing.B) { bench(b, dxlabtest.Options{Quotas: benchQuotas}) })
	b.Run("postgres", func(b *testing.B) { bench(b, dxlabtest.Options{Quotas: benchQuotas, Store: pgtest.URL(b)}) })
}

// BenchmarkDescribeConnection measures reading one connection by id among
// a thousand.
func BenchmarkDescribeConnection(b *testing.B) {
	stores(b, func(b *testing.B, opts dxlabtest.Options) { describeConnection(b, dxlabtest.New(b, opts)) })
}

func describeConnection(b *testing.B, dx *dxlabtest.Instance) {
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
