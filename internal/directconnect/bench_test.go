package directconnect_test

import (
	"testing"
	"time"

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

// carrying1000 is a partner's 100Gbps interconnect carrying a thousand
// 50Mbps hosted connections (50 Gbps of its 100), on VLANs 1 to 1000.
func carrying1000(b *testing.B) (*dxlabtest.Instance, *directconnect.Client, string) {
	dx := dxlabtest.New(b, dxlabtest.Options{})
	partner := dx.DirectConnect(account, region)
	ic, err := partner.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("100Gbps"), InterconnectName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	for vlan := range int32(1000) {
		if _, err := partner.AllocateHostedConnection(ctx, benchAllocation(ic.InterconnectId, vlan+1)); err != nil {
			b.Fatal(err)
		}
	}
	return dx, partner, aws.ToString(ic.InterconnectId)
}

func benchAllocation(parent *string, vlan int32) *directconnect.AllocateHostedConnectionInput {
	return &directconnect.AllocateHostedConnectionInput{ConnectionId: parent, OwnerAccount: aws.String(account2),
		Bandwidth: aws.String("50Mbps"), ConnectionName: aws.String("bench"), Vlan: vlan}
}

// BenchmarkAllocateHostedConnection measures allocating a hosted
// connection on an interconnect that carries a thousand: the VLAN claim and
// the capacity check in one transaction. Each is deleted again, off the
// clock, so that the interconnect keeps carrying a thousand.
func BenchmarkAllocateHostedConnection(b *testing.B) {
	dx, partner, ic := carrying1000(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		out, err := partner.AllocateHostedConnection(ctx, benchAllocation(&ic, 1001))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := partner.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: out.ConnectionId}); err != nil {
			b.Fatal(err)
		}
		// Deleted ones are listed for a while: forget them now and then.
		if n++; n%100 == 0 {
			dx.Advance(16 * time.Minute)
		}
		b.StartTimer()
	}
}

// BenchmarkDescribeHostedConnections measures the partner listing the
// thousand hosted connections on its interconnect: all at once, and the
// first page of 100.
func BenchmarkDescribeHostedConnections(b *testing.B) {
	_, partner, ic := carrying1000(b)
	for _, bm := range []struct {
		name string
		max  *int32
		want int
	}{{"all", nil, 1000}, {"page-of-100", aws.Int32(100), 100}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := partner.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: &ic, MaxResults: bm.max})
				if err != nil {
					b.Fatal(err)
				}
				if len(out.Connections) != bm.want {
					b.Fatalf("%d hosted connections, want %d", len(out.Connections), bm.want)
				}
			}
		})
	}
}
