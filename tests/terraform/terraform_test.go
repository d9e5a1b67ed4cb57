// Package terraform_test runs the real AWS provider, through OpenTofu, against
// dxlab: every configuration in this directory is applied, planned again
// (no changes), changed in place, imported, planned again (no changes) and
// destroyed against a fresh dxlab, which must then hold nothing alive.
//
// It needs the tools run.sh builds: DXLAB_TOFU (the tofu binary) and
// DXLAB_TF_MIRROR (a filesystem mirror holding the AWS provider). Without
// them it skips, so `go test ./...` needs only Go.
//
//	bash tests/terraform/run.sh                      # builds the tools once, runs all
//	DXLAB_TOFU=... DXLAB_TF_MIRROR=... go test ./tests/terraform/ -run 'TestTerraform/macsec' -v
//
// DXLAB_TF_WORKDIR keeps each scenario's working directory (configuration,
// state, dxlab's log, and TF_LOG output when DXLAB_TF_LOG names a level)
// under that directory instead of a temporary one.
package terraform_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/dxlab/dxlab/dxlabtest"
)

// region is where every configuration works.
const region = "us-east-1"

// A scenario is a directory of configuration: main.tf, applied first, and
// update.tfvars, the variables of its in-place change.
type scenario struct {
	dir string
	// accounts are the accounts its providers sign as (the access keys).
	accounts []string
	// noImport names importable resources that are not imported, and why:
	// the provider cannot read back an argument they were created with, so
	// an imported one would plan a change whatever the API answers.
	noImport map[string]string
}

// scenarios, longest first (the transit gateways' deletion takes the
// provider two minutes), so that two at a time finish together.
var scenarios = []scenario{
	{dir: "gateway_proposal", accounts: []string{"111111111111", "222222222222"}, noImport: map[string]string{
		"aws_dx_gateway_association.vgw": "proposal_id is what the association was accepted from; the provider cannot read it back",
		"aws_dx_gateway_association.tgw": "proposal_id is what the association was accepted from; the provider cannot read it back",
	}},
	{dir: "transit_vif", accounts: []string{"111122223333"}},
	{dir: "connections", accounts: []string{"111122223333"}, noImport: map[string]string{
		"aws_dx_lag.core": "connection_id is an argument of CreateLag only; the provider cannot read it back (its own import test ignores it)",
	}},
	{dir: "hosted_vifs", accounts: []string{"111111111111", "222222222222"}},
	{dir: "private_vif", accounts: []string{"111122223333"}},
	{dir: "hosted_connection", accounts: []string{"111111111111", "222222222222"}, noImport: map[string]string{
		"aws_dx_lag.partner": "connection_id is an argument of CreateLag only; the provider cannot read it back (its own import test ignores it)",
	}},
	{dir: "public_vif", accounts: []string{"111122223333"}},
	{dir: "macsec", accounts: []string{"111122223333"}, noImport: map[string]string{
		"aws_dx_connection.encrypted":           "request_macsec is an argument of CreateConnection only; an imported connection reads false (the provider's import test ignores it)",
		"aws_dx_macsec_key_association.ckn_cak": "the CAK is never read back (the provider's import test ignores it)",
	}},
}

// importID gives, for each resource type the provider can import, the id
// an import block takes, from the resource's attributes in the state.
var importID = map[string]func(attrs map[string]any) string{
	"aws_dx_connection": attr("id"),
	"aws_dx_lag":        attr("id"),
	"aws_dx_gateway":    attr("id"),
	"aws_dx_gateway_association": func(a map[string]any) string {
		return attr("dx_gateway_id")(a) + "/" + attr("associated_gateway_id")(a)
	},
	"aws_dx_gateway_association_proposal":              attr("id"),
	"aws_dx_private_virtual_interface":                 attr("id"),
	"aws_dx_public_virtual_interface":                  attr("id"),
	"aws_dx_transit_virtual_interface":                 attr("id"),
	"aws_dx_hosted_private_virtual_interface":          attr("id"),
	"aws_dx_hosted_public_virtual_interface":           attr("id"),
	"aws_dx_hosted_transit_virtual_interface":          attr("id"),
	"aws_dx_hosted_private_virtual_interface_accepter": attr("id"),
	"aws_dx_hosted_public_virtual_interface_accepter":  attr("id"),
	"aws_dx_hosted_transit_virtual_interface_accepter": attr("id"),
	"aws_dx_macsec_key_association":                    attr("id"),
	"aws_vpn_gateway":                                  attr("id"),
	"aws_ec2_transit_gateway":                          attr("id"),
}

