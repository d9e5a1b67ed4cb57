package directconnect_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"

	"github.com/dxlab/dxlab/dxlabtest"
	"github.com/dxlab/dxlab/internal/facility"
	"github.com/dxlab/dxlab/opclient"
)

// operate calls an operator action (POST path) and checks its status.
func operate(t *testing.T, dx *dxlabtest.Instance, path string, want int) map[string]any {
	t.Helper()
	var out map[string]any
	if code := dx.Operator("POST", path, &out); code != want {
		t.Fatalf("POST %s: %d %v, want %d", path, code, out, want)
	}
	return out
}

// setPort takes the port of a connection or interconnect down ("down") or
// brings it back ("up"), and checks the state the operator API answers.
func setPort(t *testing.T, dx *dxlabtest.Instance, id, dir, wantState string) {
	t.Helper()
	if out := operate(t, dx, "/_dxlab/v1/ports/"+id+"/"+dir, 200); out["state"] != wantState || out["portDown"] != (dir == "down") {
		t.Fatalf("port %s %s answered %v, want state %s", id, dir, out, wantState)
	}
}

// eventsOf reads a resource's events from the timeline.
func eventsOf(t *testing.T, dx *dxlabtest.Instance, id string) []opclient.Event {
	t.Helper()
	return dx.Events(opclient.EventQuery{Resource: id})
}

// lastChange is a resource's last event, as "from -> to by <cause>".
func lastChange(t *testing.T, dx *dxlabtest.Instance, id string) string {
	t.Helper()
	events := eventsOf(t, dx, id)
	if len(events) == 0 {
		t.Fatalf("%s has no events", id)
	}
	e := events[len(events)-1]
	return fmt.Sprintf("%s -> %s by %s %s", e.From, e.To, e.Cause.Type, e.Cause.Operation+e.Cause.Step)
}

// states reads the states of a LAG's world at once: its members by id, the
// LAG, and a hosted connection on it as its customer sees it.
type states struct {
	members map[string]types.ConnectionState
	lag     types.LagState
	hosted  types.ConnectionState
}

func lagStates(t *testing.T, partner, customer *directconnect.Client, lagID, hosted string) states {
	t.Helper()
	l := describeLag(t, partner, lagID)
	s := states{members: map[string]types.ConnectionState{}, lag: l.LagState, hosted: describe(t, customer, hosted).ConnectionState}
	for _, m := range l.Connections {
		s.members[aws.ToString(m.ConnectionId)] = m.ConnectionState
	}
	return s
}

