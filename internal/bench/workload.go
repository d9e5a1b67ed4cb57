package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"
)

// The workloads.
const (
	// Describe reads one connection by id, over a populated store.
	Describe = "describe"
	// Create creates dedicated connections (the instant profile moves each
	// to available before it answers, when dxlab is this process's).
	Create = "create"
	// Mixed is a fleet's day: 90% reads over a populated store (by id, a
	// page of a listing, tags), 10% changes (creates, tags, renames), from
	// several accounts.
	Mixed = "mixed"
	// Paged pages through the account's connections 100 at a time, each
	// client following the nextToken of its previous page and starting
	// over after the last: every position of the listing, over a populated
	// store (issue 12's scale goal: a page deep in a million costs what
	// the first costs).
	Paged = "paged"
	// Tags reads the tags of 3 connections at a time (DescribeTags).
	Tags = "tags"
)

// Workloads are the workloads' names.
var Workloads = []string{Describe, Create, Mixed, Paged, Tags}

// The operations a workload issues, by the names its report gives them.
const (
	opDescribe     = "DescribeConnections"
	opDescribePage = "DescribeConnections (page of 100)"
	opDescribeNext = "DescribeConnections (next page of 100)"
	opDescribeTags = "DescribeTags (3 ARNs)"
	opCreate       = "CreateConnection"
	opTag          = "TagResource"
	opUpdate       = "UpdateConnection"
)

// operation is one kind of call a workload makes, with its share.
type operation struct {
	name   string
	weight int
	// reads tells a call that only reads, for the mixed workload's ratio.
	reads bool
	call  func(w *worker, ctx context.Context) error
}

// worker is one client: it calls dxlab in a loop as one account, through
// the SDK's client c, or raw when set.
type worker struct {
	n       int
	account int
	rng     *rand.Rand
	c       *directconnect.Client
	raw     *rawClient
	env     *environment
	calls   int
	// next is where the paged workload's next call continues: the
	// nextToken of its previous page, or nil to start over.
	next *string
}

// environment is what workers share and only read.
type environment struct {
	region   string
	accounts []string
	ids      *idPool
	// places are where creates ask for ports, taken in turn.
	places []place
}

// place is a location and a port speed it offers.
type place struct{ location, bandwidth string }

// operations returns a workload's mix.
func operations(workload string) ([]operation, error) {
	describe := operation{name: opDescribe, weight: 1, reads: true, call: (*worker).describe}
	create := operation{name: opCreate, weight: 1, call: (*worker).create}
	switch workload {
	case Describe:
		return []operation{describe}, nil
	case Create:
		return []operation{create}, nil
	case Paged:
		return []operation{{name: opDescribeNext, weight: 1, reads: true, call: (*worker).describeNext}}, nil
	case Tags:
		return []operation{{name: opDescribeTags, weight: 1, reads: true, call: (*worker).describeTags}}, nil
	case Mixed:
		describe.weight, create.weight = 60, 4
		return []operation{
			describe,
			{name: opDescribePage, weight: 15, reads: true, call: (*worker).describePage},
			{name: opDescribeTags, weight: 15, reads: true, call: (*worker).describeTags},
			create,
			{name: opTag, weight: 3, call: (*worker).tag},
			{name: opUpdate, weight: 3, call: (*worker).rename},
		}, nil
	}
	return nil, fmt.Errorf("no workload named %q: use %s", workload, joinOr(Workloads))
}

// needsIDs says whether a workload reads or changes existing connections.
func needsIDs(ops []operation) bool {
	return slices.ContainsFunc(ops, func(o operation) bool { return o.name != opCreate })
}

// choose picks an operation by weight.
func choose(ops []operation, r *rand.Rand) *operation {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := r.IntN(total)
	for i := range ops {
		if n < ops[i].weight {
			return &ops[i]
		}
		n -= ops[i].weight
	}
	return &ops[len(ops)-1]
}

func (w *worker) id() string { return w.env.ids.pick(w.account, w.rng) }

func (w *worker) arn(id string) string {
	return "arn:aws:directconnect:" + w.env.region + ":" + w.env.accounts[w.account] + ":dxcon/" + id
}

// Each call picks its arguments once and sends them through the SDK or,
// raw, as the JSON body the SDK would send.

func (w *worker) describe(ctx context.Context) error {
	id := w.id()
	if w.raw != nil {
		return w.raw.call(ctx, w.account, "DescribeConnections", map[string]string{"connectionId": id})
	}
	_, err := w.c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: &id})
	return err
}