func attr(name string) func(map[string]any) string {
	return func(a map[string]any) string { s, _ := a[name].(string); return s }
}

// commandTimeout bounds one tofu command; the provider's own waiters give up
// after 10 minutes (30 for gateway associations), far beyond what dxlab's
// instant profile needs.
const commandTimeout = 15 * time.Minute

func TestTerraform(t *testing.T) {
	tofu, mirror := os.Getenv("DXLAB_TOFU"), os.Getenv("DXLAB_TF_MIRROR")
	if tofu == "" || mirror == "" {
		t.Skip("the Terraform suite needs OpenTofu and the AWS provider: set DXLAB_TOFU and DXLAB_TF_MIRROR, " +
			"or run tests/terraform/run.sh, which builds both once and caches them")
	}
	if _, err := os.Stat(tofu); err != nil {
		t.Fatalf("DXLAB_TOFU: %v", err)
	}
	if _, err := os.Stat(mirror); err != nil {
		t.Fatalf("DXLAB_TF_MIRROR: %v", err)
	}
	cliConfig := filepath.Join(t.TempDir(), "tofu.rc")
	// The mirror is the only source: tofu init never goes to a registry.
	rc := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %s\n  }\n}\n", strconv.Quote(mirror))
	if err := os.WriteFile(cliConfig, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		timings []string
	)
	start := time.Now()
	t.Cleanup(func() {
		slices.Sort(timings)
		t.Logf("timings (the suite took %s):\n%s", time.Since(start).Round(time.Second), strings.Join(timings, "\n"))
	})
	for _, sc := range scenarios {
		t.Run(sc.dir, func(t *testing.T) {
			t.Parallel()
			r := newRun(t, tofu, cliConfig, sc)
			defer func() { // also when the scenario fails
				mu.Lock()
				timings = append(timings, r.timings())
				mu.Unlock()
			}()
			r.scenario()
		})
	}
}

// run is one scenario against its own dxlab.
type run struct {
	t       *testing.T
	sc      scenario
	dx      *dxlabtest.Instance
	tofu    string
	work    string
	env     []string
	dxlog   string
	varFile []string // -var-file=update.tfvars once the change is applied
	steps   []step
}

type step struct {
	name string
	took time.Duration
}