// A port going down takes its connection down, the LAG with it when fewer
// members than minimumLinks are up, and the hosted connections on the LAG;
// the port coming back brings them all back.
func TestPortDownCascadesThroughTheLag(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	l := newLag(t, partner, 2, "10Gbps")
	lagID := aws.ToString(l.LagId)
	m := memberIDs(types.Lag{Connections: l.Connections})
	hosted := aws.ToString(allocate(t, partner, lagID, account2, "1Gbps", 10).ConnectionId)
	confirm(t, customer, hosted)
	if _, err := partner.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String(lagID), MinimumLinks: 2}); err != nil {
		t.Fatal(err)
	}
	up, down := types.ConnectionStateAvailable, types.ConnectionStateDown
	check := func(when string, m0, m1 types.ConnectionState, lag types.LagState, h types.ConnectionState) {
		t.Helper()
		got := lagStates(t, partner, customer, lagID, hosted)
		if got.members[m[0]] != m0 || got.members[m[1]] != m1 || got.lag != lag || got.hosted != h {
			t.Fatalf("%s: members %v, LAG %s, hosted %s; want %s %s, %s, %s", when, got.members, got.lag, got.hosted, m0, m1, lag, h)
		}
	}
	check("at first", up, up, types.LagStateAvailable, up)

	setPort(t, dx, m[0], "down", "down")
	check("one port down, minimumLinks 2", down, up, types.LagStateDown, down)
	// The connection's own view agrees, and the change is the operator's.
	if got := describe(t, partner, m[0]).ConnectionState; got != down {
		t.Errorf("DescribeConnections: %s", got)
	}
	for id, want := range map[string]string{
		m[0]:   "available -> down by operator port-down",
		lagID:  "available -> down by operator port-down",
		hosted: "available -> down by operator port-down",
	} {
		if got := lastChange(t, dx, id); got != want {
			t.Errorf("%s: last change %q, want %q", id, got, want)
		}
	}
	setPort(t, dx, m[0], "up", "available")
	check("port back", up, up, types.LagStateAvailable, up)
	if got := lastChange(t, dx, hosted); got != "down -> available by operator port-up" {
		t.Errorf("hosted: last change %q", got)
	}

	// With minimumLinks 1 the LAG carries on with one member.
	if _, err := partner.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String(lagID), MinimumLinks: 1}); err != nil {
		t.Fatal(err)
	}
	setPort(t, dx, m[1], "down", "down")
	check("one port down, minimumLinks 1", up, down, types.LagStateAvailable, up)
	setPort(t, dx, m[0], "down", "down")
	check("both ports down", down, down, types.LagStateDown, down)
	setPort(t, dx, m[1], "up", "available")
	check("one back", down, up, types.LagStateAvailable, up)
	setPort(t, dx, m[0], "up", "available")
	check("both back", up, up, types.LagStateAvailable, up)

	// Raising minimumLinks while a member is down takes the LAG down at once.
	setPort(t, dx, m[0], "down", "down")
	if out, err := partner.UpdateLag(ctx, &directconnect.UpdateLagInput{LagId: aws.String(lagID), MinimumLinks: 2}); err != nil || out.LagState != types.LagStateDown {
		t.Fatalf("minimumLinks 2 with a member down: %v %v", out, err)
	}
	check("minimumLinks raised", down, up, types.LagStateDown, down)
}

func TestPortDownTakesAnInterconnectAndItsHostedConnectionsDown(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	ic := aws.ToString(newInterconnect(t, partner, "10Gbps").InterconnectId)
	hosted := aws.ToString(allocate(t, partner, ic, account2, "1Gbps", 10).ConnectionId)
	confirm(t, customer, hosted)
	ordering := aws.ToString(allocate(t, partner, ic, account2, "1Gbps", 11).ConnectionId)

	setPort(t, dx, ic, "down", "down")
	if got := describeInterconnect(t, partner, ic).InterconnectState; got != types.InterconnectStateDown {
		t.Errorf("interconnect: %s", got)
	}
	if got := describe(t, customer, hosted).ConnectionState; got != types.ConnectionStateDown {
		t.Errorf("hosted, as its customer sees it: %s", got)
	}
	if got, _ := listed(hostedOf(t, partner, ic), hosted); got.ConnectionState != types.ConnectionStateDown {
		t.Errorf("hosted, as the partner sees it: %s", got.ConnectionState)
	}
	// An ordering one waits for its customer, whatever the port does; once
	// confirmed on a down interconnect it is down.
	if got := describe(t, customer, ordering).ConnectionState; got != types.ConnectionStateOrdering {
		t.Errorf("ordering one: %s", got)
	}
	confirm(t, customer, ordering)
	if got := describe(t, customer, ordering).ConnectionState; got != types.ConnectionStateDown {
		t.Errorf("confirmed on a down interconnect: %s", got)
	}

	setPort(t, dx, ic, "up", "available")
	for _, id := range []string{hosted, ordering} {
		if got := describe(t, customer, id).ConnectionState; got != types.ConnectionStateAvailable {
			t.Errorf("%s after the port came back: %s", id, got)
		}
	}

	// What the operator API refuses.
	if out := operate(t, dx, "/_dxlab/v1/ports/"+hosted+"/down", 400); !containsText(out, "hosted connection") {
		t.Errorf("port down on a hosted connection: %v", out)
	}
	operate(t, dx, "/_dxlab/v1/ports/dxcon-fzzzzzzz/down", 404)
	operate(t, dx, "/_dxlab/v1/devices/EqDC2-nosuchdevice/down", 404)
}

