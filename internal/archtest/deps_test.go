// Package archtest checks the boundaries between dxlab's layers by their
// imports, so that they hold as the code grows.
package archtest

import (
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/dxlab/dxlab/"

// deps returns the packages (transitively) imported by each package of the
// module.
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out := goList(t, "-deps=false", "-f", `{{.ImportPath}} {{join .Deps " "}}`, module+"...")
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		m[strings.TrimPrefix(f[0], module)] = f[1:]
	}
	return m
}

// fataler is the part of testing.TB goList uses.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// goList runs go list with args and returns its output. A go list that fails
// fails the test: a check that cannot see the imports has checked nothing.
func goList(t fataler, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			t.Fatalf("go list %s: %v\n%s%s", strings.Join(args, " "), err, out, exit.Stderr)
		} else {
			t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return ""
	}
	return string(out)
}

func TestMainOnlyDelegates(t *testing.T) {
	out := goList(t, "-f", `{{join .Imports " "}}`, module+"cmd/dxlab")
	for _, imp := range strings.Fields(out) {
		if strings.HasPrefix(imp, module) && imp != module+"internal/cli" {
			t.Errorf("cmd/dxlab imports %s: it only hands its arguments to internal/cli", imp)
		}
	}
}

func TestLayerBoundaries(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string
		why       string
	}{
		{"internal/protocol", []string{module + "internal/directconnect", module + "internal/interconnect", module + "internal/api/", module + "internal/store", module + "internal/fault"},
			"the protocol layer knows HTTP, SigV4, JSON and CBOR, nothing of the services"},
		{"internal/directconnect", []string{"net/http", "database/sql", module + "internal/protocol", module + "internal/store/"},
			"the service layer knows the rules, not the wire or the database"},
		{"internal/interconnect", []string{"net/http", "database/sql", module + "internal/protocol", module + "internal/store/", module + "internal/directconnect"},
			"the service layer knows the rules, not the wire or the database; Interconnect reaches Direct Connect gateways through internal/gateway, never Direct Connect's internals"},
		{"internal/gateway", []string{"net/http", "database/sql", module + "internal/api/", module + "internal/protocol", module + "internal/store/", module + "internal/directconnect", module + "internal/interconnect"},
			"the gateway kind is shared by both services: it knows the resource layer and the store contract, neither service"},
		{"internal/store", []string{module + "internal/api/", module + "internal/protocol", module + "internal/directconnect", "net/http"},
			"the store knows persistence only"},
		{"internal/store/sqlite", []string{module + "internal/api/", module + "internal/protocol", module + "internal/directconnect", "net/http"},
			"the store knows persistence only"},
		{"internal/store/postgres", []string{module + "internal/api/", module + "internal/protocol", module + "internal/directconnect", "net/http"},
			"the store knows persistence only"},
		{"internal/facility", []string{module + "internal/api/", module + "internal/protocol", module + "internal/directconnect", "net/http", "database/sql"},
			"the facility moves resources through the service's steps, on the store"},
		{"internal/smithy", []string{"net/http", module + "internal/directconnect"},
			"the generated code's runtime is wire- and service-neutral"},
		{"internal/resource", []string{"net/http", "database/sql", module + "internal/api/", module + "internal/protocol", module + "internal/store/", module + "internal/directconnect", module + "internal/interconnect", module + "internal/facility"},
			"the one write path and visibility rule is shared by both services and the facility: it knows the store contract, not a backend, the wire or a service"},
		{"internal/page", []string{"net/http", "database/sql", module + "internal/api/", module + "internal/protocol", module + "internal/store", module + "internal/directconnect", module + "internal/interconnect"},
			"pagination is shared by every listing: it knows keys and tokens, not the wire, the store or a service"},
		{"internal/loa", []string{"net/http", "database/sql", module + "internal/api/", module + "internal/protocol", module + "internal/store", module + "internal/directconnect", module + "internal/interconnect"},
			"the LOA-CFA renderer turns a letter into PDF bytes: the service that asks for one knows the wire, the store and the resources"},
		{"internal/routerconfig", []string{"net/http", "database/sql", module + "internal/api/", module + "internal/protocol", module + "internal/store", module + "internal/directconnect", module + "internal/interconnect"},
			"the router catalogue and configuration renderer turns a virtual interface into text: the service that asks for one knows the wire, the store and the resources"},
		{"internal/console", []string{"database/sql", module + "internal/"},
			"the web console is files a browser runs: everything it shows and does goes through the operator API, never dxlab's internals"},
	}
	all := deps(t)
	for _, r := range rules {
		d, ok := all[r.pkg]
		if !ok {
			t.Errorf("package %s not found", r.pkg)
			continue
		}
		for _, dep := range d {
			for _, bad := range r.forbidden {
				if dep == bad || (strings.HasSuffix(bad, "/") && strings.HasPrefix(dep, bad)) || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("%s imports %s: %s", r.pkg, dep, r.why)
				}
			}
		}
	}
}