// describePage lists the first page of the account's connections.
func (w *worker) describePage(ctx context.Context) error {
	if w.raw != nil {
		return w.raw.call(ctx, w.account, "DescribeConnections", map[string]int{"maxResults": 100})
	}
	_, err := w.c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{MaxResults: aws.Int32(100)})
	return err
}

// describeNext lists the page of 100 after the worker's previous one, or
// the first after the last.
func (w *worker) describeNext(ctx context.Context) error {
	var err error
	if w.raw != nil {
		in := map[string]any{"maxResults": 100}
		if w.next != nil {
			in["nextToken"] = *w.next
		}
		var answer []byte
		if answer, err = w.raw.answer(ctx, w.account, "DescribeConnections", in); err == nil {
			w.next = nextToken(answer)
		}
	} else {
		var out *directconnect.DescribeConnectionsOutput
		if out, err = w.c.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{MaxResults: aws.Int32(100), NextToken: w.next}); err == nil {
			w.next = out.NextToken
		}
	}
	if err != nil {
		w.next = nil
	}
	return err
}

func (w *worker) describeTags(ctx context.Context) error {
	arns := []string{w.arn(w.id()), w.arn(w.id()), w.arn(w.id())}
	if w.raw != nil {
		return w.raw.call(ctx, w.account, "DescribeTags", map[string][]string{"resourceArns": arns})
	}
	_, err := w.c.DescribeTags(ctx, &directconnect.DescribeTagsInput{ResourceArns: arns})
	return err
}

func (w *worker) create(ctx context.Context) error {
	p := w.env.places[(w.n+w.calls)%len(w.env.places)]
	name := "bench-" + strconv.Itoa(w.n) + "-" + strconv.Itoa(w.calls)
	if w.raw != nil {
		return w.raw.call(ctx, w.account, "CreateConnection", map[string]string{"location": p.location, "bandwidth": p.bandwidth, "connectionName": name})
	}
	_, err := w.c.CreateConnection(ctx, &directconnect.CreateConnectionInput{Location: &p.location, Bandwidth: &p.bandwidth, ConnectionName: &name})
	return err
}

// tag sets one of four tag keys, so that a connection's tags stay few
// however long the run.
func (w *worker) tag(ctx context.Context) error {
	arn, key, value := w.arn(w.id()), "bench-"+strconv.Itoa(w.calls%4), strconv.Itoa(w.calls)
	if w.raw != nil {
		return w.raw.call(ctx, w.account, "TagResource", map[string]any{"resourceArn": arn, "tags": []map[string]string{{"key": key, "value": value}}})
	}
	_, err := w.c.TagResource(ctx, &directconnect.TagResourceInput{ResourceArn: &arn, Tags: []types.Tag{{Key: &key, Value: &value}}})
	return err
}

func (w *worker) rename(ctx context.Context) error {
	id, name := w.id(), "bench-renamed-"+strconv.Itoa(w.calls)
	if w.raw != nil {
		return w.raw.call(ctx, w.account, "UpdateConnection", map[string]string{"connectionId": id, "connectionName": name})
	}
	_, err := w.c.UpdateConnection(ctx, &directconnect.UpdateConnectionInput{ConnectionId: &id, ConnectionName: &name})
	return err
}

// places lists where creates ask for ports: every location of the region
// at 1 and 10 Gbps, the speeds of which the catalog has the most ports
// (31,600 in us-east-1 of its 37,800), so that a long create run fills them
// last.
func places(ctx context.Context, c *directconnect.Client) ([]place, error) {
	out, err := c.DescribeLocations(ctx, &directconnect.DescribeLocationsInput{})
	var answered *awshttp.ResponseError
	if errors.As(err, &answered) {
		// A peer that has no catalog (moto has none) takes any location.
		return []place{{"EqDC2", "1Gbps"}, {"EqDC2", "10Gbps"}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing locations: %w", err)
	}
	var ps []place
	for _, l := range out.Locations {
		// Locations list port speeds as AWS does ("10G"); requests name a
		// bandwidth ("10Gbps").
		for _, speed := range []string{"1G", "10G"} {
			if slices.Contains(l.AvailablePortSpeeds, speed) {
				ps = append(ps, place{aws.ToString(l.LocationCode), speed + "bps"})
			}
		}
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("no location offers 1Gbps or 10Gbps ports")
	}
	return ps, nil
}

func joinOr(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	s := ""
	for i, n := range names[:len(names)-1] {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s + " or " + names[len(names)-1]
}