// containsText says whether an operator answer mentions s.
func containsText(out map[string]any, s string) bool { return strings.Contains(fmt.Sprint(out), s) }

// A device down (maintenance) takes down everything with a port on it, and
// nothing else; back up, all comes back but a port taken down on its own.
func TestDeviceDownAndUp(t *testing.T) {
	// Where everything lands is fixed by the ports: the LAG of three 10G
	// fills a; 1G ports are only on a, 100G only on b, and a has no 10G
	// left for the last connection.
	const devA, devB = "TstA1-aaaaaaaaaaaa", "TstA1-bbbbbbbbbbbb"
	dx := dxlabtest.New(t, dxlabtest.Options{Locations: smallCatalog(t,
		facility.Device{ID: devA, Ports: map[string]int{"10G": 3, "1G": 2}}, facility.Device{ID: devB, Ports: map[string]int{"10G": 2, "100G": 1}})})
	partner, customer := dx.DirectConnect(account, region), dx.DirectConnect(account2, region)
	l, err := partner.CreateLag(ctx, lagInput("TstA1", "10Gbps", 3))
	if err != nil {
		t.Fatal(err)
	}
	lagID := aws.ToString(l.LagId)
	ic, err := partner.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{Location: aws.String("TstA1"), Bandwidth: aws.String("1Gbps"), InterconnectName: aws.String("ic")})
	if err != nil {
		t.Fatal(err)
	}
	icID := aws.ToString(ic.InterconnectId)
	onIC := aws.ToString(allocate(t, partner, icID, account2, "500Mbps", 10).ConnectionId)
	onLag := aws.ToString(allocate(t, partner, lagID, account2, "1Gbps", 10).ConnectionId)
	for _, h := range []string{onIC, onLag} {
		confirm(t, customer, h)
	}
	onDev := map[string]string{}
	for _, bw := range []string{"1Gbps", "10Gbps", "100Gbps"} {
		c, err := createAt(customer, "TstA1", bw)
		if err != nil {
			t.Fatal(err)
		}
		onDev[aws.ToString(c.ConnectionId)] = aws.ToString(c.AwsDevice)
	}
	if got := []string{aws.ToString(l.AwsDevice), aws.ToString(ic.AwsDevice)}; got[0] != devA || got[1] != devA {
		t.Fatalf("LAG and interconnect on %v, want both on %s", got, devA)
	}

	check := func(when string, aDown bool) {
		t.Helper()
		want := func(dev string) types.ConnectionState {
			if dev == devA && aDown {
				return types.ConnectionStateDown
			}
			return types.ConnectionStateAvailable
		}
		for id, dev := range onDev {
			if got := describe(t, customer, id).ConnectionState; got != want(dev) {
				t.Errorf("%s: connection %s on %s is %s", when, id, dev, got)
			}
		}
		if got := describeInterconnect(t, partner, icID).InterconnectState; string(got) != string(want(devA)) {
			t.Errorf("%s: interconnect is %s", when, got)
		}
		lagWant := types.LagStateAvailable
		if aDown {
			lagWant = types.LagStateDown
		}
		if got := describeLag(t, partner, lagID).LagState; got != lagWant {
			t.Errorf("%s: LAG is %s", when, got)
		}
		for _, h := range []string{onIC, onLag} {
			if got := describe(t, customer, h).ConnectionState; got != want(devA) {
				t.Errorf("%s: hosted connection %s is %s", when, h, got)
			}
		}
	}

	// On a: the LAG's three members, the interconnect, the 1G connection.
	if out := operate(t, dx, "/_dxlab/v1/devices/"+devA+"/down", 200); out["changed"] != float64(5) || out["down"] != true {
		t.Errorf("device down answered %v, want 5 changed", out)
	}
	check("device down", true)
	if got := lastChange(t, dx, lagID); got != "available -> down by operator device-down" {
		t.Errorf("LAG: last change %q", got)
	}
	if out := operate(t, dx, "/_dxlab/v1/devices/"+devA+"/down", 200); out["changed"] != float64(0) {
		t.Errorf("device down again answered %v", out)
	}
	member := memberIDs(types.Lag{Connections: l.Connections})[0]
	setPort(t, dx, member, "down", "down")

	operate(t, dx, "/_dxlab/v1/devices/"+devA+"/up", 200)
	check("device up", false)
	// The port taken down on its own stays down.
	if got := describe(t, partner, member).ConnectionState; got != types.ConnectionStateDown {
		t.Errorf("member whose port is down, after the device came back: %s", got)
	}
	setPort(t, dx, member, "up", "available")
}

