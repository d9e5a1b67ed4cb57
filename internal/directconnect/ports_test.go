package directconnect_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/store"
)

// smallCatalog writes a location catalog (the format of --locations) with
// one location, TstA1 in us-east-1, of the devices given, and returns its
// path.
func smallCatalog(t *testing.T, devices ...facility.Device) string {
	t.Helper()
	c := facility.Catalog{Locations: []facility.Location{{
		Code: "TstA1", Name: "Test Facility One, Testville", Address: "1 Test Way, Testville", Region: region,
		PortSpeeds: []string{"1G", "10G", "100G"}, MacSecPortSpeeds: []string{"10G"}, Providers: []string{"TestNet"},
		Devices: devices,
	}}}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "locations.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func createAt(c *directconnect.Client, location, bandwidth string) (*directconnect.CreateConnectionOutput, error) {
	return c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: aws.String(location), Bandwidth: aws.String(bandwidth), ConnectionName: aws.String("c")})
}

const noFree10G = "Location TstA1 has no free 10Gbps port on a device that can take this request."

// A device's ports run out: the next request is refused clearly and
// creates nothing; deleting gives the port back.
func TestPortsRunOut(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Locations: smallCatalog(t, facility.Device{ID: "TstA1-aaaaaaaaaaaa", Ports: map[string]int{"10G": 2, "1G": 1}})})
	c := dx.DirectConnect(account, region)
	first, err := createAt(c, "TstA1", "10Gbps")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createAt(c, "TstA1", "10Gbps"); err != nil {
		t.Fatal(err)
	}
	_, err = createAt(c, "TstA1", "10Gbps")
	apiError(t, err, "DirectConnectClientException", noFree10G)
	_, err = dx.DirectConnect(account2, region).CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{
		Location: aws.String("TstA1"), Bandwidth: aws.String("10Gbps"), InterconnectName: aws.String("ic")})
	apiError(t, err, "DirectConnectClientException", noFree10G)
	_, err = c.CreateLag(ctx, lagInput("TstA1", "10Gbps", 1))
	apiError(t, err, "DirectConnectClientException", "Location TstA1 has no device with 1 free 10Gbps ports for the LAG; no LAG was created.")
	if n := len(ownConnections(t, c)); n != 2 {
		t.Errorf("refused requests left %d connections, want 2", n)
	}
	if all, err := c.DescribeLags(ctx, &directconnect.DescribeLagsInput{}); err != nil || len(all.Lags) != 0 {
		t.Errorf("a refused CreateLag left %d LAGs (%v)", len(all.Lags), err)
	}
	// Other speeds have ports of their own.
	if _, err := createAt(c, "TstA1", "1Gbps"); err != nil {
		t.Errorf("1Gbps: %v", err)
	}
	if _, err := c.DeleteConnection(ctx, &directconnect.DeleteConnectionInput{ConnectionId: first.ConnectionId}); err != nil {
		t.Fatal(err)
	}
	again, err := createAt(c, "TstA1", "10Gbps")
	if err != nil {
		t.Fatalf("after a delete freed a port: %v", err)
	}
	if ports := livePorts(t, dx); ports[portOf{"TstA1-aaaaaaaaaaaa", "10Gbps", 1}]+ports[portOf{"TstA1-aaaaaaaaaaaa", "10Gbps", 2}] != 2 {
		t.Errorf("ports held: %v (new connection %s)", ports, aws.ToString(again.ConnectionId))
	}
}

// A LAG's members must all fit on one device, or there is no LAG.
func TestCreateLagNeedsOneDevice(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Locations: smallCatalog(t,
		facility.Device{ID: "TstA1-aaaaaaaaaaaa", Ports: map[string]int{"10G": 2}},
		facility.Device{ID: "TstA1-bbbbbbbbbbbb", Ports: map[string]int{"10G": 2}})})
	c := dx.DirectConnect(account, region)
	// Four ports free, but no device has three.
	_, err := c.CreateLag(ctx, lagInput("TstA1", "10Gbps", 3))
	apiError(t, err, "DirectConnectClientException", "Location TstA1 has no device with 3 free 10Gbps ports for the LAG; no LAG was created.")
	if n := len(ownConnections(t, c)); n != 0 {
		t.Fatalf("a refused LAG left %d connections", n)
	}
	if n := len(livePorts(t, dx)); n != 0 {
		t.Fatalf("a refused LAG left %d ports claimed", n)
	}
	// Every port is still there to take: two LAGs of two.
	devices := map[string]bool{}
	for range 2 {
		l, err := c.CreateLag(ctx, lagInput("TstA1", "10Gbps", 2))
		if err != nil {
			t.Fatal(err)
		}
		devices[aws.ToString(l.AwsDevice)] = true
	}
	if len(devices) != 2 {
		t.Errorf("two LAGs of two on %v", devices)
	}
}

// portOf is a port as a resource holds it.
type portOf struct {
	device, bandwidth string
	port              int
}

// livePorts counts the holders of each port among the connections and
// interconnects that are not deleted, read from the store's records.
func livePorts(t *testing.T, dx *dxlabtest.Instance) map[portOf]int {
	t.Helper()
	held := map[portOf]int{}
	err := dx.Store().View(ctx, func(r store.Reader) error {
		for _, kind := range []string{"dx.connection", "dx.interconnect"} {
			recs, err := r.List(ctx, store.ListQuery{Kind: kind})
			if err != nil {
				return err
			}
			for _, rec := range recs {
				var doc struct {
					State     string `json:"state"`
					Device    string `json:"device"`
					Bandwidth string `json:"bandwidth"`
					Port      int    `json:"port"`
					Hosted    bool   `json:"hosted"`
				}
				if err := json.Unmarshal(rec.Data, &doc); err != nil {
					return err
				}
				if doc.Hosted || doc.State == "deleted" || doc.State == "rejected" {
					continue
				}
				if doc.Port == 0 {
					return fmt.Errorf("%s %s holds no port: %s", kind, rec.ID, rec.Data)
				}
				held[portOf{doc.Device, doc.Bandwidth, doc.Port}]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return held
}

// Many CreateLags race for the last ports of a device: those that win hold
// ports no one else holds, and those that lose create nothing.
func TestConcurrentCreateLagsNeverDoubleBook(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Locations: smallCatalog(t, facility.Device{ID: "TstA1-aaaaaaaaaaaa", Ports: map[string]int{"10G": 12}})})
	// Five ports taken, seven left: room for three LAGs of two.
	for range 5 {
		if _, err := createAt(dx.DirectConnect(account3, region), "TstA1", "10Gbps"); err != nil {
			t.Fatal(err)
		}
	}
	won := race(t, 12, func(i int) error {
		// Each from an account of its own, well inside its quotas.
		_, err := dx.DirectConnect(fmt.Sprintf("%012d", 500000000000+i), region).CreateLag(ctx, lagInput("TstA1", "10Gbps", 2))
		return err
	}, "no LAG was created")
	if won != 3 {
		t.Errorf("%d LAGs created, want 3", won)
	}
	held := livePorts(t, dx)
	total := 0
	for p, holders := range held {
		total += holders
		if holders != 1 || p.device != "TstA1-aaaaaaaaaaaa" || p.port < 1 || p.port > 12 {
			t.Errorf("port %+v held by %d", p, holders)
		}
	}
	if total != 5+2*won {
		t.Errorf("%d ports held, want %d", total, 5+2*won)
	}
}