type recordingFataler struct{ failures []string }

func (*recordingFataler) Helper() {}
func (r *recordingFataler) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// A go list that fails must fail the checks, with what go list said, and
// never let them pass by skipping.
func TestGoListFailureFails(t *testing.T) {
	var r recordingFataler
	goList(&r, "-f", "{{.ImportPath}}", module+"internal/no/such/package")
	if len(r.failures) != 1 {
		t.Fatalf("a failing go list reported %d failures, want 1", len(r.failures))
	}
	// Once in the command line, again in go list's own complaint.
	if strings.Count(r.failures[0], "internal/no/such/package") < 2 {
		t.Errorf("the failure does not carry go list's stderr: %s", r.failures[0])
	}
}

// imports returns the packages each Go file of a package imports directly,
// tests left out.
func imports(t *testing.T, pkg string) map[string][]string {
	t.Helper()
	dir := strings.TrimSpace(goList(t, "-f", "{{.Dir}}", module+pkg))
	files := strings.Fields(goList(t, "-f", `{{join .GoFiles " "}}`, module+pkg))
	out := map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out[name] = append(out[name], p)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no Go files", pkg)
	}
	return out
}

// The operator API's client is public and stands alone: it is what users'
// programs import, so it carries nothing of dxlab's internals.
func TestClientStandsAlone(t *testing.T) {
	all := deps(t)
	d, ok := all["opclient"]
	if !ok {
		t.Fatal("package opclient not found")
	}
	for _, dep := range d {
		if strings.HasPrefix(dep, module) {
			t.Errorf("opclient imports %s: the public client must not depend on dxlab's internals", dep)
		}
	}
}

// The command line reaches a running dxlab only through the typed client;
// only serve.go, which starts the server, imports the server and what
// configures it, and bench.go the load tool, which starts a dxlab of its
// own to measure (or drives one over HTTP with the AWS SDK).
func TestCLIReachesDxlabThroughTheClient(t *testing.T) {
	may := map[string][]string{
		"serve.go": {module + "internal/server", module + "internal/facility", module + "internal/accounts", module + "internal/limits", module + "internal/protocol"},
		"bench.go": {module + "internal/bench"},
	}
	for file, imps := range imports(t, "internal/cli") {
		for _, imp := range imps {
			if !strings.HasPrefix(imp, module) || imp == module+"opclient" {
				continue
			}
			if slices.Contains(may[file], imp) {
				continue
			}
			t.Errorf("internal/cli/%s imports %s: commands reach dxlab through opclient; only serve.go starts the server, and bench.go the load tool", file, imp)
		}
	}
}

// The operator API drives the facility; it knows no store backend and no
// service.
func TestOperatorAPIDrivesTheFacility(t *testing.T) {
	for file, imps := range imports(t, "internal/opapi") {
		for _, imp := range imps {
			if imp == module+"internal/store/sqlite" || imp == module+"internal/directconnect" || imp == module+"internal/interconnect" {
				t.Errorf("internal/opapi/%s imports %s: the operator API drives the facility, not a backend or a service", file, imp)
			}
		}
	}
}
