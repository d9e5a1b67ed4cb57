// Package archtest checks the boundaries between dxlab's layers by their
// imports, so that they hold as the code grows.
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/dxlab/dxlab/"

// deps returns the packages (transitively) imported by each package of the
// module.
func deps(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-f", `{{.ImportPath}} {{join .Deps " "}}`, module+"...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		m[strings.TrimPrefix(f[0], module)] = f[1:]
	}
	return m
}

func TestMainOnlyDelegates(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, module+"cmd/dxlab").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
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
		{"internal/facility", []string{module + "internal/api/", module + "internal/protocol", module + "internal/directconnect", "net/http", "database/sql"},
			"the facility moves resources through the service's steps, on the store"},
		{"internal/smithy", []string{"net/http", module + "internal/directconnect"},
			"the generated code's runtime is wire- and service-neutral"},
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
