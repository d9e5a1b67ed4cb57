package bench

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"text/tabwriter"
)

// Print writes the report for people.
func (r *Report) Print(w io.Writer) error {
	pace := ""
	if r.Rate > 0 {
		pace = fmt.Sprintf(" paced together at %g calls a second,", r.Rate)
	}
	fmt.Fprintf(w, "workload %s: %d %s clients%s as %d accounts for %gs each phase, against %s\n",
		r.Workload, r.Concurrency, r.Client, pace, r.Accounts, r.DurationSeconds, r.Target)
	switch {
	case r.Seeded > 0:
		fmt.Fprintf(w, "%d connections seeded through the store in %.1fs (%.0f/s); the workload reads %d\n",
			r.Seeded, r.SeedSeconds, float64(r.Seeded)/r.SeedSeconds, r.Connections)
	case r.Connections > 0:
		fmt.Fprintf(w, "the workload reads %d connections\n", r.Connections)
	}
	fmt.Fprintln(w)
	rows := slices.Clone(r.Operations)
	if r.HelloWorld != nil {
		rows = append(rows, *r.HelloWorld)
	}
	width := len("operation")
	for _, s := range rows {
		width = max(width, len(s.Operation))
	}
	fmt.Fprintf(w, "%-*s %9s %8s %8s %8s %8s %8s %7s\n", width, "operation", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors")
	for _, s := range rows {
		fmt.Fprintf(w, "%-*s %9d %8.0f %8.2f %8.2f %8.2f %8.2f %7d\n", width, s.Operation, s.Requests, s.PerSecond, s.P50, s.P90, s.P99, s.Max, s.Errors)
	}
	if ins := r.SQLiteInserts; ins != nil {
		fmt.Fprintf(w, "SQLite, dxlab's settings: %.0f single-row insert transactions/s (%d bytes a row; p50 %.3f ms, p99 %.3f ms, max %.2f ms)\n",
			ins.PerSecond, ins.RowBytes, ins.P50, ins.P99, ins.Max)
	}
	if rows := r.SQLiteCreateRows; rows != nil {
		fmt.Fprintf(w, "SQLite, dxlab's settings and schema: %.0f creates' rows alone/s (a create's claims, record, events and reads through the store's statements alone, %d to a transaction)\n",
			rows.PerSecond, rows.PerTransaction)
	}
	fmt.Fprintf(w, "allocations per request in this process (the clients' and the server's when it runs here): %.0f", r.AllocsPerRequest)
	if r.HelloWorld != nil {
		fmt.Fprintf(w, ", hello-world %.0f", r.HelloWorldAllocs)
	}
	fmt.Fprintf(w, "; %d garbage collections while measured\n", r.GCs)

	if r.Unanswered > 0 {
		fmt.Fprintf(w, "\n%d calls were still unanswered %s after the end, and were cancelled: the server hangs\n", r.Unanswered, defaultGrace)
	}
	if codes := r.errorCodes(); len(codes) > 0 {
		fmt.Fprintln(w, "\nerrors by code:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, c := range codes {
			fmt.Fprintf(tw, "  %s\t%s\t%d\te.g. %s\n", c.op, c.code, c.n, clip(c.example, 160))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(r.Ratios) > 0 {
		fmt.Fprintln(w, "\nratios to the ceilings:")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, x := range r.Ratios {
			fmt.Fprintf(tw, "  %s\t%.3f\n", x.Name, x.Value)
		}
		return tw.Flush()
	}
	return nil
}

type codeCount struct {
	op, code, example string
	n                 int
}

// errorCodes lists the errors of every operation but the total, most
// frequent first.
func (r *Report) errorCodes() []codeCount {
	var out []codeCount
	for _, s := range r.Operations {
		if s.Operation == "total" {
			continue
		}
		for _, code := range slices.Sorted(maps.Keys(s.ErrorCodes)) {
			out = append(out, codeCount{s.Operation, code, s.ErrorExamples[code], s.ErrorCodes[code]})
		}
	}
	slices.SortStableFunc(out, func(a, b codeCount) int { return cmp.Compare(b.n, a.n) })
	return out
}

// clip shortens s to n bytes for a table.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
