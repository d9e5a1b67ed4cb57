// Package archtest checks the boundaries between dxlab's layers by their
// imports, so that they hold as the code grows.
package archtest

import (
	"errors"
	"fmt"
	"os/exec"
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
		{"internal/interconnect", []string{"net/http", "database/sql", module + "internal/protocol", module + "internal/store/"},
			"the service layer knows the rules, not the wire or the database"},
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
