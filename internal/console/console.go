// Package console is dxlab's web console under /_dxlab/console/: the
// simulated world drawn as a graph (locations, devices, port holders,
// hosted connections, virtual interfaces, gateways), capacity, the event
// timeline and a page per resource, with the operator's actions as buttons.
//
// The console is static files embedded in the binary, nothing fetched from
// elsewhere at run time. Everything it shows and does goes through the
// operator API (/_dxlab/v1/...) from the browser, with the API's own
// protections (the operator token, same-origin changes): this package
// serves the files and knows nothing of Direct Connect.
package console

import (
	"embed"
	"io/fs"
	"net/http"
)

// Prefix is where the console is served.
const Prefix = "/_dxlab/console/"

//go:embed assets
var assets embed.FS

// policy keeps the page to its own origin: no script, style or request may
// go anywhere else.
const policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the console's files under Prefix.
func Handler() http.Handler {
	files, err := fs.Sub(assets, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	static := http.StripPrefix(Prefix, http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the console's files are read with GET", http.StatusMethodNotAllowed)
			return
		}
		if r.URL.Path == Prefix[:len(Prefix)-1] {
			http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", policy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// The files change with the binary; a browser asks again each time.
		h.Set("Cache-Control", "no-cache")
		static.ServeHTTP(w, r)
	})
}
