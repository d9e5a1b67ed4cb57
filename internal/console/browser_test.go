package console_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/directconnect/types"
	"github.com/chromedp/chromedp"

	"github.com/dxlab/dxlab/dxlabtest"
)

// The console tests drive a real Chromium, the way a person would: they
// open GET /_dxlab/ and follow its link, wait for what the page shows
// (never for a time), press the console's buttons, and check what every
// account sees through the AWS SDK. They skip without a Chromium: set
// DXLAB_CHROMIUM, or have chromium on the PATH (.ci/run installs Debian's).
// Screenshots go to DXLAB_ARTIFACTS when it is set.

const (
	partnerAccount  = "111111111111"
	customerAccount = "222222222222"
	region          = "us-east-1"
)

func chromium(t *testing.T) string {
	if p := os.Getenv("DXLAB_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium: install Debian's chromium or set DXLAB_CHROMIUM to run the console's browser tests")
	return ""
}

// browser is a headless Chromium with one tab; it collects what the page
// logs as an error (an exception, console.error, a refused request).
type browser struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser { return newBrowserSized(t, 1600, 1000) }

// newBrowserSized is a browser with a window of width × height pixels.
func newBrowserSized(t *testing.T, width, height int) *browser {
	exe := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
		chromedp.WindowSize(width, height), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	b := &browser{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", exe, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException {
				b.mu.Lock()
				b.errors = append(b.errors, m.String())
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, e := range b.errors {
			t.Errorf("the console's page logged an error: %s", e)
		}
	})
	return b
}

// run runs actions, failing the test with what it was waiting for.
func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			html, _ := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: the page never showed it (30 s); main was:\n%s", what, html)
		}
		t.Fatalf("%s: %v", what, err)
	}
}

// text reads an element's text.
func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return s
}

func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("DXLAB_ARTIFACTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitText waits until the element sel selects shows every one of wants:
// the page redraws its tables as the world changes, so a row is read where
// it is, not kept.
func (b *browser) waitText(t *testing.T, sel string, wants ...string) {
	t.Helper()
	js, _ := json.Marshal(wants)
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && %s.every((w) => e.textContent.includes(w)); })()`, sel, js)
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr)); err != nil {
		got, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || "(none)"`, sel)))
		t.Fatalf("%s never showed %q: it shows %q (%v)", sel, wants, got, err)
	}
}

// giveToken answers the console's request for the operator token, which it
// makes before its first change.
func giveToken(token string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`#token-dialog[open] #token`)),
		chromedp.SetValue(chromedp.CSS(`#token`), token),
		chromedp.Click(chromedp.CSS(`#token-dialog button[value="ok"]`)),
	)
}

// void runs an action for its effect alone.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// css is a CSS selector for chromedp.
func css(format string, args ...any) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(format, args...)) }

// node selects a resource's node in the topology, in a state if one is
// given.
func node(id, state string) chromedp.CSS {
	sel := fmt.Sprintf(`#topology g.node[data-id=%q]`, id)
	if state != "" {
		sel += fmt.Sprintf(`[data-state=%q]`, state)
	}
	return chromedp.CSS(sel)
}

// world is a partner's interconnect with a hosted connection it allocated
// to a customer, and the customer's private VIF on it to a DX gateway.
type world struct {
	dx                  *dxlabtest.Instance
	partner, customer   *directconnect.Client
	ic, hosted, vif, gw string
}

