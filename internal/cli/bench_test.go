package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// dxlab bench runs a short load on a dxlab of its own and prints the
// report; asking for JSON gives the same for scripts. What it measures is
// internal/bench's tests' business; this is the command line.
func TestBench(t *testing.T) {
	args := []string{"bench", "--workload", "describe", "--duration", "500ms", "--warmup", "0", "--concurrency", "2", "--seed", "50", "--fail-on-errors"}
	run(t.Context(), args...).want(t, 0, "workload describe: 2 sdk clients", "50 connections seeded", "DescribeConnections", "p99 ms", "bench: dxlab:")

	r := run(t.Context(), append(args, "--output", "json")...)
	r.want(t, 0)
	var rep struct {
		Workload   string
		Seeded     int
		Operations []struct {
			Operation string
			Requests  int
			Errors    int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if rep.Workload != "describe" || rep.Seeded != 50 || len(rep.Operations) != 1 || rep.Operations[0].Requests == 0 || rep.Operations[0].Errors != 0 {
		t.Errorf("%+v", rep)
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--workload", "read"},
		{"bench", "--concurrency", "0"},
		{"bench", "--duration", "0s"},
		{"bench", "--rate", "-1"},
		{"bench", "--rate", "NaN"},
		{"bench", "--rate", "Inf"},
		{"bench", "--endpoint", "http://127.0.0.1:1", "--seed", "10"},
		{"bench", "--endpoint", "http://127.0.0.1:1", "--data-dir", "somewhere"},
		{"bench", "--output", "yaml"},
		{"bench", "--log-level", "loud"},
		{"bench", "extra"},
	} {
		r := run(t.Context(), args...)
		if r.code != 2 || !strings.Contains(r.stderr, "dxlab:") {
			t.Errorf("%s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	// No dxlab at the endpoint: a failure, not a usage error.
	run(t.Context(), "bench", "--endpoint", "http://127.0.0.1:1", "--duration", "1s").want(t, 1, "no dxlab answers at http://127.0.0.1:1")
}