func newRun(t *testing.T, tofu, cliConfig string, sc scenario) *run {
	work := t.TempDir()
	if keep := os.Getenv("DXLAB_TF_WORKDIR"); keep != "" {
		work = filepath.Join(keep, sc.dir)
		if err := os.RemoveAll(work); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(work, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r := &run{t: t, sc: sc, tofu: tofu, work: work, dxlog: filepath.Join(work, "dxlab.log")}
	logFile, err := os.Create(r.dxlog)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	// Registered after the log file's cleanup, so it runs first: dxlab stops
	// before its log is closed.
	r.dx = dxlabtest.New(t, dxlabtest.Options{Profile: dxlabtest.Instant, Log: logFile})
	copyConfig(t, sc.dir, work)
	r.env = tofuEnv(cliConfig, work, r.dx.URL)
	t.Cleanup(func() {
		if t.Failed() {
			r.reportFailedRequests()
		}
	})
	return r
}

// scenario is the whole sequence.
func (r *run) scenario() {
	r.must("init", "init", "-input=false")
	r.applied("apply", `Resources: [1-9][0-9]* added, 0 changed, 0 destroyed\.`, "apply", "-auto-approve", "-input=false")
	r.planClean("plan")

	if _, err := os.Stat(filepath.Join(r.work, "update.tfvars")); err == nil {
		r.varFile = []string{"-var-file=update.tfvars"}
		// In place: nothing added or destroyed (a replacement would be both).
		r.applied("apply update", `Resources: 0 added, [1-9][0-9]* changed, 0 destroyed\.`, r.with("apply", "-auto-approve", "-input=false")...)
		r.planClean("plan after update")
	}

	r.importAll()

	live := r.resources()
	r.must("destroy", r.with("destroy", "-auto-approve", "-input=false")...)
	if left := r.resources(); len(left) > 0 {
		r.t.Errorf("the state still holds %d resources after destroy: %v", len(left), slices.Sorted(maps.Keys(left)))
	}
	r.checkNothingLeft(live)
}

// importAll removes every importable resource from the state and imports it
// again by id, with import blocks, as one apply that must import them and
// change nothing; the plan that follows must change nothing either.
func (r *run) importAll() {
	all := r.resources()
	for addr := range r.sc.noImport {
		if _, ok := all[addr]; !ok {
			r.t.Errorf("noImport names %s, which the configuration does not have", addr)
		}
	}
	var addrs []string
	var blocks strings.Builder
	for _, addr := range slices.Sorted(maps.Keys(all)) {
		res := all[addr]
		idOf, ok := importID[res.Type]
		if !ok {
			continue
		}
		if why, skip := r.sc.noImport[addr]; skip {
			r.t.Logf("not imported: %s: %s", addr, why)
			continue
		}
		id := idOf(res.Values)
		if id == "" {
			r.t.Fatalf("no import id for %s", addr)
		}
		addrs = append(addrs, addr)
		fmt.Fprintf(&blocks, "import {\n  to = %s\n  id = %s\n}\n\n", addr, strconv.Quote(id))
	}
	if len(addrs) == 0 {
		return
	}
	r.must("state rm", append([]string{"state", "rm"}, addrs...)...)
	imports := filepath.Join(r.work, "imports.tf")
	if err := os.WriteFile(imports, []byte(blocks.String()), 0o644); err != nil {
		r.t.Fatal(err)
	}
	r.applied("import", fmt.Sprintf(`Resources: %d imported, 0 added, 0 changed, 0 destroyed\.`, len(addrs)), r.with("apply", "-auto-approve", "-input=false")...)
	if err := os.Remove(imports); err != nil {
		r.t.Fatal(err)
	}
	r.t.Logf("imported %d resources: %s", len(addrs), strings.Join(addrs, ", "))
	r.planClean("plan after import")
}

// applied runs an apply whose summary must match want.
func (r *run) applied(name, want string, args ...string) {
	r.t.Helper()
	out := r.must(name, args...)
	if !regexp.MustCompile(want).MatchString(out) {
		r.t.Fatalf("%s: want %q in the summary:\n%s", name, want, out)
	}
}

// with adds the variable file of the in-place change, once it is applied.
func (r *run) with(args ...string) []string {
	return append(args, r.varFile...)
}

// planClean runs a plan that must find nothing to change.
func (r *run) planClean(name string) {
	r.t.Helper()
	out, code := r.tofuCmd(name, r.with("plan", "-detailed-exitcode", "-input=false")...)
	switch code {
	case 0:
	case 2:
		r.t.Fatalf("%s: the plan is not empty:\n%s", name, out)
	default:
		r.t.Fatalf("%s: tofu plan failed (exit %d):\n%s", name, code, out)
	}
}

// must runs a tofu command that must succeed.
func (r *run) must(name string, args ...string) string {
	r.t.Helper()
	out, code := r.tofuCmd(name, args...)
	if code != 0 {
		r.t.Fatalf("%s: tofu %s failed (exit %d):\n%s", name, strings.Join(args, " "), code, out)
	}
	return out
}

// tofuCmd runs tofu in the working directory and reports its output and
// exit code.
func (r *run) tofuCmd(name string, args ...string) (string, int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.t.Context(), commandTimeout)
	defer cancel()
	n := 1 // after the command: `tofu apply -no-color ...`, `tofu state rm -no-color ...`
	if args[0] == "state" {
		n = 2
	}
	args = append(args[:n:n], append([]string{"-no-color"}, args[n:]...)...)
	cmd := exec.CommandContext(ctx, r.tofu, args...)
	cmd.Dir = r.work
	cmd.Env = r.env
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err := cmd.Run()
	took := time.Since(began)
	r.steps = append(r.steps, step{name, took})
	r.t.Logf("tofu %s: %s", strings.Join(args, " "), took.Round(100*time.Millisecond))
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit) && ctx.Err() == nil:
		return out.String(), exit.ExitCode()
	default:
		r.t.Fatalf("tofu %s: %v (after %s):\n%s", strings.Join(args, " "), err, took.Round(time.Second), out.String())
		return "", -1
	}
}