func newWorld(t *testing.T) *world {
	ctx := t.Context()
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Instant})
	w := &world{dx: dx, partner: dx.DirectConnect(partnerAccount, region), customer: dx.DirectConnect(customerAccount, region)}
	ic, err := w.partner.CreateInterconnect(ctx, &directconnect.CreateInterconnectInput{
		Location: aws.String("EqDC2"), Bandwidth: aws.String("10Gbps"), InterconnectName: aws.String("partner-ic")})
	if err != nil {
		t.Fatal(err)
	}
	w.ic = aws.ToString(ic.InterconnectId)
	dx.WaitFor(w.ic, "available")
	hosted, err := w.partner.AllocateHostedConnection(ctx, &directconnect.AllocateHostedConnectionInput{
		ConnectionId: aws.String(w.ic), OwnerAccount: aws.String(customerAccount), Bandwidth: aws.String("500Mbps"),
		ConnectionName: aws.String("customer-500m"), Vlan: 101})
	if err != nil {
		t.Fatal(err)
	}
	w.hosted = aws.ToString(hosted.ConnectionId)
	if _, err := w.customer.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(w.hosted)}); err != nil {
		t.Fatal(err)
	}
	dx.WaitFor(w.hosted, "available")
	gw, err := w.customer.CreateDirectConnectGateway(ctx, &directconnect.CreateDirectConnectGatewayInput{DirectConnectGatewayName: aws.String("customer-gw")})
	if err != nil {
		t.Fatal(err)
	}
	w.gw = aws.ToString(gw.DirectConnectGateway.DirectConnectGatewayId)
	vif, err := w.customer.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(w.hosted),
		NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("customer-vif"), Vlan: 101, Asn: 65000,
			DirectConnectGatewayId: aws.String(w.gw)}})
	if err != nil {
		t.Fatal(err)
	}
	w.vif = aws.ToString(vif.VirtualInterfaceId)
	dx.WaitFor(w.vif, "available")
	return w
}

