// Package routerconfig knows the customer routers Direct Connect writes
// configurations for, and writes them: AWS's generic XML description of a
// virtual interface (the VIF's customerRouterConfig) and, for
// DescribeRouterConfiguration, a configuration in the router's own syntax.
//
// The router types are data (data/routers.json), exactly the nine AWS is
// known to offer; no API lists them, so the table is what Terraform's
// documentation and acceptance test show. AWS renders its configurations
// with XSLT templates it does not publish; dxlab renders its own from
// text/template files (templates/), one per vendor family, written to be a
// plausible, loadable configuration for the VIF rather than a copy of AWS's
// text. It knows nothing of the services, the store or the wire: it turns an
// Interface into text.
package routerconfig

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"text/template"
)

// Router is one router type, as DescribeRouterConfiguration and
// DescribeVirtualInterfaces' router fields report it.
type Router struct {
	ID                        string // routerTypeIdentifier, e.g. CiscoSystemsInc-2900SeriesRouters-IOS124
	Vendor                    string
	Platform                  string
	Software                  string
	XSLTTemplateName          string
	XSLTTemplateNameForMacSec string // "" for the types AWS has no MACsec template for
}

// entry is a router type as the data file holds it: the Router, and how
// dxlab renders its configuration.
type entry struct {
	Router
	template     string // the file under templates/, without .tmpl
	port         string // the physical interface the configuration is written for
	securityZone string // for firewalls: the zone the subinterface joins; "" for routers
}

//go:embed data/routers.json
var routersJSON []byte

//go:embed templates/*.tmpl
var templateFS embed.FS

// catalogue is the router types in the data file's order, and the templates
// they name; both are part of the binary, so a fault in them is a build
// fault, and loading panics (the tests load them).
var catalogue, templates = load()

func load() ([]entry, *template.Template) {
	tmpl := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.tmpl"))

	var file struct {
		Comment string `json:"_comment"`
		Routers []struct {
			ID                        string `json:"routerTypeIdentifier"`
			Vendor                    string `json:"vendor"`
			Platform                  string `json:"platform"`
			Software                  string `json:"software"`
			XSLTTemplateName          string `json:"xsltTemplateName"`
			XSLTTemplateNameForMacSec string `json:"xsltTemplateNameForMacSec"`
			Template                  string `json:"template"`
			Port                      string `json:"port"`
			SecurityZone              string `json:"securityZone"`
		} `json:"routers"`
	}
	dec := json.NewDecoder(bytes.NewReader(routersJSON))
	dec.DisallowUnknownFields() // a misspelt key would silently empty a field
	if err := dec.Decode(&file); err != nil {
		panic(fmt.Sprintf("routerconfig: data/routers.json: %v", err))
	}
	entries := make([]entry, 0, len(file.Routers))
	for _, r := range file.Routers {
		switch {
		case r.ID == "" || r.Vendor == "" || r.Platform == "" || r.Software == "" || r.XSLTTemplateName == "" || r.Port == "":
			panic(fmt.Sprintf("routerconfig: data/routers.json: router %q lacks a field", r.ID))
		case tmpl.Lookup(r.Template+".tmpl") == nil:
			panic(fmt.Sprintf("routerconfig: data/routers.json: router %s names template %q, which templates/ lacks", r.ID, r.Template))
		case slices.ContainsFunc(entries, func(e entry) bool { return e.ID == r.ID }):
			panic(fmt.Sprintf("routerconfig: data/routers.json: router %s twice", r.ID))
		}
		entries = append(entries, entry{
			Router:       Router{r.ID, r.Vendor, r.Platform, r.Software, r.XSLTTemplateName, r.XSLTTemplateNameForMacSec},
			template:     r.Template,
			port:         r.Port,
			securityZone: r.SecurityZone,
		})
	}
	return entries, tmpl
}

// Routers returns every router type, in the order of AWS's documentation.
// The slice is the caller's.
func Routers() []Router {
	rs := make([]Router, len(catalogue))
	for i, e := range catalogue {
		rs[i] = e.Router
	}
	return rs
}

// Find returns the router type with the routerTypeIdentifier id; the match
// is exact, as AWS's is.
func Find(id string) (Router, bool) {
	e, ok := find(id)
	return e.Router, ok
}

func find(id string) (entry, bool) {
	i := slices.IndexFunc(catalogue, func(e entry) bool { return e.ID == id })
	if i < 0 {
		return entry{}, false
	}
	return catalogue[i], true
}
