package directconnect_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
)

// An account with 5,000 VIFs: 100 connections carrying 50 each (AWS's
// default quota), all to one VGW.
const (
	benchVifConnections = 100
	benchVifsPer        = 50
)

func vifs5000(b *testing.B) *dxlabtest.Instance {
	dx := dxlabtest.New(b, dxlabtest.Options{Quotas: []string{fmt.Sprint("connections-per-location=", benchVifConnections)}})
	c := dx.DirectConnect(account, region)
	conns := make([]string, benchVifConnections)
	for i := range conns {
		out, err := c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String(fmt.Sprint("bench-", i))})
		if err != nil {
			b.Fatal(err)
		}
		conns[i] = aws.ToString(out.ConnectionId)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(conns))
	for _, conn := range conns {
		wg.Go(func() {
			for vlan := range int32(benchVifsPer) {
				_, err := c.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(conn),
					NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("bench"), Vlan: vlan + 1, Asn: 65000, VirtualGatewayId: aws.String("vgw-0000be4c")}})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return dx
}

// BenchmarkDescribeVirtualInterfaces5000 lists an account's 5,000 VIFs in
// one call, and a hundred a page (50 calls) per iteration.
func BenchmarkDescribeVirtualInterfaces5000(b *testing.B) {
	dx := vifs5000(b)
	const want = benchVifConnections * benchVifsPer
	// Each part has a client (and connection pool) of its own.
	b.Run("unpaged", func(b *testing.B) {
		c := dx.DirectConnect(account, region)
		b.ReportAllocs()
		for b.Loop() {
			out, err := c.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{})
			if err != nil {
				b.Fatal(err)
			}
			if len(out.VirtualInterfaces) != want || out.NextToken != nil {
				b.Fatalf("%d VIFs, token %v", len(out.VirtualInterfaces), out.NextToken)
			}
		}
	})
	b.Run("paged-100", func(b *testing.B) {
		c := dx.DirectConnect(account, region)
		b.ReportAllocs()
		pages := 0
		for b.Loop() {
			n := 0
			in := &directconnect.DescribeVirtualInterfacesInput{MaxResults: aws.Int32(100)}
			for {
				out, err := c.DescribeVirtualInterfaces(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				n += len(out.VirtualInterfaces)
				pages++
				if in.NextToken = out.NextToken; in.NextToken == nil {
					break
				}
			}
			if n != want {
				b.Fatalf("%d VIFs over the pages", n)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pages), "ns/page")
	})
}
