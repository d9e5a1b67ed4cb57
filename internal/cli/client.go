package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/dxlab/dxlab/opclient"
)

const defaultEndpoint = opclient.DefaultEndpoint

// remote is what every command that drives a running dxlab shares: where it
// is and how to print.
type remote struct {
	endpoint string
	output   string
	token    string
	io       *stdio
}

// remoteFlags declares --endpoint and --output on fs.
func remoteFlags(fs *flag.FlagSet, io *stdio) *remote {
	r := &remote{io: io}
	fs.StringVar(&r.endpoint, "endpoint", env("DXLAB_ENDPOINT", defaultEndpoint), "the running dxlab's URL (env DXLAB_ENDPOINT)")
	fs.StringVar(&r.output, "output", env("DXLAB_OUTPUT", "table"), "table (for people) or json (for scripts) (env DXLAB_OUTPUT)")
	// Read from the environment only, never a flag: a flag's value shows in
	// the process list.
	r.token = env("DXLAB_OPERATOR_TOKEN", "")
	return r
}

// client checks the shared flags and returns the operator API's client.
func (r *remote) client() (*opclient.Client, error) {
	if r.output != "table" && r.output != "json" {
		return nil, usagef("--output must be table or json, not %q", r.output)
	}
	if r.endpoint == "" {
		return nil, usagef("--endpoint must name a dxlab, e.g. %s", defaultEndpoint)
	}
	c := opclient.New(r.endpoint)
	c.Token = r.token
	return c, nil
}

func (r *remote) json() bool { return r.output == "json" }

// printJSON writes v as indented JSON.
func (r *remote) printJSON(v any) error {
	enc := json.NewEncoder(r.io.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes rows under a header, aligned.
func table(w io.Writer, header string, rows [][]any) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if header != "" {
		fmt.Fprintln(tw, header)
	}
	for _, row := range rows {
		for i, cell := range row {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, cell)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// when writes a time of dxlab's clock for people.
func when(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

// due says when a step happens.
func due(t opclient.Transition) string {
	if t.DueAt == nil {
		return "waits for an operator"
	}
	return when(*t.DueAt)
}

// downUpArgs reads the "<id> down|up" of the commands that take something
// down and bring it back.
func downUpArgs(cmd string, args []string, what string) (id string, down bool, err error) {
	if err := wantArgs(cmd, args, 2, 2, what+" and down or up"); err != nil {
		return "", false, err
	}
	switch args[1] {
	case "down":
		return args[0], true, nil
	case "up":
		return args[0], false, nil
	}
	return "", false, usagef("%s: %q is neither down nor up", cmd, args[1])
}

// downOrUp says down or up.
func downOrUp(down bool) string {
	if down {
		return "down"
	}
	return "up"
}
