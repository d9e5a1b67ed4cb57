package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"
)

var statusCommand = command{
	name:    "status",
	summary: "show what a running dxlab says of itself: version, address, data directory, store, profile, auth, clock, resources and pending steps",
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("status", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			h, err := c.Health(ctx)
			if err != nil {
				return err
			}
			if r.json() {
				return r.printJSON(h)
			}
			clk, err := c.Clock(ctx)
			if err != nil {
				return err
			}
			idx, err := c.Index(ctx)
			if err != nil {
				return err
			}
			w := io.out
			fmt.Fprintf(w, "dxlab %s at %s: %s\n", h.Version, c.Endpoint, h.Status)
			rows := [][]any{
				{"listening", h.Addr},
				{"data dir", h.DataDir},
				{"store", h.Store},
				{"provisioning", h.Provisioning},
				{"auth", h.Auth},
				{"uptime", (time.Duration(h.UptimeSeconds) * time.Second).String()},
				{"clock", clockLine(clk.Now, clk.OffsetSeconds)},
				{"event retention", (time.Duration(h.EventRetentionSeconds) * time.Second).String()},
				{"pending steps", fmt.Sprintf("%d (%d waiting for an operator)", h.PendingSteps, h.WaitingSteps)},
			}
			if idx.Console != "" {
				rows = append(rows, []any{"web console", strings.TrimSuffix(c.Endpoint, "/") + idx.Console})
			}
			if err := table(w, "", rows); err != nil {
				return err
			}
			if len(h.Resources) == 0 {
				fmt.Fprintln(w, "no resources")
				return nil
			}
			var res [][]any
			for _, rc := range h.Resources {
				res = append(res, []any{rc.Kind, rc.State, rc.Count})
			}
			return table(w, "KIND\tSTATE\tCOUNT", res)
		}
	},
}

func clockLine(now time.Time, offsetSeconds float64) string {
	s := when(now)
	if offsetSeconds > 0 {
		s += fmt.Sprintf(" (%v ahead of the system clock)", time.Duration(offsetSeconds*float64(time.Second)).Round(time.Millisecond))
	}
	return s
}
