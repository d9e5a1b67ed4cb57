package opapi

import (
	"bytes"
	"html/template"
	"mime"
	"net/http"
	"strings"

	"github.com/dxlab/dxlab/opclient"
)

// index lists the operator endpoints, so that they can be found from the
// server itself.
func (a *api) index(*http.Request) (any, error) {
	out := indexPage{Name: "dxlab operator API", Version: a.opts.Version, Console: a.opts.Console}
	for _, rt := range a.routes() {
		out.Endpoints = append(out.Endpoints, opclient.Endpoint{Method: rt.method, Path: rt.path, Summary: rt.summary})
	}
	out.Endpoints = append(out.Endpoints, opclient.Endpoint{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics"})
	if a.opts.Console != "" {
		out.Endpoints = append(out.Endpoints, opclient.Endpoint{Method: "GET", Path: a.opts.Console, Summary: "the web console: the simulated world as a picture, its events, and the operator's actions (open it in a browser)"})
	}
	return out, nil
}

type indexPage opclient.Index

var indexTemplate = template.Must(template.New("index").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Name}}</title><link rel="icon" href="data:,">
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left;vertical-align:top}code{white-space:nowrap}</style>
</head><body>
<h1>{{.Name}}</h1>
{{if .Console}}<p><strong><a href="{{.Console}}">Open the web console</a></strong>: the simulated world as a picture, the event timeline, and buttons for the operator's actions.</p>
{{end}}<p>dxlab {{.Version}}. Answers are JSON; the <code>dxlab</code> command drives these endpoints.</p>
<table><tr><th>method</th><th>path</th><th>what</th></tr>
{{range .Endpoints}}<tr><td>{{.Method}}</td><td><code>{{if eq .Method "GET"}}<a href="{{.Path}}">{{.Path}}</a>{{else}}{{.Path}}{{end}}</code></td><td>{{.Summary}}</td></tr>
{{end}}</table>
</body></html>
`))

func (p indexPage) HTML() []byte {
	var b bytes.Buffer
	_ = indexTemplate.Execute(&b, p)
	return b.Bytes()
}

// prefersHTML reports whether the client asked for HTML before JSON, as a
// browser does.
func prefersHTML(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "text/html", "application/xhtml+xml":
			return true
		case "application/json":
			return false
		}
	}
	return false
}
