package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"

	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/internal/server"
	"github.com/dxlab/dxlab/internal/store"
	"github.com/dxlab/dxlab/opclient"
)

// target is the dxlab under load: one this process started, or one
// running elsewhere.
type target struct {
	url string
	// op is the dxlab's operator API; nil for an endpoint that is not a
	// dxlab.
	op *opclient.Client
	// store is the started dxlab's store, for seeding; nil for a dxlab
	// running elsewhere, whose store the bench cannot reach.
	store store.Store
	// dataDir is where the started dxlab keeps its store.
	dataDir string
	// handler is the started dxlab's HTTP handler, for the benchmarks of
	// the request path without a network; nil for a dxlab elsewhere.
	handler http.Handler
	// describe says what the target is, for the report.
	describe string
	stop     func() error
}

// benchQuotas lift the quotas a load run would otherwise meet at once: ten
// connections per location and account is AWS's default. A fleet with
// real load has Service Quotas increases like these.
var benchQuotas = []string{"connections-per-location=1000000"}

// benchPorts is how many times the built-in catalog's ports each device of
// the bench's own dxlab has. A create run makes connections faster than
// any location has ports for (about 18,000 in 7 s filled the region's 1
// Gbps ports, and every create after was refused after a scan of them
// all), and it measures creating, not a full facility.
const benchPorts = 100

// benchCatalog writes the built-in location catalog with benchPorts times
// its ports to a file in dir, and returns its path.
func benchCatalog(dir string) (string, error) {
	c, err := facility.LoadCatalog("")
	if err != nil {
		return "", err
	}
	for i := range c.Locations {
		for j := range c.Locations[i].Devices {
			for speed, n := range c.Locations[i].Devices[j].Ports {
				c.Locations[i].Devices[j].Ports[speed] = n * benchPorts
			}
		}
	}
	data, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "locations.json")
	return path, os.WriteFile(path, data, 0o644)
}

// startDxlab starts dxlab in this process on a loopback port, under the
// instant profile, on dataDir (a new temporary directory when empty, removed
// when it stops).
//
// In this process rather than as a child: the hello-world baseline runs here
// too, driven by the same clients, so both servers share the client's
// runtime, scheduler and garbage collector alike and their ratio is fair;
// seeding writes through the running server's own store (no second opener
// of the data directory, whose lock allows one); and a CPU or allocation
// profile of the run (--cpuprofile, --memprofile) covers dxlab's code
// without a debug endpoint on the server. The price is that the clients'
// allocations add to the garbage collector's work in dxlab's heap, as they
// do in the baseline's; --endpoint measures a dxlab in a process of its own.
func startDxlab(dataDir string, log *slog.Logger) (*target, error) {
	tmp, err := os.MkdirTemp("", "dxlab-bench-")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(tmp) }
	kept := dataDir != ""
	if !kept {
		dataDir = filepath.Join(tmp, "data")
	}
	locations, err := benchCatalog(tmp)
	if err != nil {
		cleanup()
		return nil, err
	}
	srv, err := server.New(server.Options{DataDir: dataDir, Profile: facility.Instant, Quotas: benchQuotas,
		LocationsFile: locations, Logger: log})
	if err != nil {
		cleanup()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		cleanup()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t := &target{
		url:      "http://" + ln.Addr().String(),
		store:    srv.Store(),
		dataDir:  dataDir,
		handler:  srv.Handler(),
		describe: "dxlab in this process (instant profile, embedded store",
		stop: func() error {
			cancel()
			err := <-done
			cleanup()
			return err
		},
	}
	if !kept {
		t.describe += " in a temporary directory)"
	} else {
		t.describe += " in " + dataDir + ")"
	}
	t.op = opclient.New(t.url)
	return t, nil
}

// dialDxlab checks that something answers at endpoint: a dxlab, or
// another Direct Connect endpoint (moto, say, to compare with a peer), of
// which the bench then uses the AWS API alone.
func dialDxlab(ctx context.Context, endpoint, token string) (*target, error) {
	op := opclient.New(endpoint)
	op.Token = token
	t := &target{url: endpoint, op: op, describe: "dxlab at " + endpoint, stop: func() error { return nil }}
	// The clock is the cheapest thing the operator API answers; health
	// counts every resource, which a seeded store makes slow.
	_, err := op.Clock(ctx)
	var answered *opclient.Error
	var transport *url.Error
	switch {
	case err == nil:
		return t, nil
	case errors.As(err, &answered) && (answered.Status == http.StatusUnauthorized || answered.Status == http.StatusForbidden):
		return nil, fmt.Errorf("the dxlab at %s refuses its operator API: give its token in DXLAB_OPERATOR_TOKEN: %w", endpoint, err)
	case errors.As(err, &transport):
		return nil, fmt.Errorf("no dxlab answers at %s: %w", endpoint, err)
	}
	t.op = nil
	t.describe = "a Direct Connect endpoint at " + endpoint + " (not a dxlab: no operator API)"
	return t, nil
}

// Clients are the AWS SDK's Direct Connect clients, one per account, all
// on one HTTP connection pool: what drives dxlab and the hello-world
// baseline alike.
type clients struct {
	byAccount []*directconnect.Client
	accounts  []string
	http      *http.Client
	// raw, when set, sends the workload's calls instead of byAccount.
	raw *rawClient
}

// newClients returns SDK clients for accounts in region sending to url,
// able to keep concurrency connections open.
func newClients(url, region string, accounts []string, concurrency int) *clients {
	transport := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		// The SDK keeps 10 idle connections per host: more clients than
		// that would open and close a connection per call, and measure TCP
		// set-up instead of dxlab.
		t.MaxIdleConns = concurrency + 16
		t.MaxIdleConnsPerHost = concurrency + 16
	}).GetTransport()
	hc := &http.Client{Transport: transport}
	c := &clients{accounts: accounts, http: hc}
	for _, a := range accounts {
		c.byAccount = append(c.byAccount, directconnect.New(directconnect.Options{
			Region:       region,
			BaseEndpoint: aws.String(url),
			Credentials:  credentials.NewStaticCredentialsProvider(a, "dxlab-bench", ""),
			HTTPClient:   readOnlyBodies{hc},
			// One call is one request: a retry would hide an error and
			// count two requests' time as one.
			Retryer: aws.NopRetryer{},
		}))
	}
	return c
}

func (c *clients) close() { c.http.CloseIdleConnections() }

// readOnlyBodies hides the WriteTo method of the SDK's request bodies from
// net/http, for the reason dxlabtest.HTTPClient gives: smithy-go closes a
// request's body when the response's headers arrive, and when dxlab answers
// before net/http has finished with the body, WriteTo's error makes net/http
// close the connection under the response ("use of closed network
// connection"). Read on the closed body answers a plain end of file.
type readOnlyBodies struct{ *http.Client }

func (c readOnlyBodies) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return c.Client.Do(req)
}