// The scenario of the console's issue: a partner → customer hosted
// connection with a VIF, found from GET /_dxlab/, drawn linked with the
// right states; "port down" on the interconnect turns it, the hosted
// connection and the VIF down in the picture and in the API, with the
// events to show for it.
func TestConsolePortDown(t *testing.T) {
	w := newWorld(t)
	b := newBrowser(t) // closed before dxlab stops

	// A new user knows only dxlab's address.
	b.run(t, "the index links to the console",
		chromedp.Navigate(w.dx.URL+"/_dxlab/"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/_dxlab/console/"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/_dxlab/console/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#topology`)),
	)
	b.run(t, "the topology shows the partner's interconnect, the customer's hosted connection and VIF, available",
		chromedp.WaitVisible(node(w.ic, "available")),
		chromedp.WaitVisible(node(w.hosted, "available")),
		chromedp.WaitVisible(node(w.vif, "available")),
		chromedp.WaitVisible(node(w.gw, "available")),
		chromedp.WaitVisible(node("dev:"+deviceOf(t, w), "")),
	)
	b.run(t, "the hosted connection is linked to the interconnect across accounts, the VIF to both its connection and its gateway",
		chromedp.WaitReady(css(`path.edge.cross[data-from=%q][data-to=%q]`, w.hosted, w.ic)),
		chromedp.WaitReady(css(`path.edge[data-from=%q][data-to=%q]`, w.vif, w.hosted)),
		chromedp.WaitReady(css(`path.edge[data-from=%q][data-to=%q]`, w.vif, w.gw)),
		chromedp.WaitReady(css(`path.edge[data-from=%q][data-to="dev:%s"]`, w.ic, deviceOf(t, w))),
	)
	b.run(t, "capacity shows the hosted allocation and its VLAN",
		chromedp.WaitVisible(css(`#hosting tr[data-resource=%q]`, w.ic)),
	)
	b.waitText(t, fmt.Sprintf(`#hosting tr[data-resource=%q]`, w.ic), "10Gbps", "500Mbps in 1", "9.5Gbps", "101")
	b.screenshot(t, "topology.png")

	// The keyboard opens a resource: focus its node, press Enter.
	b.run(t, "the interconnect's page opens from the keyboard",
		chromedp.Focus(node(w.ic, "")),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#resource`)),
		chromedp.WaitVisible(chromedp.CSS(`#resource-facts dd[data-fact="owner"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#resource button[data-action="port-down"]`)),
	)
	title, view := b.text(t, `#resource-title`), b.text(t, `#resource-view`)
	if !strings.Contains(title, w.ic) || !strings.Contains(view, `"interconnectState": "available"`) {
		t.Errorf("the resource page shows %q with view %s", title, view)
	}

	b.run(t, "press port down; the console asks for the operator token first",
		chromedp.Click(chromedp.CSS(`#resource button[data-action="port-down"]`)),
		giveToken(w.dx.OperatorToken),
		chromedp.WaitVisible(chromedp.CSS(`#action-result [data-result="ok"]`)),
	)
	b.run(t, "the interconnect, the hosted connection and the VIF turn down in the picture",
		chromedp.WaitVisible(node(w.ic, "down")),
		chromedp.WaitVisible(node(w.hosted, "down")),
		chromedp.WaitVisible(node(w.vif, "down")),
	)
	b.run(t, "the timeline and the action's result show the events",
		chromedp.WaitVisible(css(`#events li[data-resource=%q][data-to="down"]`, w.ic)),
		chromedp.WaitVisible(css(`#events li[data-resource=%q][data-to="down"]`, w.hosted)),
		chromedp.WaitVisible(css(`#events li[data-resource=%q][data-to="down"]`, w.vif)),
		chromedp.WaitVisible(css(`#action-result li[data-resource=%q][data-to="down"]`, w.vif)),
	)
	b.screenshot(t, "port-down.png")

	// What each account sees through the API.
	ctx := t.Context()
	ics, err := w.partner.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{InterconnectId: aws.String(w.ic)})
	if err != nil || len(ics.Interconnects) != 1 || ics.Interconnects[0].InterconnectState != types.InterconnectStateDown {
		t.Errorf("the partner's interconnect: %+v, %v; want down", ics, err)
	}
	hosted, err := w.partner.DescribeHostedConnections(ctx, &directconnect.DescribeHostedConnectionsInput{ConnectionId: aws.String(w.ic)})
	if err != nil || len(hosted.Connections) != 1 || hosted.Connections[0].ConnectionState != types.ConnectionStateDown {
		t.Errorf("the partner's view of the hosted connection: %+v, %v; want down", hosted, err)
	}
	conns, err := w.customer.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(w.hosted)})
	if err != nil || len(conns.Connections) != 1 || conns.Connections[0].ConnectionState != types.ConnectionStateDown {
		t.Errorf("the customer's hosted connection: %+v, %v; want down", conns, err)
	}
	vifs, err := w.customer.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: aws.String(w.vif)})
	if err != nil || len(vifs.VirtualInterfaces) != 1 || vifs.VirtualInterfaces[0].VirtualInterfaceState != types.VirtualInterfaceStateDown {
		t.Errorf("the customer's VIF: %+v, %v; want down", vifs, err)
	}

	// And back up, from the same page.
	b.run(t, "press port up: everything comes back",
		chromedp.Click(chromedp.CSS(`#resource button[data-action="port-up"]`)),
		chromedp.WaitVisible(node(w.ic, "available")),
		chromedp.WaitVisible(node(w.hosted, "available")),
		chromedp.WaitVisible(node(w.vif, "available")),
	)

	// The VIF's page: its BGP session goes down from the customer's side.
	b.run(t, "open the VIF and take its BGP session down",
		chromedp.Click(node(w.vif, "")),
		chromedp.WaitVisible(css(`#resource-facts dd[data-fact="owner"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#resource button[data-action="bgp-down"]`)),
		chromedp.Click(chromedp.CSS(`#resource button[data-action="bgp-down"]`)),
		void(chromedp.Poll[bool](`document.querySelector("#resource-view").textContent.includes('"bgpStatus": "down"')`)),
	)
	unnamed, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("button, input, select, [tabindex]")]
		.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim())
		.map((e) => e.outerHTML.slice(0, 120))`))
	if err != nil || len(unnamed) > 0 {
		t.Errorf("controls without an accessible name: %q (%v)", unnamed, err)
	}
	vifs, err = w.customer.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: aws.String(w.vif)})
	if err != nil || len(vifs.VirtualInterfaces) != 1 || len(vifs.VirtualInterfaces[0].BgpPeers) == 0 || vifs.VirtualInterfaces[0].BgpPeers[0].BgpStatus != types.BGPStatusDown {
		t.Errorf("the customer's VIF after BGP down: %+v, %v", vifs, err)
	}
}

// Under the manual profile a connection waits for people; its page fires
// each step with a button, and the picture and the API follow.
func TestConsoleFireStep(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	customer := dx.DirectConnect(customerAccount, region)
	out, err := customer.CreateConnection(t.Context(), &directconnect.CreateConnectionInput{Location: aws.String("EqDC2"), Bandwidth: aws.String("1Gbps"),
		ConnectionName: aws.String("by-hand")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ConnectionId)
	b := newBrowser(t)
	b.run(t, "the connection's page, straight from its address, offers its pending step",
		chromedp.Navigate(dx.URL+"/_dxlab/console/#/resource/"+id),
		chromedp.WaitVisible(node(id, "requested")),
		chromedp.WaitVisible(css(`#resource-steps tr[data-step="connection.approve"] button[data-action="fire"]`)),
	)
	b.run(t, "fire it: AWS approves",
		chromedp.Click(css(`#resource-steps tr[data-step="connection.approve"] button[data-action="fire"]`)),
		giveToken(dx.OperatorToken),
		chromedp.WaitVisible(node(id, "pending")),
		chromedp.WaitVisible(css(`#resource-steps tr[data-step="connection.cross-connect"] button[data-action="fire"]`)),
	)
	if got := dx.State(id); got != "pending" {
		t.Errorf("after firing the approval the API says %s", got)
	}
	b.run(t, "the technician is done: press \"Cross-connect done\"",
		chromedp.Click(css(`#resource button[data-action="cross-connect"]`)),
		chromedp.WaitVisible(node(id, "available")),
		chromedp.WaitVisible(css(`#events li[data-resource=%q][data-to="available"]`, id)),
	)
	conns, err := customer.DescribeConnections(t.Context(), &directconnect.DescribeConnectionsInput{ConnectionId: aws.String(id)})
	if err != nil || len(conns.Connections) != 1 || conns.Connections[0].ConnectionState != types.ConnectionStateAvailable {
		t.Errorf("the customer's connection: %+v, %v; want available", conns, err)
	}
}