// The cross-connect operator action completes a pending cross-connect; it
// refuses before AWS has approved the request, and when there is none.
func TestCrossConnectAction(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	c := dx.DirectConnect(account, region)
	id := aws.ToString(create(t, c, "manual").ConnectionId)
	path := "/_dxlab/v1/resources/" + id + "/cross-connect"
	if out := operate(t, dx, path, 409); !containsText(out, "connection.approve") {
		t.Errorf("before approval: %v", out)
	}
	fireStep(t, dx, id, "connection.approve")
	// The port is taken down before the cross-connect is done: the link
	// does not come up with it.
	setPort(t, dx, id, "down", "pending")
	operate(t, dx, path, 200)
	if got := describe(t, c, id).ConnectionState; got != types.ConnectionStateDown {
		t.Fatalf("cross-connected with the port down: %s", got)
	}
	if got := lastChange(t, dx, id); got != "pending -> down by operator connection.cross-connect" {
		t.Errorf("last change %q", got)
	}
	setPort(t, dx, id, "up", "available")
	operate(t, dx, path, 404)
	operate(t, dx, "/_dxlab/v1/resources/dxcon-fzzzzzzz/cross-connect", 404)

	// A LAG's members are cross-connected one by one.
	l := newLag(t, c, 2, "10Gbps")
	for _, m := range memberIDs(types.Lag{Connections: l.Connections}) {
		fireStep(t, dx, m, "connection.approve")
	}
	lagID := aws.ToString(l.LagId)
	m := memberIDs(types.Lag{Connections: l.Connections})
	operate(t, dx, "/_dxlab/v1/resources/"+m[0]+"/cross-connect", 200)
	if got := describeLag(t, c, lagID).LagState; got != types.LagStateAvailable {
		t.Errorf("one member up: LAG %s", got)
	}
	operate(t, dx, "/_dxlab/v1/resources/"+lagID+"/cross-connect", 404)
}

// A LAG whose members are half provisioned when dxlab stops finishes
// provisioning after it starts again on the same data.
func TestRestartInTheMiddleOfALagsProvisioning(t *testing.T) {
	dir := t.TempDir()
	first := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic, DataDir: dir})
	c := first.DirectConnect(account, region)
	l := newLag(t, c, 2, "10Gbps")
	id := aws.ToString(l.LagId)
	first.Advance(facility.RealisticAWSStaff)
	got := describeLag(t, c, id)
	if got.LagState != types.LagStatePending || got.Connections[0].ConnectionState != types.ConnectionStatePending {
		t.Fatalf("before the restart: LAG %s, member %s", got.LagState, got.Connections[0].ConnectionState)
	}
	first.Stop()

	second := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Realistic, DataDir: dir, Clock: first.Clock})
	c = second.DirectConnect(account, region)
	if got := describeLag(t, c, id); got.LagState != types.LagStatePending || len(got.Connections) != 2 {
		t.Fatalf("after the restart: %s with %d members", got.LagState, len(got.Connections))
	}
	second.Advance(facility.RealisticTechnician)
	got = describeLag(t, c, id)
	if got.LagState != types.LagStateAvailable {
		t.Fatalf("the LAG did not finish provisioning after the restart: %s", got.LagState)
	}
	for _, m := range got.Connections {
		if m.ConnectionState != types.ConnectionStateAvailable {
			t.Errorf("member %s: %s", aws.ToString(m.ConnectionId), m.ConnectionState)
		}
	}
}
