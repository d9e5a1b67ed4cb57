package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/dxlab/dxlab/opclient"
)

var eventsCommand = command{
	name: "events",
	summary: `print the event timeline: every change of every resource, oldest first

Each event says what changed (the resource, from-state, to-state), when on
dxlab's clock, and why: an API call (operation, account, request id), a
facility step (the step and who carries it out), or an operator firing one.
--follow keeps printing new events as they happen until interrupted. With
--output json, a list (or, following, one JSON object a line).`,
	flags: func(fs *flag.FlagSet, io *stdio) func(context.Context, []string) error {
		r := remoteFlags(fs, io)
		var q opclient.EventQuery
		fs.StringVar(&q.Resource, "resource", "", "only this resource's events")
		fs.StringVar(&q.Account, "account", "", "only events of resources this account owns or sees")
		fs.StringVar(&q.Kind, "kind", "", "only this kind of resource, e.g. dx.connection")
		since := fs.String("since", "", "only events at or after this time: RFC 3339, or a duration back from dxlab's clock (10m)")
		until := fs.String("until", "", "only events before this time: RFC 3339, or a duration back from dxlab's clock")
		follow := fs.Bool("follow", false, "keep printing new events as they happen")
		interval := fs.Duration("interval", time.Second, "with --follow, how often to ask for new events")
		return func(ctx context.Context, args []string) error {
			if err := wantArgs("events", args, 0, 0, "no arguments"); err != nil {
				return err
			}
			if *interval <= 0 {
				return usagef("--interval must be positive")
			}
			c, err := r.client()
			if err != nil {
				return err
			}
			if q.Since, err = eventTime(ctx, c, "--since", *since); err != nil {
				return err
			}
			if q.Until, err = eventTime(ctx, c, "--until", *until); err != nil {
				return err
			}
			if !*follow {
				evs, err := c.AllEvents(ctx, q)
				if err != nil {
					return err
				}
				if r.json() {
					return r.printJSON(opclient.EventList{Events: nonNil(evs)})
				}
				if len(evs) == 0 {
					fmt.Fprintln(io.out, "no events")
					return nil
				}
				var rows [][]any
				for _, e := range evs {
					rows = append(rows, eventRow(e))
				}
				return table(io.out, eventHeader, rows)
			}
			// Following, rows come one at a time: fixed widths keep them in
			// columns.
			if !r.json() {
				fmt.Fprintf(io.out, followFormat, "SEQ", "TIME", "RESOURCE", "ACTION", "FROM", "TO", "CAUSE")
			}
			enc := json.NewEncoder(io.out)
			return c.Follow(ctx, q, *interval, func(e opclient.Event) error {
				if r.json() {
					return enc.Encode(e)
				}
				_, err := fmt.Fprintf(io.out, followFormat, eventRow(e)...)
				return err
			})
		}
	},
}

const followFormat = "%-6v  %-24v  %-16v  %-6v  %-10v  %-10v  %v\n"

const eventHeader = "SEQ\tTIME\tRESOURCE\tACTION\tFROM\tTO\tCAUSE"

func eventRow(e opclient.Event) []any {
	return []any{e.Seq, when(e.At), e.ResourceID, e.Action, dash(e.From), dash(e.To), cause(e.Cause)}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cause says in a few words who made a change.
func cause(c opclient.Cause) string {
	switch c.Type {
	case "api":
		return fmt.Sprintf("api %s by %s (request %s)", c.Operation, c.Account, c.RequestID)
	case "step":
		return fmt.Sprintf("step %s by %s", c.Step, c.Actor)
	case "operator":
		return fmt.Sprintf("operator fired %s (%s's step)", c.Step, c.Actor)
	}
	return strings.TrimSpace(c.Type + " " + c.Step)
}

// eventTime reads --since or --until: a time, or a duration back from
// dxlab's clock.
func eventTime(ctx context.Context, c *opclient.Client, name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return time.Time{}, usagef("%s %q is neither a time (2026-11-02T09:00:00Z) nor a duration (10m)", name, v)
	}
	clk, err := c.Clock(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return clk.Now.Add(-d), nil
}