// The customer's account sees its own side only: the partner's
// interconnect is not drawn, its hosted connection and VIF are.
func TestConsoleAccountPicker(t *testing.T) {
	w := newWorld(t)
	b := newBrowser(t) // closed before dxlab stops
	b.run(t, "open the console",
		chromedp.Navigate(w.dx.URL+"/_dxlab/console/"),
		chromedp.WaitVisible(node(w.ic, "available")),
	)
	b.run(t, "the account picker offers the customer",
		chromedp.WaitReady(css(`#account option[value=%q]`, customerAccount)),
	)
	b.run(t, "pick the customer",
		chromedp.SetValue(chromedp.CSS(`#account`), customerAccount),
		void(chromedp.Evaluate[bool](`document.querySelector("#account").dispatchEvent(new Event("change"))`)),
		chromedp.WaitNotPresent(node(w.ic, "")),
		chromedp.WaitVisible(node(w.hosted, "available")),
		chromedp.WaitVisible(node(w.vif, "available")),
	)
	b.run(t, "pick the region: the customer's quotas show",
		chromedp.SetValue(chromedp.CSS(`#region`), region),
		void(chromedp.Evaluate[bool](`document.querySelector("#region").dispatchEvent(new Event("change"))`)),
		chromedp.WaitVisible(css(`#quotas tr[data-quota="vifs-per-hosted-connection"].full`)),
	)
	b.waitText(t, `#quotas tr[data-quota="vifs-per-hosted-connection"]`, "1 / 1", w.hosted)
	b.waitText(t, `#quotas tr[data-quota="gateways-per-account"]`, "1 / 200")
	b.run(t, "the clock advances from its control, with the operator token",
		chromedp.SetValue(chromedp.CSS(`#advance-by`), "2h"),
		chromedp.Click(chromedp.CSS(`#advance`)),
		giveToken(w.dx.OperatorToken),
		chromedp.WaitVisible(chromedp.CSS(`#action-result [data-result="ok"]`)),
	)
	clock := b.text(t, `#clock`)
	b.run(t, "the partner portal makes a proposal for the customer",
		chromedp.SetValue(chromedp.CSS(`#propose-account`), customerAccount),
		chromedp.Click(chromedp.CSS(`#propose-form button[type="submit"]`)),
		void(chromedp.Poll[bool](`document.querySelector("#action-result").textContent.includes("Partner proposal: done.")`)),
	)
	if got := b.text(t, `#action-result`); !strings.Contains(got, "Partner proposal: done.") || !strings.Contains(got, `"activationKey": "`) {
		t.Errorf("the proposal's result: %s", got)
	}
	want := dxlabtest.Start.Add(2 * time.Hour).UTC().Format("2006-01-02 15")
	if !strings.HasPrefix(clock, want) {
		t.Errorf("the clock shows %q after advancing 2h from %s", clock, dxlabtest.Start)
	}
}