// timings sums the steps by name, for the suite's summary.
func (r *run) timings() string {
	var names []string
	sum := map[string]time.Duration{}
	count := map[string]int{}
	var total time.Duration
	for _, s := range r.steps {
		if _, ok := sum[s.name]; !ok {
			names = append(names, s.name)
		}
		sum[s.name] += s.took
		count[s.name]++
		total += s.took
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-18s %7s:", r.sc.dir, total.Round(time.Second))
	for _, n := range names {
		fmt.Fprintf(&b, " %s %s", n, sum[n].Round(100*time.Millisecond))
		if count[n] > 1 {
			fmt.Fprintf(&b, " (%d)", count[n])
		}
		b.WriteString(";")
	}
	return strings.TrimSuffix(b.String(), ";")
}

// stateResource is a managed resource of the state.
type stateResource struct {
	Type   string
	Values map[string]any
}

// resources lists the managed resources in the state, by address, from
// `tofu state pull` (which needs no provider, unlike `tofu show -json`).
func (r *run) resources() map[string]stateResource {
	r.t.Helper()
	out, code := r.tofuCmd("state pull", "state", "pull")
	if code != 0 {
		r.t.Fatalf("tofu state pull failed (exit %d):\n%s", code, out)
	}
	var state struct {
		Resources []struct {
			Module    string `json:"module"`
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				IndexKey   any            `json:"index_key"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal([]byte(out), &state); err != nil {
		r.t.Fatalf("tofu state pull: %v:\n%s", err, out)
	}
	m := map[string]stateResource{}
	for _, res := range state.Resources {
		if res.Mode != "managed" {
			continue
		}
		if res.Module != "" || len(res.Instances) != 1 || res.Instances[0].IndexKey != nil {
			r.t.Fatalf("the configurations use neither modules, count nor for_each: %s.%s", res.Type, res.Name)
		}
		m[res.Type+"."+res.Name] = stateResource{Type: res.Type, Values: res.Instances[0].Attributes}
	}
	return m
}

// checkNothingLeft asks dxlab, as every account of the scenario, whether
// anything it had is still alive: connections, interconnects and LAGs not
// deleted, virtual interfaces not deleted or rejected, Direct Connect
// gateways, associations not disassociated, proposals not deleted, virtual
// private gateways and transit gateways not deleted.
func (r *run) checkNothingLeft(had map[string]stateResource) {
	r.t.Helper()
	ctx := r.t.Context()
	var alive []string
	for _, account := range r.sc.accounts {
		dc := r.dx.DirectConnect(account, region)
		conns, err := dc.DescribeConnections(ctx, &directconnect.DescribeConnectionsInput{})
		r.check(err)
		for _, c := range conns.Connections {
			if s := string(c.ConnectionState); s != "deleted" && s != "rejected" {
				alive = append(alive, fmt.Sprintf("%s sees connection %s %s", account, aws.ToString(c.ConnectionId), s))
			}
		}
		ics, err := dc.DescribeInterconnects(ctx, &directconnect.DescribeInterconnectsInput{})
		r.check(err)
		for _, i := range ics.Interconnects {
			if s := string(i.InterconnectState); s != "deleted" {
				alive = append(alive, fmt.Sprintf("%s sees interconnect %s %s", account, aws.ToString(i.InterconnectId), s))
			}
		}
		lags, err := dc.DescribeLags(ctx, &directconnect.DescribeLagsInput{})
		r.check(err)
		for _, l := range lags.Lags {
			if s := string(l.LagState); s != "deleted" {
				alive = append(alive, fmt.Sprintf("%s sees LAG %s %s", account, aws.ToString(l.LagId), s))
			}
		}
		vifs, err := dc.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{})
		r.check(err)
		for _, v := range vifs.VirtualInterfaces {
			if s := string(v.VirtualInterfaceState); s != "deleted" && s != "rejected" {
				alive = append(alive, fmt.Sprintf("%s sees virtual interface %s %s", account, aws.ToString(v.VirtualInterfaceId), s))
			}
		}
		for in := (&directconnect.DescribeDirectConnectGatewaysInput{}); ; {
			p, err := dc.DescribeDirectConnectGateways(ctx, in)
			r.check(err)
			for _, g := range p.DirectConnectGateways {
				if s := string(g.DirectConnectGatewayState); s != "deleted" {
					alive = append(alive, fmt.Sprintf("%s sees Direct Connect gateway %s %s", account, aws.ToString(g.DirectConnectGatewayId), s))
				}
			}
			if p.NextToken == nil {
				break
			}
			in.NextToken = p.NextToken
		}
		ec := ec2.NewFromConfig(r.dx.AWSConfig(account, region))
		vgws, err := ec.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{})
		r.check(err)
		for _, g := range vgws.VpnGateways {
			if s := string(g.State); s != "deleted" {
				alive = append(alive, fmt.Sprintf("%s sees virtual private gateway %s %s", account, aws.ToString(g.VpnGatewayId), s))
			}
		}
		for in := (&ec2.DescribeTransitGatewaysInput{}); ; {
			p, err := ec.DescribeTransitGateways(ctx, in)
			r.check(err)
			for _, g := range p.TransitGateways {
				if s := string(g.State); s != "deleted" {
					alive = append(alive, fmt.Sprintf("%s sees transit gateway %s %s", account, aws.ToString(g.TransitGatewayId), s))
				}
			}
			if p.NextToken == nil {
				break
			}
			in.NextToken = p.NextToken
		}
		for addr, res := range had {
			switch res.Type {
			case "aws_dx_gateway_association":
				id := attr("dx_gateway_association_id")(res.Values)
				out, err := dc.DescribeDirectConnectGatewayAssociations(ctx, &directconnect.DescribeDirectConnectGatewayAssociationsInput{AssociationId: aws.String(id)})
				r.check(err)
				for _, a := range out.DirectConnectGatewayAssociations {
					if s := string(a.AssociationState); s != "disassociated" {
						alive = append(alive, fmt.Sprintf("%s sees association %s (%s) %s", account, id, addr, s))
					}
				}
			case "aws_dx_gateway_association_proposal":
				id := attr("id")(res.Values)
				out, err := dc.DescribeDirectConnectGatewayAssociationProposals(ctx, &directconnect.DescribeDirectConnectGatewayAssociationProposalsInput{ProposalId: aws.String(id)})
				r.check(err)
				for _, p := range out.DirectConnectGatewayAssociationProposals {
					if s := string(p.ProposalState); s != "deleted" {
						alive = append(alive, fmt.Sprintf("%s sees proposal %s (%s) %s", account, id, addr, s))
					}
				}
			}
		}
	}
	// The operator's view covers every account and kind at once.
	h, err := r.dx.OperatorClient().Health(ctx)
	r.check(err)
	var counts []string
	for _, c := range h.Resources {
		counts = append(counts, fmt.Sprintf("%s %s: %d", c.Kind, c.State, c.Count))
		if strings.HasPrefix(c.Kind, "dx.") && liveStates[c.Kind] != nil && !slices.Contains(liveStates[c.Kind], c.State) {
			alive = append(alive, fmt.Sprintf("dxlab holds %d %s %s", c.Count, c.Kind, c.State))
		}
	}
	r.t.Logf("what dxlab holds after destroy: %s", strings.Join(counts, "; "))
	if len(alive) > 0 {
		r.t.Errorf("alive after destroy:\n%s", strings.Join(alive, "\n"))
	}
}

// liveStates are, per Direct Connect kind dxlab tracks, the states a
// destroyed resource may be left in.
var liveStates = map[string][]string{
	"dx.connection":                   {"deleted", "rejected"},
	"dx.interconnect":                 {"deleted"},
	"dx.lag":                          {"deleted"},
	"dx.vif":                          {"deleted", "rejected"},
	"dx.gateway":                      {"deleted"},
	"dx.gateway-association":          {"disassociated"},
	"dx.gateway-association-proposal": {"deleted"},
}

func (r *run) check(err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
}

// reportFailedRequests lists the AWS requests dxlab answered with an error,
// from its log: the first place to look when the provider gave up.
func (r *run) reportFailedRequests() {
	f, err := os.Open(r.dxlog)
	if err != nil {
		return
	}
	defer f.Close()
	var failed []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "msg=request") && strings.Contains(line, "error_code=") && !strings.Contains(line, `error_code=""`) {
			failed = append(failed, line)
		}
	}
	if len(failed) > 0 {
		r.t.Logf("dxlab answered %d requests with errors (its whole log: %s):\n%s", len(failed), r.dxlog, strings.Join(failed, "\n"))
	}
}

// tofuEnv is tofu's environment: this process's, without anything that
// would point the provider elsewhere (AWS_*, TF_*), plus the CLI
// configuration, dxlab's URL for var.endpoint, and no shared AWS files.
func tofuEnv(cliConfig, work, endpoint string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "TF_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"TF_IN_AUTOMATION=1",
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_VAR_endpoint="+endpoint,
		"CHECKPOINT_DISABLE=1",
		"AWS_CONFIG_FILE="+filepath.Join(work, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(work, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	)
	if level := os.Getenv("DXLAB_TF_LOG"); level != "" {
		env = append(env, "TF_LOG="+level, "TF_LOG_PATH="+filepath.Join(work, "tofu.log"))
	}
	return env
}

// copyConfig copies a scenario's files (not its .terraform or state, should
// someone have run tofu in the source directory) into the working directory.
func copyConfig(t *testing.T, dir, work string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tfvars")) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n == 0 {
		t.Fatalf("%s holds no configuration", dir)
	}
}
