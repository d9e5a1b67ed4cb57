package bench

import (
	"cmp"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/aws/smithy-go"
)

// recorder is one client's tally: every latency, by operation, and its
// errors by code. Each client owns one, so recording takes no lock; they are
// merged when the run ends.
type recorder struct {
	ops map[string]*opTally
}

type opTally struct {
	// latencies of every answered call, in nanoseconds: kept whole, so the
	// percentiles are exact (8 bytes a call; a minute at 50k req/s is 24 MB).
	latencies []int64
	errors    map[string]int
	// examples keeps the first message of each code: Direct Connect
	// answers most refusals with one code, DirectConnectClientException,
	// and only the message tells a full device from a quota.
	examples map[string]string
}

func newRecorder() *recorder { return &recorder{ops: map[string]*opTally{}} }

func newTally() *opTally { return &opTally{errors: map[string]int{}, examples: map[string]string{}} }

func (r *recorder) tally(op string) *opTally {
	t := r.ops[op]
	if t == nil {
		t = newTally()
		r.ops[op] = t
	}
	return t
}

// record counts one call. Failed calls count in the latencies too: a
// refusal is an answer, and a server that refuses fast must not look slow.
func (r *recorder) record(op string, d time.Duration, err error) {
	t := r.tally(op)
	t.latencies = append(t.latencies, int64(d))
	if err != nil {
		code := ErrorCode(err)
		if t.errors[code]++; t.errors[code] == 1 {
			t.examples[code] = errorMessage(err)
		}
	}
}

// errorMessage is the message of an error the server answered, or the
// error's own.
func errorMessage(err error) string {
	var api smithy.APIError
	var de *smithy.DeserializationError
	switch {
	case errors.As(err, &de):
		return de.Error()
	case errors.As(err, &api):
		return api.ErrorMessage()
	}
	return err.Error()
}

// ErrorCode names an error for the errors-by-code table: the AWS error code
// the server answered, or the kind of failure when there was no answer.
func ErrorCode(err error) string {
	var api smithy.APIError
	var netErr net.Error
	switch {
	case unreadable(err):
		return "client: an answer the SDK cannot read"
	case errors.As(err, &api):
		return api.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "client: cancelled"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "network: timeout"
	case errors.As(err, &netErr):
		return "network: " + shortNetError(err)
	}
	return "client: " + err.Error()
}

// shortNetError keeps the end of a network error ("connection refused"),
// which is what tells one from another; the rest names addresses.
func shortNetError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// OpStats is what a run measured of one operation.
type OpStats struct {
	Operation string  `json:"operation"`
	Requests  int     `json:"requests"`
	Errors    int     `json:"errors"`
	PerSecond float64 `json:"perSecond"`
	// Latencies, in milliseconds.
	P50 float64 `json:"p50Ms"`
	P90 float64 `json:"p90Ms"`
	P99 float64 `json:"p99Ms"`
	Max float64 `json:"maxMs"`
	// ErrorCodes counts failed calls by AWS error code, or by the kind of
	// failure when no answer came.
	ErrorCodes map[string]int `json:"errorCodes,omitempty"`
	// ErrorExamples holds the first message of each code.
	ErrorExamples map[string]string `json:"errorExamples,omitempty"`
}

// summarize merges the clients' tallies into per-operation figures over a
// measured span of elapsed, sorted by operation; "total" (every operation)
// comes last when there is more than one.
func summarize(recs []*recorder, elapsed time.Duration) []OpStats {
	merged := map[string]*opTally{}
	all := newTally()
	for _, r := range recs {
		for op, t := range r.ops {
			m := merged[op]
			if m == nil {
				m = newTally()
				merged[op] = m
			}
			m.latencies = append(m.latencies, t.latencies...)
			all.latencies = append(all.latencies, t.latencies...)
			for code, n := range t.errors {
				m.errors[code] += n
				all.errors[code] += n
				for _, x := range []*opTally{m, all} {
					if _, ok := x.examples[code]; !ok {
						x.examples[code] = t.examples[code]
					}
				}
			}
		}
	}
	var out []OpStats
	for op, t := range merged {
		out = append(out, t.stats(op, elapsed))
	}
	slices.SortFunc(out, func(a, b OpStats) int { return cmp.Compare(a.Operation, b.Operation) })
	if len(out) > 1 {
		out = append(out, all.stats("total", elapsed))
	}
	return out
}

func (t *opTally) stats(op string, elapsed time.Duration) OpStats {
	s := OpStats{Operation: op, Requests: len(t.latencies)}
	for _, n := range t.errors {
		s.Errors += n
	}
	if len(t.errors) > 0 {
		s.ErrorCodes, s.ErrorExamples = t.errors, t.examples
	}
	if elapsed > 0 {
		s.PerSecond = float64(s.Requests) / elapsed.Seconds()
	}
	if len(t.latencies) == 0 {
		return s
	}
	slices.Sort(t.latencies)
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	s.P50, s.P90, s.P99 = ms(quantile(t.latencies, 0.50)), ms(quantile(t.latencies, 0.90)), ms(quantile(t.latencies, 0.99))
	s.Max = ms(t.latencies[len(t.latencies)-1])
	return s
}

// quantile is the nearest-rank quantile q of sorted values.
func quantile(sorted []int64, q float64) int64 {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