func deviceOf(t *testing.T, w *world) string {
	t.Helper()
	d, err := w.dx.OperatorClient().Detail(t.Context(), w.ic)
	if err != nil || d.Device == "" {
		t.Fatalf("the interconnect's device: %+v, %v", d, err)
	}
	return d.Device
}

// The whole picture: a partner's LAG of two members and its interconnect,
// hosted connections on both for two customers, their VIFs, a Direct
// Connect gateway associated with a VGW. Every resource is drawn, each
// link where the API says it is. Its screenshot is the README's.
func TestConsoleWholeWorld(t *testing.T) {
	ctx := t.Context()
	w := newWorld(t)
	dx := w.dx
	const customerB = "333333333333"
	other := dx.DirectConnect(customerB, region)

	lag, err := w.partner.CreateLag(ctx, &directconnect.CreateLagInput{Location: aws.String("EqDC2"), ConnectionsBandwidth: aws.String("10Gbps"),
		NumberOfConnections: 2, LagName: aws.String("partner-lag")})
	if err != nil {
		t.Fatal(err)
	}
	lagID := aws.ToString(lag.LagId)
	dx.WaitFor(lagID, "available")
	onLag, err := w.partner.AllocateHostedConnection(ctx, &directconnect.AllocateHostedConnectionInput{ConnectionId: aws.String(lagID),
		OwnerAccount: aws.String(customerB), Bandwidth: aws.String("1Gbps"), ConnectionName: aws.String("customer-b-1g"), Vlan: 202})
	if err != nil {
		t.Fatal(err)
	}
	hostedB := aws.ToString(onLag.ConnectionId)
	if _, err := other.ConfirmConnection(ctx, &directconnect.ConfirmConnectionInput{ConnectionId: aws.String(hostedB)}); err != nil {
		t.Fatal(err)
	}
	dx.WaitFor(hostedB, "available")
	vifB, err := other.CreatePrivateVirtualInterface(ctx, &directconnect.CreatePrivateVirtualInterfaceInput{ConnectionId: aws.String(hostedB),
		NewPrivateVirtualInterface: &types.NewPrivateVirtualInterface{VirtualInterfaceName: aws.String("customer-b-vif"), Vlan: 202, Asn: 65001,
			VirtualGatewayId: aws.String("vgw-0bbb1111")}})
	if err != nil {
		t.Fatal(err)
	}
	assoc, err := w.customer.CreateDirectConnectGatewayAssociation(ctx, &directconnect.CreateDirectConnectGatewayAssociationInput{
		DirectConnectGatewayId: aws.String(w.gw), VirtualGatewayId: aws.String("vgw-0aaa2222")})
	if err != nil {
		t.Fatal(err)
	}
	assocID := aws.ToString(assoc.DirectConnectGatewayAssociation.AssociationId)
	dx.WaitFor(assocID, "associated")
	lagMembers, err := w.partner.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowserSized(t, 1920, 1000) // wide enough for every column
	b.run(t, "open the console",
		chromedp.Navigate(dx.URL+"/_dxlab/console/?region="+region),
		chromedp.WaitVisible(node(w.vif, "available")),
		chromedp.WaitVisible(node(lagID, "available")),
		chromedp.WaitVisible(node(hostedB, "available")),
		chromedp.WaitVisible(node(aws.ToString(vifB.VirtualInterfaceId), "")),
		chromedp.WaitVisible(node(assocID, "associated")),
		chromedp.WaitVisible(node("vgw-0aaa2222", "available")),
		chromedp.WaitVisible(node("vgw-0bbb1111", "available")),
	)
	links := [][2]string{{hostedB, lagID}, {aws.ToString(vifB.VirtualInterfaceId), hostedB}, {aws.ToString(vifB.VirtualInterfaceId), "vgw-0bbb1111"},
		{assocID, w.gw}, {assocID, "vgw-0aaa2222"}}
	for _, c := range lagMembers.Connections {
		if aws.ToString(c.LagId) == lagID {
			links = append(links, [2]string{aws.ToString(c.ConnectionId), lagID})
		}
	}
	if len(links) != 7 {
		t.Fatalf("the partner's LAG has %d members, want 2", len(links)-5)
	}
	for _, l := range links {
		b.run(t, fmt.Sprintf("a link from %s to %s", l[0], l[1]), chromedp.WaitReady(css(`path.edge[data-from=%q][data-to=%q]`, l[0], l[1])))
	}
	b.run(t, "the LAG's capacity: two members of 10Gbps, 1Gbps hosted on VLAN 202",
		chromedp.WaitVisible(css(`#hosting tr[data-resource=%q]`, lagID)))
	b.waitText(t, fmt.Sprintf(`#hosting tr[data-resource=%q]`, lagID), "20Gbps (2 × 10Gbps)", "1Gbps in 1", "19Gbps", "202")
	b.screenshot(t, "console.png") // the README's: DXLAB_ARTIFACTS=docs refreshes it
}

// An AWS Interconnect connection hangs off its Direct Connect gateway; under
// manual it waits for the partner's portal, which its page activates.
func TestConsoleInterconnect(t *testing.T) {
	dx := dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Manual})
	gw, err := dx.DirectConnect(customerAccount, region).CreateDirectConnectGateway(t.Context(),
		&directconnect.CreateDirectConnectGatewayInput{DirectConnectGatewayName: aws.String("multicloud")})
	if err != nil {
		t.Fatal(err)
	}
	gwID := aws.ToString(gw.DirectConnectGateway.DirectConnectGatewayId)
	dx.Fire(gwID)
	dx.WaitFor(gwID, "available")
	icCall := func(op string, in map[string]any) map[string]any {
		t.Helper()
		body, _ := json.Marshal(in)
		resp, data := dx.Raw("POST", "/", map[string]string{"Authorization": dxlabtest.SigV4(customerAccount, region, "interconnect"),
			"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "Interconnect." + op}, body)
		var out map[string]any
		if err := json.Unmarshal(data, &out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", op, resp.StatusCode, data)
		}
		return out
	}
	created := icCall("CreateConnection", map[string]any{"environmentId": "mce-aws-gcp-iad", "bandwidth": "1Gbps",
		"attachPoint": map[string]any{"directConnectGateway": gwID}})
	conn, _ := created["connection"].(map[string]any)
	id, _ := conn["id"].(string)
	if id == "" || conn["state"] != "requested" {
		t.Fatalf("CreateConnection answered %v", created)
	}

	b := newBrowser(t)
	b.run(t, "the connection hangs off its gateway, requested",
		chromedp.Navigate(dx.URL+"/_dxlab/console/"),
		chromedp.WaitVisible(node(id, "requested")),
		chromedp.WaitReady(css(`path.edge[data-from=%q][data-to=%q]`, id, gwID)),
	)
	b.run(t, "its page activates the key at the partner's portal",
		chromedp.Click(node(id, "")),
		chromedp.WaitVisible(css(`#resource button[data-action="activate"]`)),
		chromedp.Click(css(`#resource button[data-action="activate"]`)),
		giveToken(dx.OperatorToken),
		chromedp.WaitVisible(node(id, "pending")),
	)
	got := icCall("GetConnection", map[string]any{"identifier": id})
	if c, _ := got["connection"].(map[string]any); c["state"] != "pending" {
		t.Errorf("GetConnection after the portal took the key: %v", got)
	}
}
